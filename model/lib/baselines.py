"""Where a resident's asking and wellbeing rest when nothing moves them, and how likely they are to have assets:
read by the population builder, by an in-migrant's arrival and by the weekly return of asking towards its
baseline."""

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
