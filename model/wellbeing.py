"""Wellbeing, isolation, carer strain and personal resources after the week's support."""

import numpy as np
from numba import njit, prange

from . import codes
from .state import Kernel
from .support import baseline_asking


@njit(parallel=True, cache=True)
def update_wellbeing(week, indptr, degree, strength, member, group_activity, service, unmet, helper_cap, helper_load,
                     strain, burnout_until, personal, asking, wellbeing, isolated, net, sup, comm, wb):
    """Isolation from active ties and groups; strain from caring; wellbeing moves toward its target."""
    for i in prange(service.shape[0]):
        active = 0
        for k in range(indptr[i], indptr[i] + degree[i]):
            if strength[k] >= net.active_threshold:
                active += 1
        in_group = (member[i, 0] >= 0 and group_activity[member[i, 0]] > 0) or (member[i, 1] >= 0 and group_activity[member[i, 1]] > 0)
        isolated[i] = active < 2 and not in_group and service[i] != codes.DAY_CARE

        load = helper_load[i] / net.helper_hours if net.helper_hours > 0 else 0.0
        strain[i] = min(1.0, max(0.0, strain[i] + net.strain_gain * load - net.strain_recovery * strain[i]))
        if strain[i] >= net.burnout_threshold and burnout_until[i] <= week:
            burnout_until[i] = week + net.burnout_weeks
            strain[i] *= 0.5

        if in_group:
            personal[i] += comm.membership_confidence * (1.0 - personal[i])
        if unmet[i] > sup.unmet_threshold:
            personal[i] -= wb.discouragement * personal[i]

        asking[i] += sup.asking_return * (baseline_asking(personal[i], sup) - asking[i])

        target = baseline_wellbeing(personal[i], wb) - wb.unmet_weight * min(1.0, unmet[i] / wb.unmet_scale)
        target += wb.group_weight * in_group - wb.isolation_weight * isolated[i] - wb.strain_weight * strain[i]
        wellbeing[i] = min(1.0, max(0.0, wellbeing[i] + wb.adjustment * (target - wellbeing[i])))


@njit(inline="always", cache=True)
def baseline_wellbeing(personal, wb):
    """Wellbeing of someone with these personal resources and no unmet need, isolation or strain."""
    return np.minimum(1.0, wb.base + wb.personal_weight * personal)


class Wellbeing:
    """Phase: isolation, carer strain and burnout, confidence, asking and wellbeing after the week's support."""

    def __init__(self, model):
        self._update_wellbeing = Kernel(update_wellbeing, model.sources)

    def step(self, model, week) -> None:
        self._update_wellbeing(week=week.clock)

    def measures(self, model, week) -> dict:
        return {}
