"""Life events: ageing, mortality, need onset, acute episodes, recovery and deterioration.

All draws come from the LIFE stream keyed by (week, resident), so the same seed
gives the same life-event draws under every policy (common random numbers).
Deaths are refilled in place by in-migrants, keeping the population constant.
"""

import numpy as np
from numba import njit, prange

from . import codes
from .rng import LIFE, exponential, uniform
from .ties import add_tie, remove_all_ties
from .support import baseline_asking
from .wellbeing import baseline_wellbeing

# Draw indices within the LIFE stream
_DEATH, _ONSET, _ONSET_SIZE, _ACUTE, _ACUTE_SIZE = 0, 1, 2, 3, 4
_MIGRANT_AGE, _MIGRANT_PERSONAL, _MIGRANT_CONTRIB, _MIGRANT_AWARE, _MIGRANT_INTEREST = 5, 6, 7, 8, 9


@njit(parallel=True, cache=True)
def life_events(key, week, age, hood, deprivation, chronic, acute, unmet, isolated, died, crisis, onsets, needs, onset_mult):
    """Advance every resident one week of life; flags deaths and acute crises."""
    for i in prange(age.shape[0]):
        age[i] += 1.0 / 52.0
        need = chronic[i] + acute[i]
        annual = np.exp(needs.mortality_log_base + needs.mortality_age_slope * age[i]) * (1.0 + needs.mortality_need_effect * need)
        weekly = 1.0 - (1.0 - min(annual, 1.0)) ** (1.0 / 52.0)
        died[i] = uniform(key, LIFE, week, i, _DEATH) < weekly

        acute[i] *= 1.0 - needs.acute_recovery
        chronic[i] = chronic[i] * (1.0 - needs.chronic_recovery) + needs.deterioration * unmet[i]

        frailty = needs.onset_age_factor ** ((age[i] - 75.0) / 10.0) * (1.0 + needs.onset_deprivation * deprivation[hood[i]])
        onset = needs.onset_weekly * frailty * (1.0 + needs.onset_isolation * isolated[i]) * onset_mult
        if uniform(key, LIFE, week, i, _ONSET) < onset:
            chronic[i] += exponential(key, LIFE, week, i, _ONSET_SIZE, needs.onset_mean_hours)
            onsets[i] += 1
        crisis[i] = uniform(key, LIFE, week, i, _ACUTE) < needs.acute_weekly * frailty
        if crisis[i]:
            acute[i] += exponential(key, LIFE, week, i, _ACUTE_SIZE, needs.acute_mean_hours)
        total = chronic[i] + acute[i]
        if total > needs.max_need_hours:
            scale = needs.max_need_hours / total
            chronic[i] *= scale
            acute[i] *= scale


@njit(cache=True)
def replace_deceased(key, week, r_died, r_age, r_hood, r_household, r_interests, r_chronic, r_acute, r_personal,
                     r_wellbeing, r_strain, r_burnout, r_dependency, r_service, r_service_hours, r_service_until,
                     r_next_review, r_member, r_contributor, r_aware, r_asking, r_weeks_unmet, r_queued, r_last_contact,
                     r_contacts, indptr, degree, other, strength, kind, deprivation, needs, pop, n_interests,
                     bereavement, wb, sup):
    """Refill each dead resident's slot with an adult moving in; ties of the dead are lost.

    The people tied to someone who died lose wellbeing (bereavement).  The
    in-migrant joins the same household and gets its household ties back.
    """
    n = r_age.shape[0]
    for i in range(n):
        if not r_died[i]:
            continue
        for k in range(indptr[i], indptr[i] + degree[i]):
            j = other[k]
            r_wellbeing[j] = max(0.0, r_wellbeing[j] - bereavement * strength[k])
        remove_all_ties(indptr, degree, other, strength, kind, i)

        r_age[i] = min(18.0 + exponential(key, LIFE, week, i, _MIGRANT_AGE, needs.migrant_age_mean), 95.0)
        mean_p = pop.personal_resources_mean - pop.personal_deprivation_effect * deprivation[r_hood[i]]
        r_personal[i] = min(0.98, max(0.02, mean_p + 0.4 * (uniform(key, LIFE, week, i, _MIGRANT_PERSONAL) - 0.5)))
        r_wellbeing[i] = baseline_wellbeing(r_personal[i], wb)
        r_asking[i] = baseline_asking(r_personal[i], sup)
        a = np.uint32(uniform(key, LIFE, week, i, _MIGRANT_INTEREST) * n_interests)
        b = np.uint32(uniform(key, LIFE, week, i, _MIGRANT_INTEREST + 1) * n_interests)
        r_interests[i] = (np.uint32(1) << a) | (np.uint32(1) << b)
        r_chronic[i] = 0.0
        r_acute[i] = 0.0
        r_strain[i] = 0.0
        r_burnout[i] = codes.NEVER
        r_dependency[i] = 0.0
        r_service[i] = codes.NO_SERVICE
        r_service_hours[i] = 0.0
        r_service_until[i] = codes.NEVER
        r_next_review[i] = codes.NEVER
        r_member[i, 0] = -1
        r_member[i, 1] = -1
        is_contributor = uniform(key, LIFE, week, i, _MIGRANT_CONTRIB) < pop.contributor_share
        r_contributor[i] = codes.VOLUNTEER if is_contributor else codes.NOT_CONTRIBUTOR
        r_aware[i] = is_contributor or uniform(key, LIFE, week, i, _MIGRANT_AWARE) < pop.awareness
        r_weeks_unmet[i] = 0
        r_queued[i] = codes.NEVER
        r_last_contact[i] = codes.NEVER
        r_contacts[i] = 0
        # Households are contiguous: the in-migrant rejoins their housemates.
        for j in range(max(0, i - 8), min(n, i + 9)):
            if j != i and r_household[j] == r_household[i]:
                add_tie(indptr, degree, other, strength, kind, i, j, 0.9, codes.HOUSEHOLD)
