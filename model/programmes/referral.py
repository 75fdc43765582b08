"""Referral: primary care refers isolated people with a need to a link worker (social prescribing).

A route to the front door (``phases/conversation.py``): each week, an isolated person with any need whom a
route may reach is brought to a conversation with chance ``weekly`` (``oldham_600``, ``oldham_link_worker``).
"""

from __future__ import annotations

from dataclasses import dataclass

from numba import njit, prange

from .. import codes
from ..draws import IN_TOUCH
from ..params import p
from ..phases.conversation import bring, open_to_route
from ..rng import CONTACT, uniform_at, week_key
from ..state import Kernel
from .programme import Programme


@dataclass(frozen=True)
class ReferralPars:
    """Referral routes from primary care to a link worker."""

    weekly: float = p(0.0, 1.0, "per week", "chance primary care refers an isolated person with a need to a link worker")


@njit(parallel=True, cache=True)
def refer(key, week, chance, isolated, need, service, in_hospital, queued_since, last_contact, contacts, contacted,
          since_last, route, support_pars):
    """Bring to a conversation, with ``chance``, every isolated person with a need whom a route may reach."""
    contact = week_key(key, CONTACT, week)
    for i in prange(isolated.shape[0]):
        if isolated[i] and need[i] > 0 and open_to_route(i, week, service, in_hospital, queued_since, last_contact,
                                                         support_pars.patience_weeks):
            if uniform_at(contact, i, IN_TOUCH) < chance:
                bring(i, week, codes.COMMUNITY_ROUTE, contacted=contacted, since_last=since_last,
                      last_contact=last_contact, contacts=contacts, queued_since=queued_since, route=route)


class Referral(Programme):
    """Programme: primary care refers isolated people with a need to a conversation."""

    name = "referral"
    Pars = ReferralPars
    after = "contacts"

    def __init__(self, model):
        super().__init__(model)
        self._refer = Kernel(refer, model.sources)

    def step(self, model, week) -> None:
        pars = self.in_force(week)
        if pars is not None and pars.weekly > 0:
            self._refer(week=week.week, chance=pars.weekly)
