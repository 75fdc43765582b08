"""Life events: ageing, mortality, need onset, acute episodes, recovery and deterioration.

All draws come from the LIFE stream keyed by (week, resident), so the same seed
gives the same life-event draws under every policy (common random numbers).
Deaths are refilled in place by in-migrants, keeping the population constant.
"""

import numpy as np
from numba import njit, prange

from . import codes
from .draws import (ACUTE, ACUTE_SIZE, DEATH, MIGRANT_AGE, MIGRANT_AWARE, MIGRANT_CONTRIB, MIGRANT_INTEREST,
                    MIGRANT_PERSONAL, ONSET, ONSET_SIZE)
from .rng import LIFE, exponential, uniform, uniform_at, week_key
from .state import Kernel
from .ties import add_tie, remove_all_ties
from .support import baseline_asking
from .wellbeing import baseline_wellbeing


_MAX_TABLE_AGE = 160  # years covered by the age-factor bound table; older residents take the exact path


@njit(cache=True)
def _age_bounds(needs):
    """Upper bounds, by whole year of age ``a``, of the age terms of the hazards over ``[a, a + 1)``:
    ``onset[a]`` >= ``onset_age_factor ** ((age - 75) / 10)`` and ``mortality[a]`` >=
    ``exp(mortality_log_base + mortality_age_slope * age)``.

    Both rise with age (``onset_age_factor >= 1``, ``mortality_age_slope >= 0``), so their values at
    ``a + 1``, raised by a margin far above rounding error, bound them over the whole year.
    """
    onset, mortality = np.empty(_MAX_TABLE_AGE), np.empty(_MAX_TABLE_AGE)
    for a in range(_MAX_TABLE_AGE):
        onset[a] = needs.onset_age_factor ** ((a + 1 - 75.0) / 10.0) * (1.0 + 1e-9)
        mortality[a] = np.exp(needs.mortality_log_base + needs.mortality_age_slope * (a + 1)) * (1.0 + 1e-9)
    return onset, mortality


@njit(parallel=True, cache=True)
def life_events(key, week, age, hood, hood_deprivation, chronic, acute, unmet, isolated, died, crisis, onsets, needs, onset_mult):
    """Advance every resident one week of life; flags deaths and acute crises.

    Each hazard is compared with its uniform draw.  The costly exponentials and powers are computed
    only when the draw falls below a cheap upper bound of the hazard (the annual death rate bounds the
    weekly one; tables by year of age bound the age terms, :func:`_age_bounds`), which changes no
    outcome: a draw above the bound is above the hazard too.
    """
    bound, mortality_bound = _age_bounds(needs)
    life = week_key(key, LIFE, week)
    for i in prange(age.shape[0]):
        age[i] += 1.0 / 52.0
        need = chronic[i] + acute[i]
        need_term = 1.0 + needs.mortality_need_effect * need
        isolation_term = 1.0 + needs.mortality_isolation * isolated[i]
        u = uniform_at(life, i, DEATH)
        whole_years = np.int64(age[i])
        died[i] = False
        if not (0 <= whole_years < _MAX_TABLE_AGE) or \
                u < mortality_bound[whole_years] * need_term * isolation_term * (1.0 + 1e-9):
            annual = np.exp(needs.mortality_log_base + needs.mortality_age_slope * age[i]) * need_term * isolation_term
            died[i] = u < annual and u < 1.0 - (1.0 - min(annual, 1.0)) ** (1.0 / 52.0)

        acute[i] *= 1.0 - needs.acute_recovery
        chronic[i] = chronic[i] * (1.0 - needs.chronic_recovery) + needs.deterioration * unmet[i]

        u_onset = uniform_at(life, i, ONSET)
        u_acute = uniform_at(life, i, ACUTE)
        deprived = 1.0 + needs.onset_deprivation * hood_deprivation[hood[i]]
        if 0 <= whole_years < _MAX_TABLE_AGE:
            most = bound[whole_years] * deprived
            if (u_onset >= needs.onset_weekly * most * (1.0 + needs.onset_isolation * isolated[i]) * onset_mult
                    and u_acute >= needs.acute_weekly * most):
                crisis[i] = False
                _cap_need(i, chronic, acute, needs.max_need_hours)
                continue
        frailty = needs.onset_age_factor ** ((age[i] - 75.0) / 10.0) * deprived
        onset = needs.onset_weekly * frailty * (1.0 + needs.onset_isolation * isolated[i]) * onset_mult
        if u_onset < onset:
            chronic[i] += exponential(key, LIFE, week, i, ONSET_SIZE, needs.onset_mean_hours)
            onsets[i] += 1
        crisis[i] = u_acute < needs.acute_weekly * frailty
        if crisis[i]:
            acute[i] += exponential(key, LIFE, week, i, ACUTE_SIZE, needs.acute_mean_hours)
        _cap_need(i, chronic, acute, needs.max_need_hours)


