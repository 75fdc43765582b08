"""Life: ageing, mortality, need onset, acute episodes, recovery and deterioration; in-migrants refill the slots
of those who die.

All draws come from the LIFE stream keyed by (week, resident), so the same seed gives the same life-event
draws under every policy (common random numbers).  Deaths are refilled in place by in-migrants, keeping the
population constant: every component's declared constants are reset for them (``State.arrive``) and each
component sets what it draws or derives (``arrive``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .. import codes
from ..component import Component
from ..draws import (ACUTE, ACUTE_SIZE, DEATH, HEAVY_ONSET, MIGRANT_AGE, MIGRANT_AGE_WITHIN, MIGRANT_INTEREST,
                     MIGRANT_LIFELONG, MIGRANT_NEED, MIGRANT_PERSONAL, ONSET, ONSET_SIZE)
from ..lib.packages import in_care_home
from ..lib.baselines import age_from_draws, baseline_asking, baseline_wellbeing, onset_size, starting_need
from ..lib.ties import add_tie, remove_all_ties
from ..params import p
from ..rng import LIFE, exponential, uniform, uniform_at, week_key
from ..schema import Column
from ..state import (HOOD_STARTS, HOODS, PER_HOOD, PER_RESIDENT, RESIDENTS, Array, Keep, Kernel, SetBy)


@dataclass(frozen=True)
class NeedsPars:
    """Life events: need onset, acute episodes, recovery, deterioration, mortality."""

    onset_weekly: float = p(0.0, 0.2, "per week", "chronic-need onset hazard at age 75, zero deprivation")
    onset_age_factor: float = p(1.0, 5.0, "x per decade", "onset hazard multiplier per decade of age")
    onset_deprivation: float = p(0.0, 10.0, "relative", "extra onset hazard at full deprivation")
    onset_isolation: float = p(0.0, 10.0, "relative", "extra onset hazard when isolated (loneliness harms health)")
    onset_mean_hours: float = p(0.1, 40.0, "hours/week", "mean chronic need added by a light onset")
    heavy_share: float = p(0.0, 1.0, "fraction", "onsets that are a heavy condition (dementia, a stroke, severe "
                           "frailty)")
    lifelong_share: float = p(0.0, 0.5, "fraction", "adults with a lifelong condition needing care (a learning or "
                              "severe physical disability), at any age")
    lifelong_mean_hours: float = p(0.0, 168.0, "hours/week", "mean need of a lifelong condition; need never falls "
                                   "below it")
    heavy_mean_hours: float = p(0.1, 168.0, "hours/week", "mean chronic need added by a heavy onset, from half to one "
                                "and a half times it (care and "
                                "supervision)")
    onset_progression: float = p(0.0, 50.0, "relative", "extra onset hazard for someone already in need (frailty "
                                 "accumulates: need concentrates in fewer people)")
    acute_weekly: float = p(0.0, 0.2, "per week", "acute episode (e.g. hospital discharge) hazard at 75")
    acute_progression: float = p(0.0, 50.0, "relative", "extra acute-episode hazard for someone already in need (frail "
                                 "people fall and are admitted more)")
    acute_mean_hours: float = p(0.1, 60.0, "hours/week", "mean acute need added per episode")
    acute_recovery: float = p(0.0, 1.0, "per week", "fraction of acute need recovered weekly")
    chronic_recovery: float = p(0.0, 1.0, "per week", "fraction of chronic need recovered weekly")
    deterioration: float = p(0.0, 1.0, "per week", "chronic need added per hour of unmet need (revolving door)")
    max_need_hours: float = p(1.0, 168.0, "hours/week", "cap on weekly need")
    initial_need_share_85: float = p(0.0, 1.0, "fraction", "adults 85+ with chronic need at start")
    mortality_log_base: float = p(-20.0, 0.0, "log annual", "Gompertz intercept (age 0)")
    mortality_age_slope: float = p(0.0, 0.3, "per year", "Gompertz slope")
    mortality_need_effect: float = p(0.0, 1.0, "per hour", "relative mortality per hour of weekly need")
    mortality_isolation: float = p(0.0, 10.0, "relative", "extra mortality when isolated (isolation harms health)")
    mortality_care_home: float = p(1.0, 20.0, "x", "mortality of care-home residents relative to others of the same "
                                   "age and need (those admitted are the frailest)")


_MAX_TABLE_AGE = 160  # years covered by the age-factor bound table; older residents take the exact path


@njit(cache=True)
def _age_bounds(needs_pars):
    """Upper bounds, by whole year of age ``a``, of the age terms of the hazards over ``[a, a + 1)``:
    ``onset[a]`` >= ``onset_age_factor ** ((age - 75) / 10)`` and ``mortality[a]`` >=
    ``exp(mortality_log_base + mortality_age_slope * age)``.

    Both rise with age (``onset_age_factor >= 1``, ``mortality_age_slope >= 0``), so their values at
    ``a + 1``, raised by a margin far above rounding error, bound them over the whole year.
    """
    onset, mortality = np.empty(_MAX_TABLE_AGE), np.empty(_MAX_TABLE_AGE)
    for a in range(_MAX_TABLE_AGE):
        onset[a] = needs_pars.onset_age_factor ** ((a + 1 - 75.0) / 10.0) * (1.0 + 1e-9)
        mortality[a] = np.exp(needs_pars.mortality_log_base + needs_pars.mortality_age_slope * (a + 1)) * (1.0 + 1e-9)
    return onset, mortality


@njit(parallel=True, cache=True)
def life_events(key, week, age, hood, hood_deprivation, chronic, lifelong, acute, unmet, isolated, service, died,
                crisis, onsets, needs_pars, onset_mult):
    """Advance every resident one week of life; flags deaths and acute crises.

    Need arises as the surveys count it: an onset's hazard rises with age and deprivation (and isolation), more
    steeply still for someone already in need (``onset_progression``), and a share of onsets are heavy
    conditions (``heavy_share``, :func:`lib.baselines.onset_size`), so heavy needs gather in fewer people.
    Acute episodes (a fall, an illness) come more often to someone already in need (``acute_progression``).

    Each hazard is compared with its uniform draw.  The costly exponentials and powers are computed
    only when the draw falls below a cheap upper bound of the hazard (the annual death rate bounds the
    weekly one; tables by year of age bound the age terms, :func:`_age_bounds`), which changes no
    outcome: a draw above the bound is above the hazard too.
    """
    bound, mortality_bound = _age_bounds(needs_pars)
    life = week_key(key, LIFE, week)
    for i in prange(age.shape[0]):
        age[i] += 1.0 / 52.0
        need = chronic[i] + acute[i]
        need_term = 1.0 + needs_pars.mortality_need_effect * need
        if in_care_home(service[i]):
            need_term *= needs_pars.mortality_care_home
        isolation_term = 1.0 + needs_pars.mortality_isolation * isolated[i]
        u = uniform_at(life, i, DEATH)
        whole_years = np.int64(age[i])
        died[i] = False
        if not (0 <= whole_years < _MAX_TABLE_AGE) or \
                u < mortality_bound[whole_years] * need_term * isolation_term * (1.0 + 1e-9):
            annual = np.exp(needs_pars.mortality_log_base + needs_pars.mortality_age_slope * age[i]) * need_term * isolation_term
            died[i] = u < annual and u < 1.0 - (1.0 - min(annual, 1.0)) ** (1.0 / 52.0)

        acute[i] *= 1.0 - needs_pars.acute_recovery
        chronic[i] = max(lifelong[i], chronic[i] * (1.0 - needs_pars.chronic_recovery)
                         + needs_pars.deterioration * unmet[i])

        u_onset = uniform_at(life, i, ONSET)
        u_acute = uniform_at(life, i, ACUTE)
        deprived = 1.0 + needs_pars.onset_deprivation * hood_deprivation[hood[i]]
        accumulating = (1.0 + needs_pars.onset_isolation * isolated[i]) * onset_mult * \
            (1.0 + needs_pars.onset_progression * (chronic[i] >= 1.0))
        frail = 1.0 + needs_pars.acute_progression * (chronic[i] >= 1.0)
        if 0 <= whole_years < _MAX_TABLE_AGE:
            most = bound[whole_years] * deprived
            if u_onset >= needs_pars.onset_weekly * most * accumulating and \
                    u_acute >= needs_pars.acute_weekly * most * frail:
                crisis[i] = False
                _cap_need(i, chronic, acute, needs_pars.max_need_hours)
                continue
        frailty = needs_pars.onset_age_factor ** ((age[i] - 75.0) / 10.0) * deprived
        if u_onset < needs_pars.onset_weekly * frailty * accumulating:
            chronic[i] += onset_size(uniform_at(life, i, HEAVY_ONSET), uniform_at(life, i, ONSET_SIZE), needs_pars)
            onsets[i] += 1
        crisis[i] = u_acute < needs_pars.acute_weekly * frailty * frail
        if crisis[i]:
            acute[i] += exponential(key, LIFE, week, i, ACUTE_SIZE, needs_pars.acute_mean_hours)
        _cap_need(i, chronic, acute, needs_pars.max_need_hours)


@njit(inline="always", cache=True)
def _cap_need(i, chronic, acute, max_need_hours):
    total = chronic[i] + acute[i]
    if total > max_need_hours:
        scale = max_need_hours / total
        chronic[i] *= scale
        acute[i] *= scale


@njit(cache=True)
def arrive(key, week, slots, age, hood, household, died, interests, personal, wellbeing, asking, chronic, lifelong, indptr,
           degree, other, strength, kind, active, hood_deprivation, hood_share_65_84, hood_share_85_plus,
           deprivation_mean, needs_pars, population_pars, network_pars, wellbeing_pars, support_pars):
    """Who moves into each slot of ``slots`` (ascending): the people tied to the resident who died lose
    wellbeing (bereavement) and the dead's ties are lost; then the in-migrant's age (from their neighbourhood's
    age structure, as the town was built, so in-migration keeps it), personal resources and interests, the
    wellbeing and asking those resources give, the chronic need someone of their age arrives with
    (:func:`lib.baselines.starting_need`, as at the start) or any lifelong condition they live with (as a share
    ``needs.lifelong_share`` of adults do), and their household: the dead's, with household ties back to the
    housemates, unless the in-migrant is under 65 and a surviving housemate is 65 or over, whom the death leaves
    living alone (``ons_older_living_alone``:
    widowhood is how most older people come to live alone), and then a household of their own.

    One slot after another: two residents of one household who die in one week each grieve the other's
    in-migrant, as the ties stand when their turn comes.
    """
    n = age.shape[0]
    for i in slots:
        for k in range(indptr[i], indptr[i] + degree[i]):
            j = other[k]
            wellbeing[j] = max(0.0, wellbeing[j] - network_pars.bereavement_wellbeing * strength[k])
        remove_all_ties(indptr, degree, other, strength, kind, active, network_pars, i)

        h = hood[i]
        age[i] = age_from_draws(uniform(key, LIFE, week, i, MIGRANT_AGE), uniform(key, LIFE, week, i, MIGRANT_AGE_WITHIN),
                                hood_share_65_84[h], hood_share_85_plus[h])
        mean_p = (population_pars.personal_resources_mean
                  - population_pars.personal_deprivation_effect * hood_deprivation[h])
        personal[i] = min(0.98, max(0.02, mean_p + 0.4 * (uniform(key, LIFE, week, i, MIGRANT_PERSONAL) - 0.5)))
        wellbeing[i] = baseline_wellbeing(personal[i], wellbeing_pars)
        asking[i] = baseline_asking(personal[i], support_pars)
        a = np.uint32(uniform(key, LIFE, week, i, MIGRANT_INTEREST) * population_pars.n_interests)
        b = np.uint32(uniform(key, LIFE, week, i, MIGRANT_INTEREST + 1) * population_pars.n_interests)
        interests[i] = (np.uint32(1) << a) | (np.uint32(1) << b)
        lifelong[i] = 0.0
        if uniform(key, LIFE, week, i, MIGRANT_LIFELONG) < needs_pars.lifelong_share:
            lifelong[i] = exponential(key, LIFE, week, i, MIGRANT_LIFELONG + 1, needs_pars.lifelong_mean_hours)
        chronic[i] = max(lifelong[i], starting_need(
            uniform(key, LIFE, week, i, MIGRANT_NEED), uniform(key, LIFE, week, i, MIGRANT_NEED + 1),
            uniform(key, LIFE, week, i, MIGRANT_NEED + 2), age[i], hood_deprivation[h], deprivation_mean, needs_pars))
        # Households are contiguous: the in-migrant rejoins the housemates of a younger household; where one of
        # them is 65 or over (a widowed partner), the survivors live on without them and the in-migrant lives
        # alone, in a household of their own (an id no household of the town as built has).
        if age[i] < 65.0:
            for j in range(max(0, i - 8), min(n, i + 9)):
                if j != i and household[j] == household[i] and not died[j] and age[j] >= 65.0:
                    household[i] = n + i
                    break
        for j in range(max(0, i - 8), min(n, i + 9)):
            if j != i and household[j] == household[i]:
                add_tie(indptr, degree, other, strength, kind, active, network_pars, i=i, j=j, s=0.9,
                        tie_kind=codes.HOUSEHOLD)


_DRAWN = SetBy("life", "drawn for the in-migrant (arrive)")
_SAME_PLACE = Keep("the in-migrant moves into the same neighbourhood")
_THIS_WEEKS_EVENTS = Keep("the slot's life events of this week stand for the in-migrant until next week's")


class Life(Component):
    """Phase: a week of life for every resident, then in-migrants refill the slots of those who died.

    Owns who the residents are (age, where they live, interests, personal resources), their need, this
    week's life events and the town's neighbourhoods.  Measures ``queue_deaths``: people who died while their
    contact waited in the queue (their contact leaves the queue unserved).
    """

    name = "life"
    Pars = NeedsPars
    arrays = (
        Array(RESIDENTS, "age", np.float64, PER_RESIDENT, "years", "age", start=None, arrival=_DRAWN),
        Array(RESIDENTS, "hood", np.int32, PER_RESIDENT, "", "neighbourhood", start=None, arrival=_SAME_PLACE),
        Array(RESIDENTS, "household", np.int32, PER_RESIDENT, "", "household id", start=None,
              arrival=SetBy("life", "the dead's household, or one of their own where a housemate is 65 or over (arrive)")),
        Array(RESIDENTS, "interests", np.uint32, PER_RESIDENT, "bitmask", "interest categories", start=None,
              arrival=_DRAWN),
        Array(RESIDENTS, "chronic", np.float64, PER_RESIDENT, "hours/week", "long-term need", start=None,
              arrival=_DRAWN),
        Array(RESIDENTS, "lifelong", np.float64, PER_RESIDENT, "hours/week", "need of a lifelong condition (a floor "
              "under long-term need)", start=None, arrival=_DRAWN),
        Array(RESIDENTS, "acute", np.float64, PER_RESIDENT, "hours/week", "episodic need", arrival=0.0),
        Array(RESIDENTS, "personal", np.float64, PER_RESIDENT, "0-1",
              "personal resources (skills, knowledge, confidence)", start=None, arrival=_DRAWN),
        Array(RESIDENTS, "crisis", np.bool_, PER_RESIDENT, "", "an acute episode (or a main carer's breakdown) "
              "this week (an in-migrant had none)", start=False, arrival=False),
        Array(RESIDENTS, "died", np.bool_, PER_RESIDENT, "", "died this week (the slot refilled by an in-migrant)",
              start=False, arrival=_THIS_WEEKS_EVENTS),
        Array(RESIDENTS, "onsets", np.int32, PER_RESIDENT, "onsets", "need onsets in this slot since the run "
              "began (the life-event audit trail for common random numbers)",
              arrival=Keep("an audit trail of the slot's draws, not of the person")),
        Array(HOODS, "deprivation", np.float64, PER_HOOD, "0-1", "deprivation index", start=None),
        Array(HOODS, "start", np.int64, HOOD_STARTS, "", "first resident of each neighbourhood (CSR)", start=None),
        Array(HOODS, "households", np.int32, PER_HOOD, "households", "households", start=None),
        Array(HOODS, "share_65_84", np.float64, PER_HOOD, "fraction", "adults aged 65-84 as the neighbourhood was built "
              "(in-migrants keep it)", start=None),
        Array(HOODS, "share_85_plus", np.float64, PER_HOOD, "fraction", "adults aged 85 and over as the neighbourhood "
              "was built (in-migrants keep it)", start=None),
    )
    results = (Column("queue_deaths", "int", "adults", "people who died while waiting in the queue"),)

    def __init__(self, model):
        self._life_events = Kernel(life_events, model.sources)
        self._arrive = Kernel(arrive, {**model.sources,
                                       "deprivation_mean": float(model.sources["hood_deprivation"].mean())})
        self._died = model.sources["died"]
        self._queued_since = model.sources["queued_since"]
        self._queue_deaths = 0

    def step(self, model, week) -> None:
        self._life_events(week=week.week, onset_mult=week.scenario.onset_multiplier)
        self._queue_deaths = int((self._died & (self._queued_since != codes.NEVER)).sum())
        slots = np.flatnonzero(self._died)
        if slots.size:
            self._arrive(week=week.week, slots=slots)
            model.arrive(week, slots)

    def measures(self, model, week) -> dict:
        return {"queue_deaths": self._queue_deaths}
