"""Mutual aid: in a shock, street champions organise neighbours' help for the people they know.

Each connector able to help organises up to ``connector_hours`` (per unit of ``scenario.mutual_aid``) of
neighbours' help for the people they know (active ties) who still have unmet need, shared in proportion to
that need.  Help reaches only people tied to a connector, so it surges where ties and connectors already exist
(``gloucester_500_champions``, ``groundwork_before_crisis``, ``pandemic_unequal``).  Not a council
programme: a community's response to a shock, under every policy, whenever the scenario calls it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from numba import njit

from .. import codes
from ..component import Component
from ..params import p
from ..state import Kernel


@dataclass(frozen=True)
class MutualAidPars:
    """Neighbours' help organised by connectors in a shock."""

    connector_hours: float = p(0.0, 40.0, "hours/week", "help a connector organises for people they know, per unit "
                               "of scenario.mutual_aid")


@njit(cache=True)
def mutual_aid(contributor, helper_cap, indptr, degree, other, strength, network_pars, hours, unmet, met_community):
    """Each connector able to help (``helper_cap > 0``) organises up to ``hours`` of help for the people they know
    (active ties) with unmet need, in proportion to it; moves help from ``unmet`` to ``met_community``.
    Connectors are visited in index order, so the result does not depend on the thread count."""
    for c in range(contributor.shape[0]):
        if contributor[c] != codes.CONNECTOR or helper_cap[c] <= 0:
            continue
        wanted = 0.0
        for k in range(indptr[c], indptr[c] + degree[c]):
            if strength[k] >= network_pars.active_threshold:
                wanted += unmet[other[k]]
        if wanted <= 0:
            continue
        fill = min(1.0, hours / wanted)
        for k in range(indptr[c], indptr[c] + degree[c]):
            if strength[k] >= network_pars.active_threshold:
                j = other[k]
                got = unmet[j] * fill
                unmet[j] -= got
                met_community[j] += got


class MutualAid(Component):
    """Programme of the community, run whenever the scenario calls out mutual aid (``scenario.mutual_aid``)."""

    name = "mutual_aid"
    Pars = MutualAidPars
    after: ClassVar[str] = "support"

    def __init__(self, model):
        self._mutual_aid = Kernel(mutual_aid, model.sources)
        self._hours = model.params.mutual_aid.connector_hours

    def step(self, model, week) -> None:
        if week.scenario.mutual_aid > 0:
            self._mutual_aid(hours=week.scenario.mutual_aid * self._hours)