@njit(inline="always", cache=True)
def _cap_need(i, chronic, acute, max_need_hours):
    total = chronic[i] + acute[i]
    if total > max_need_hours:
        scale = max_need_hours / total
        chronic[i] *= scale
        acute[i] *= scale


@njit(cache=True)
def replace_deceased(key, week, died, age, hood, household, interests, chronic, acute, personal, wellbeing, strain,
                     burnout_until, dependency, service, service_hours, service_until, next_review, member,
                     contributor, aware, asking, weeks_unmet, queued_since, last_contact, contacts, need, met_service,
                     met_personal, met_network, met_community, unmet, indptr, degree, other, strength, kind, active,
                     hood_deprivation, needs, pop, net, wb, sup):
    """Refill each dead resident's slot with an adult moving in; ties of the dead are lost.

    The people tied to someone who died lose wellbeing (bereavement).  The
    in-migrant joins the same household and gets its household ties back, and
    starts with no record of last week's support (need, met and unmet hours,
    read by this week's reciprocity before support is worked out again).
    """
    n = age.shape[0]
    for i in range(n):
        if not died[i]:
            continue
        for k in range(indptr[i], indptr[i] + degree[i]):
            j = other[k]
            wellbeing[j] = max(0.0, wellbeing[j] - net.bereavement_wellbeing * strength[k])
        remove_all_ties(indptr, degree, other, strength, kind, active, net, i)

        age[i] = min(18.0 + exponential(key, LIFE, week, i, MIGRANT_AGE, needs.migrant_age_mean), 95.0)
        mean_p = pop.personal_resources_mean - pop.personal_deprivation_effect * hood_deprivation[hood[i]]
        personal[i] = min(0.98, max(0.02, mean_p + 0.4 * (uniform(key, LIFE, week, i, MIGRANT_PERSONAL) - 0.5)))
        wellbeing[i] = baseline_wellbeing(personal[i], wb)
        asking[i] = baseline_asking(personal[i], sup)
        a = np.uint32(uniform(key, LIFE, week, i, MIGRANT_INTEREST) * pop.n_interests)
        b = np.uint32(uniform(key, LIFE, week, i, MIGRANT_INTEREST + 1) * pop.n_interests)
        interests[i] = (np.uint32(1) << a) | (np.uint32(1) << b)
        chronic[i] = 0.0
        acute[i] = 0.0
        strain[i] = 0.0
        burnout_until[i] = codes.NEVER
        dependency[i] = 0.0
        service[i] = codes.NO_SERVICE
        service_hours[i] = 0.0
        service_until[i] = codes.NEVER
        next_review[i] = codes.NEVER
        member[i, 0] = -1
        member[i, 1] = -1
        is_contributor = uniform(key, LIFE, week, i, MIGRANT_CONTRIB) < pop.contributor_share
        contributor[i] = codes.VOLUNTEER if is_contributor else codes.NOT_CONTRIBUTOR
        aware[i] = is_contributor or uniform(key, LIFE, week, i, MIGRANT_AWARE) < pop.awareness
        weeks_unmet[i] = 0
        queued_since[i] = codes.NEVER
        last_contact[i] = codes.NEVER
        contacts[i] = 0
        need[i] = 0.0
        met_service[i] = 0.0
        met_personal[i] = 0.0
        met_network[i] = 0.0
        met_community[i] = 0.0
        unmet[i] = 0.0
        # Households are contiguous: the in-migrant rejoins their housemates.
        for j in range(max(0, i - 8), min(n, i + 9)):
            if j != i and household[j] == household[i]:
                add_tie(indptr, degree, other, strength, kind, active, net, i=i, j=j, s=0.9, tie_kind=codes.HOUSEHOLD)


class Life:
    """Phase: a week of life for every resident, then in-migrants refill the slots of those who died.

    Measures ``queue_deaths``: people who died while their contact waited in the queue (their
    contact leaves the queue unserved).
    """

    def __init__(self, model):
        self._life_events = Kernel(life_events, model.sources)
        self._replace_deceased = Kernel(replace_deceased, model.sources)
        self._died = model.sources["died"]
        self._queued_since = model.sources["queued_since"]
        self._queue_deaths = 0

    def step(self, model, week) -> None:
        self._life_events(week=week.clock, onset_mult=week.scenario.onset_multiplier)
        self._queue_deaths = int((self._died & (self._queued_since != codes.NEVER)).sum())
        self._replace_deceased(week=week.clock)

    def measures(self, model, week) -> dict:
        return {"queue_deaths": self._queue_deaths}
