"""The practitioner team's week: the hours it has, and what it spends them on.

One team does all the council's practice work.  It has ``policy.staff_fte_per_10k`` FTE per 10,000 adults,
each ``policy.productive_hours`` a week, times the scenario's ``staff_multiplier``.  Its hours go first to
supporting the people on community plans (the plan support delivered this week), then to assessments when
plans and reablement end and to reviews due (``phases/reviews.py``), then to the queue, served oldest first
(``phases/frontdoor.py``).  Work begun is finished: hours worked beyond a week's come out of the next
week's (the overrun), so queues and waits grow when demand exceeds the team.

The team keeps its hours and the week's tallies of the work in the council's part of the state, which the
reviews and the front door draw on and add to: ``team_hours`` (what is left; at the week's end negative
after an overrun, which is carried into the next week), ``staff_used`` (hours spent, from plan support on),
``assessments``, and the week's package starts (``starts``, ``starts_new``, ``starts_moved``, ``n_starts``; see
``lib.packages.start_package``).
"""

from __future__ import annotations

import numpy as np

from .. import codes
from ..component import Component
from ..schema import Column
from ..state import COUNCIL, ONE, TWO_PER_RESIDENT, Array

_THIS_WEEK = dict(carried=False)


class Team(Component):
    """Phase: the team's week opens: its hours, less what plan support takes and any overrun from last week.

    Measures the hours available, spent on plan support and spent in all, the share of the work done in the
    policy's practice, and the week's package starts and full assessments (reviews' and the front door's).
    """

    name = "team"
    arrays = (
        Array(COUNCIL, "team_hours", np.float64, ONE, "hours", "the team's hours left this week; at the week's "
              "end what it had left, negative after an overrun, which comes out of the next week's", start=0.0),
        Array(COUNCIL, "staff_available", np.float64, ONE, "hours", "the team's hours this week", **_THIS_WEEK),
        Array(COUNCIL, "staff_used", np.float64, ONE, "hours", "hours spent this week, from plan support on",
              **_THIS_WEEK),
        Array(COUNCIL, "assessments", np.int64, ONE, "people", "full assessments this week", **_THIS_WEEK),
        Array(COUNCIL, "starts", np.int32, TWO_PER_RESIDENT, "resident", "package starts this week, in order "
              "(lib.packages.start_package)", **_THIS_WEEK),
        Array(COUNCIL, "starts_new", np.bool_, TWO_PER_RESIDENT, "", "whether the new practice made each start",
              **_THIS_WEEK),
        Array(COUNCIL, "starts_moved", np.bool_, TWO_PER_RESIDENT, "", "whether each start moved someone already on "
              "a long-term package into a care home (a change of setting, not a new client)", **_THIS_WEEK),
        Array(COUNCIL, "n_starts", np.int64, ONE, "people", "package starts this week", **_THIS_WEEK),
    )
    results = (
        Column("staff_hours_available", "float", "hours", "front-door practitioner hours this week"),
        Column("staff_hours_plan_support", "float", "hours", "team hours spent supporting people on community plans"),
        Column("staff_hours_used", "float", "hours",
               "team hours spent on plan support, contacts, assessments and reviews"),
        Column("practice_share", "float", "fraction",
               "share of the team's work done in the policy's practice (it ramps in)"),
        Column("statutory_starts", "int", "people", "long-term packages started for new clients (front door, hospital "
               "discharge or after reablement); moves into a care home at review are not counted"),
        Column("full_assessments", "int", "people",
               "full Care Act assessments (front door, or when a plan or reablement ends)"),
    )

    def __init__(self, model):
        sources = model.sources
        self._staff_hours, self._staff_used = sources["team_hours"], sources["staff_used"]
        self._staff_available = sources["staff_available"]
        self._assessments, self._n_starts = sources["assessments"], sources["n_starts"]
        self._starts_moved = sources["starts_moved"]
        self._service, self._met_service = sources["service"], sources["met_service"]
        self._adults = model.state.residents.n
        self._available = self._plan_support = 0.0

    def step(self, model, week) -> None:
        pol = week.policy
        self._available = (pol.staff_fte_per_10k * self._adults / 10_000 * pol.productive_hours
                           * week.scenario.staff_multiplier)
        self._plan_support = float(self._met_service[self._service == codes.COMMUNITY_PLAN].sum())
        self._staff_available[0] = self._available
        overrun = min(0.0, float(self._staff_hours[0]))
        self._staff_hours[0] = self._available + overrun - self._plan_support
        self._staff_used[0] = self._plan_support
        self._assessments[0] = 0
        self._n_starts[0] = 0

    def measures(self, model, week) -> dict:
        return {
            "staff_hours_available": self._available,
            "staff_hours_plan_support": self._plan_support,
            "staff_hours_used": float(self._staff_used[0]),
            "practice_share": week.practice_share,
            "statutory_starts": int(self._n_starts[0] - self._starts_moved[:self._n_starts[0]].sum()),
            "full_assessments": int(self._assessments[0]),
        }
