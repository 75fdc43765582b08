"""Care homes: who pays, admissions as ASCOF counts them, and self-funders whose assets run out.

A care home is a destination a package start chooses (``lib.packages.start_package``): after a crisis, a fall,
a carer's breakdown or a hospital stay, when the care at home the person would need is more than a council
offers.  Someone with assets above the upper capital limit (``wealthy``: a share of adults that falls with
deprivation, ``population.wealth_share``) pays for it themselves and costs the council nothing until their
assets run out (``funds_until``), when the council takes the placement over: a route into council-funded care
of its own (``self_funders_37pct``).  A stay ends with death (``needs.mortality_care_home``: those admitted
are the frailest).  Runs after the front door and the programmes that change its packages, so the week's
admissions are those that stand.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import codes
from ..component import Component
from ..draws import MIGRANT_WEALTH
from ..lib.baselines import wealth_share
from ..lib.packages import in_care_home, mark_last_starts
from ..rng import LIFE, uniform
from ..schema import Column
from ..state import PER_RESIDENT, RESIDENTS, Array, Kernel, SetBy

# Slots of the week's tallies: council-funded permanent admissions by age, and self-funders taken over
ADMITTED_65_PLUS, ADMITTED_18_64, TAKEN_OVER = 0, 1, 2


@njit(cache=True)
def admissions(week, starts, n_starts, age, service, self_funded, funds_until, long_term_since, next_review,
               review_weeks, seen, last, tallies):
    """Count the week's council-funded care-home admissions (each resident's last start this week that is a care
    home: :func:`lib.packages.mark_last_starts`, with its scratch ``seen`` and ``last``), and take over the
    placements of self-funders whose assets ran out this week (an admission too)."""
    mark_last_starts(starts, n_starts, seen, last)
    for t in range(n_starts[0]):
        i = starts[t]
        if last[t] and in_care_home(service[i]) and not self_funded[i]:
            tallies[ADMITTED_65_PLUS if age[i] >= 65 else ADMITTED_18_64] += 1
    for i in range(service.shape[0]):
        if self_funded[i] and funds_until[i] <= week:
            self_funded[i] = False
            funds_until[i] = codes.NEVER
            long_term_since[i] = week
            next_review[i] = week + review_weeks
            tallies[TAKEN_OVER] += 1
            tallies[ADMITTED_65_PLUS if age[i] >= 65 else ADMITTED_18_64] += in_care_home(service[i])


@njit(cache=True)
def arrive(key, week, slots, hood, hood_deprivation, wealthy, population_pars):
    """Whether each in-migrant has assets above the upper capital limit."""
    for i in slots:
        wealthy[i] = uniform(key, LIFE, week, i, MIGRANT_WEALTH) < wealth_share(population_pars,
                                                                              hood_deprivation[hood[i]])


class CareHomes(Component):
    """Phase: care homes' admissions this week and self-funders the council takes over.  Owns who could pay for a
    care home (``wealthy``), who does (``self_funded``) and until when (``funds_until``)."""

    name = "care_homes"
    arrays = (
        Array(RESIDENTS, "wealthy", np.bool_, PER_RESIDENT, "", "has assets above the upper capital limit",
              start=None, arrival=SetBy("care_homes", "drawn for the in-migrant (arrive)")),
        Array(RESIDENTS, "self_funded", np.bool_, PER_RESIDENT, "", "pays for their care home themselves",
              start=False, arrival=False),
        Array(RESIDENTS, "funds_until", np.int32, PER_RESIDENT, "week", "week a self-funder's assets run out",
              start=codes.NEVER, arrival=codes.NEVER),
    )
    results = (
        Column("care_home_admissions_65_plus", "int", "people",
               "permanent council-funded admissions to residential or nursing care, aged 65 and over (ASCOF 2A)"),
        Column("care_home_admissions_18_64", "int", "people",
               "permanent council-funded admissions to residential or nursing care, aged 18 to 64 (ASCOF 2A)"),
        Column("self_funders_taken_over", "int", "people", "self-funders whose assets ran out: the council pays now"),
    )

    def __init__(self, model):
        self._tallies = np.zeros(3, dtype=np.int64)
        seen = np.zeros(model.state.residents.n, dtype=np.bool_)
        last = np.zeros_like(model.sources["starts_new"])
        self._admissions = Kernel(admissions, {**model.sources, "tallies": self._tallies, "seen": seen, "last": last})
        self._arrive = Kernel(arrive, model.sources)

    def step(self, model, week) -> None:
        self._tallies[:] = 0
        self._admissions(week=week.week, review_weeks=week.review.review_weeks)

    def arrive(self, model, week, slots) -> None:
        self._arrive(week=week.week, slots=slots)

    def measures(self, model, week) -> dict:
        t = self._tallies
        return {"care_home_admissions_65_plus": int(t[ADMITTED_65_PLUS]),
                "care_home_admissions_18_64": int(t[ADMITTED_18_64]), "self_funders_taken_over": int(t[TAKEN_OVER])}
