"""Outreach: coordinators reach people with unmet need before they call (local area coordination).

A route to the front door (``phases/conversation.py``): each week, someone whose need has gone unmet this
week and whom a route may reach is brought to a conversation with chance ``weekly`` (``lac_open_door``,
``york_lac_neighbourhood``).
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
class OutreachPars:
    """Proactive outreach by coordinators."""

    weekly: float = p(0.0, 1.0, "per week", "chance a coordinator reaches someone with unmet need before they call")


@njit(parallel=True, cache=True)
def reach_out(key, week, chance, weeks_unmet, service, in_hospital, queued_since, last_contact, contacts, contacted,
              since_last, route, support_pars):
    """Bring to a conversation, with ``chance``, everyone a route may reach whose need has gone unmet this week."""
    contact = week_key(key, CONTACT, week)
    for i in prange(weeks_unmet.shape[0]):
        if weeks_unmet[i] > 0 and open_to_route(i, week, service, in_hospital, queued_since, last_contact,
                                                support_pars.patience_weeks):
            if uniform_at(contact, i, IN_TOUCH) < chance:
                bring(i, week, codes.COMMUNITY_ROUTE, contacted=contacted, since_last=since_last,
                      last_contact=last_contact, contacts=contacts, queued_since=queued_since, route=route)


class Outreach(Programme):
    """Programme: coordinators bring people with unmet need to a conversation before they call."""

    name = "outreach"
    Pars = OutreachPars
    after = "contacts"

    def __init__(self, model):
        super().__init__(model)
        self._reach_out = Kernel(reach_out, model.sources)

    def step(self, model, week) -> None:
        pars = self.in_force(week)
        if pars is not None and pars.weekly > 0:
            self._reach_out(week=week.week, chance=pars.weekly)
