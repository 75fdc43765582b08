"""Personal budgets: someone offered a care home may take a personal budget (a direct payment or an individual
service fund) for support at home instead (``calderdale_pb_choices``, ``calderdale_pb_uptake``,
``calderdale_19k_mechanism``).

It changes the packages the week's assessments started (``phases/conversation.py``): each start that chose a
care home is, with chance ``share``, a package at home instead (``lib.packages.care_at_home``), in the
practice that made the start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from ..draws import PERSONAL_BUDGET
from ..lib.packages import care_at_home, in_care_home, mark_last_starts
from ..params import p
from ..rng import TRIAGE, uniform
from ..state import Kernel
from .programme import Programme


@dataclass(frozen=True)
class PersonalBudgetsPars:
    """Personal budgets for care at home instead of a care home."""

    share: float = p(0.0, 1.0, "probability", "chance someone offered residential care takes a personal budget for "
                     "care at home")


@njit(cache=True)
def choose_budgets(key, week, share_new, share_status_quo, starts, starts_new, n_starts, unmet, isolated, service,
                   service_hours, services_pars, seen, last):
    """Each resident's last start this week (:func:`lib.packages.mark_last_starts`, with its scratch ``seen`` and
    ``last``) that chose a care home becomes care at home with the chance of the practice that made it."""
    mark_last_starts(starts, n_starts, seen, last)
    for t in range(n_starts[0]):
        i = starts[t]
        share = share_new if starts_new[t] else share_status_quo
        if last[t] and in_care_home(service[i]) and uniform(key, TRIAGE, week, i, PERSONAL_BUDGET) < share:
            care_at_home(key, week, i, unmet, isolated, service, service_hours, services_pars)


class PersonalBudgets(Programme):
    """Programme: a personal budget for care at home instead of a care home."""

    name = "personal_budgets"
    Pars = PersonalBudgetsPars
    after = "front_door"

    def __init__(self, model):
        super().__init__(model)
        seen = np.zeros(model.state.residents.n, dtype=np.bool_)
        last = np.zeros_like(model.sources["starts_new"])
        self._choose = Kernel(choose_budgets, {**model.sources, "seen": seen, "last": last})
        self._status_quo_share = self.in_status_quo.share if self.in_status_quo else 0.0

    def step(self, model, week) -> None:
        share_new = self.in_policy.share if self.in_policy else 0.0
        if share_new > 0 or self._status_quo_share > 0:
            self._choose(week=week.week, share_new=share_new, share_status_quo=self._status_quo_share)
