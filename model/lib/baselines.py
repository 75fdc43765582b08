"""Who a resident is when they join the town, and where their asking and wellbeing rest when nothing moves them:
their age and chronic need (from the town's own age structure, so in-migrants keep it), how likely they are to
have assets; read by the population builder, by an in-migrant's arrival and by the weekly return of asking towards
its baseline.  The builder and an arrival take the same rule from their own draws (uniforms in [0, 1))."""

import numpy as np
from numba import njit


@njit(inline="always", cache=True)
def baseline_asking(personal, support_pars):
    """Share of their remaining need someone with these personal resources asks of their network."""
    return np.minimum(1.0, support_pars.asking_base + support_pars.asking_personal * personal)


@njit(inline="always", cache=True)
def wealth_share(population_pars, deprivation):
    """Chance that an adult in a neighbourhood of this ``deprivation`` has assets above the upper capital limit
    (and would pay for a care home themselves): ``wealth_share`` at none, less as deprivation rises."""
    return population_pars.wealth_share * (1.0 - population_pars.wealth_deprivation_effect * deprivation)


@njit(inline="always", cache=True)
def baseline_wellbeing(personal, wellbeing_pars):
    """Wellbeing of someone with these personal resources and no unmet need, isolation or strain."""
    return np.minimum(1.0, wellbeing_pars.base + wellbeing_pars.personal_weight * personal)


@njit(cache=True)
def age_from_draws(band, within, share_65_84, share_85_plus):
    """An adult's age from two uniforms: the band (85 and over with chance ``share_85_plus``, 65-84 with chance
    ``share_65_84``, else 18-64), then the age within it (uniform, or 85 plus an exponential of mean 4 years up
    to 104.9)."""
    if band >= 1.0 - share_85_plus:
        return 85.0 + min(-4.0 * np.log(1.0 - within), 19.9)
    if band < share_65_84:
        return 65.0 + 20.0 * within
    return 18.0 + 47.0 * within


@njit(cache=True)
def starting_need(has, heavy, size, age, deprivation, deprivation_mean, needs_pars):
    """Chronic need of someone of this ``age`` joining the town, from three uniforms: whether they have any (a
    prevalence rising with age as the onset hazard does, ``needs.initial_need_share_85`` at 87, and with their
    neighbourhood's deprivation above the town's mean), whether it is a heavy condition (``needs.heavy_share``:
    :func:`onset_size`), and its size (a light one exponential of mean twice ``needs.onset_mean_hours``: light
    needs accumulate over the years), up to ``needs.max_need_hours``."""
    prevalence = needs_pars.initial_need_share_85 * needs_pars.onset_age_factor ** ((age - 87.0) / 10.0)
    prevalence *= 1.0 + 0.5 * needs_pars.onset_deprivation * (deprivation - deprivation_mean)
    if has >= prevalence:
        return 0.0
    if heavy < needs_pars.heavy_share:
        return min(onset_size(heavy, size, needs_pars), needs_pars.max_need_hours)
    return min(-2.0 * needs_pars.onset_mean_hours * np.log(1.0 - size), needs_pars.max_need_hours)


@njit(cache=True)
def onset_size(heavy, size, needs_pars):
    """Hours of need an onset adds, from two uniforms: a heavy condition (dementia, a stroke, severe frailty) with
    chance ``needs.heavy_share``, needing care and supervision of between half and one and a half times
    ``needs.heavy_mean_hours`` (uniform: a heavy condition is never light, so heavy needs gather at the Census's
    top band of care, ``census_care_bands``); else a light one, exponential of mean ``needs.onset_mean_hours``."""
    if heavy < needs_pars.heavy_share:
        return needs_pars.heavy_mean_hours * (0.5 + size)
    return -needs_pars.onset_mean_hours * np.log(1.0 - size)
