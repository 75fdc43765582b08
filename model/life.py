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


_MAX_TABLE_AGE = 160  # years covered by the age-factor bound table; older residents take the exact path


@njit(cache=True)
def _age_factor_bounds(onset_age_factor):
    """``bound[a]`` >= ``onset_age_factor ** ((age - 75) / 10)`` for every age in ``[a, a + 1)``.

    The factor rises with age (``onset_age_factor >= 1``), so its value at ``a + 1``, raised by a
    margin far above rounding error, bounds it over the whole year.
    """
    bound = np.empty(_MAX_TABLE_AGE)
    for a in range(_MAX_TABLE_AGE):
        bound[a] = onset_age_factor ** ((a + 1 - 75.0) / 10.0) * (1.0 + 1e-9)
    return bound


@njit(parallel=True, cache=True)
def life_events(key, week, age, hood, deprivation, chronic, acute, unmet, isolated, died, crisis, onsets, needs, onset_mult):
    """Advance every resident one week of life; flags deaths and acute crises.

    Each hazard is compared with its uniform draw.  The costly powers are computed only when the
    draw falls below a cheap upper bound of the hazard (the annual death rate bounds the weekly
    one; a table bounds the age factor), which changes no outcome: a draw above the bound is above
    the hazard too.
    """
    bound = _age_factor_bounds(needs.onset_age_factor)
    for i in prange(age.shape[0]):
        age[i] += 1.0 / 52.0
        need = chronic[i] + acute[i]
        annual = np.exp(needs.mortality_log_base + needs.mortality_age_slope * age[i]) * (1.0 + needs.mortality_need_effect * need)
        u = uniform(key, LIFE, week, i, _DEATH)
        died[i] = u < annual and u < 1.0 - (1.0 - min(annual, 1.0)) ** (1.0 / 52.0)

        acute[i] *= 1.0 - needs.acute_recovery
        chronic[i] = chronic[i] * (1.0 - needs.chronic_recovery) + needs.deterioration * unmet[i]

        u_onset = uniform(key, LIFE, week, i, _ONSET)
        u_acute = uniform(key, LIFE, week, i, _ACUTE)
        deprived = 1.0 + needs.onset_deprivation * deprivation[hood[i]]
        whole_years = np.int64(age[i])
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
            chronic[i] += exponential(key, LIFE, week, i, _ONSET_SIZE, needs.onset_mean_hours)
            onsets[i] += 1
        crisis[i] = u_acute < needs.acute_weekly * frailty
        if crisis[i]:
            acute[i] += exponential(key, LIFE, week, i, _ACUTE_SIZE, needs.acute_mean_hours)
        _cap_need(i, chronic, acute, needs.max_need_hours)


@njit(inline="always", cache=True)
def _cap_need(i, chronic, acute, max_need_hours):
    total = chronic[i] + acute[i]
    if total > max_need_hours:
        scale = max_need_hours / total
        chronic[i] *= scale
        acute[i] *= scale


@njit(cache=True)
def replace_deceased(key, week, r_died, r_age, r_hood, r_household, r_interests, r_chronic, r_acute, r_personal,
                     r_wellbeing, r_strain, r_burnout, r_dependency, r_service, r_service_hours, r_service_until,
                     r_next_review, r_member, r_contributor, r_aware, r_asking, r_weeks_unmet, r_queued, r_last_contact,
                     r_contacts, support_record, indptr, degree, other, strength, kind, deprivation, needs, pop,
                     n_interests, bereavement, wb, sup):
    """Refill each dead resident's slot with an adult moving in; ties of the dead are lost.

    The people tied to someone who died lose wellbeing (bereavement).  The
    in-migrant joins the same household and gets its household ties back, and
    starts with no record of last week's support (``support_record``: the need,
    met and unmet hours arrays, read by this week's reciprocity before support
    is worked out again).
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
        for record in support_record:
            record[i] = 0.0
        # Households are contiguous: the in-migrant rejoins their housemates.
        for j in range(max(0, i - 8), min(n, i + 9)):
            if j != i and r_household[j] == r_household[i]:
                add_tie(indptr, degree, other, strength, kind, i, j, 0.9, codes.HOUSEHOLD)
