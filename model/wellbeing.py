"""Carer strain, burnout and breakdown, isolation, and wellbeing and personal resources after the week's support.

Strain is driven by the hours a carer gives against the hours a week that would keep it at its maximum
(``network.strain_hours``), not by a capacity that strain itself shrinks: with ``strain_gain`` equal to
``strain_recovery`` it settles at ``hours / strain_hours``, so a carer giving more than
``burnout_threshold x strain_hours`` a week for months burns out (``barclay_breakdown``).  A carer who
burns out breaks down: they stop caring at once, and each person they were the main carer of loses this
week's care and has a crisis, which brings them to the front door by the ordinary crisis route
(``support.crisis_contact``; ``barclay_fragile``, ``barclay_referrals``).
"""

import numpy as np
from numba import njit, prange

from . import codes
from .state import Kernel
from .support import baseline_asking


@njit(parallel=True, cache=True)
def update_strain(week, helper_load, strain, burnout_until, net, breaking):
    """Strain rises with the hours given this week and recovers; at ``burnout_threshold`` the carer burns out
    for ``burnout_weeks`` (``breaking`` marks who burns out this week)."""
    for i in prange(helper_load.shape[0]):
        strain[i] = min(1.0, max(0.0, strain[i] + net.strain_gain * helper_load[i] / net.strain_hours
                                 - net.strain_recovery * strain[i]))
        breaking[i] = strain[i] >= net.burnout_threshold and burnout_until[i] <= week
        if breaking[i]:
            burnout_until[i] = week + net.burnout_weeks
            strain[i] *= 0.5


@njit(parallel=True, cache=True)
def carer_breakdowns(carer, care_received, breaking, crisis, met_network, unmet, helper_cap, helper_load, indptr,
                     degree, other):
    """A carer who burns out stops at once: each person they were the main carer of loses this week's care from
    them (back to unmet need) and has a crisis; the carer's load drops by that care and they have no time to
    spare this week.

    Each person has one main carer, so the first loop writes only its own resident; the second only its
    carer, who takes back the care in the order of their ties.
    """
    for i in prange(carer.shape[0]):
        c = carer[i]
        if c >= 0 and breaking[c]:
            met_network[i] = max(0.0, met_network[i] - care_received[i])
            unmet[i] += care_received[i]
            crisis[i] = True
    for c in prange(carer.shape[0]):
        if breaking[c]:
            withdrawn = 0.0
            for k in range(indptr[c], indptr[c] + degree[c]):
                j = other[k]
                if carer[j] == c:
                    withdrawn += care_received[j]
            left = helper_load[c] - withdrawn
            helper_load[c] = left if left > 1e-9 else 0.0
            helper_cap[c] = helper_load[c]


@njit(inline="always", cache=True)
def belongs(i, member, group_activity, comm):
    """Whether ``i`` belongs to a group that meets: a member of one at least ``comm.belonging_activity`` active
    (a paused group does not count)."""
    for slot in range(2):
        g = member[i, slot]
        if g >= 0 and group_activity[g] >= comm.belonging_activity:
            return True
    return False


@njit(parallel=True, cache=True)
def update_wellbeing(active, member, group_activity, service, unmet, strain, personal, asking, wellbeing, isolated, sup,
                     comm, wb):
    """Isolation from active ties (``Ties.active``) and groups that meet; wellbeing moves toward its target."""
    for i in prange(service.shape[0]):
        in_group = belongs(i, member, group_activity, comm)
        isolated[i] = active[i] < 2 and not in_group and service[i] != codes.DAY_CARE

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
    """Phase: carer strain, burnout and breakdown; isolation, confidence, asking and wellbeing after the week's support.

    Owns who burns out this week (``breaking``).  Measures ``carer_breakdowns``: carers who burnt out this week.
    """

    def __init__(self, model):
        self.breaking = np.zeros(model.state.residents.n, dtype=np.bool_)
        sources = {**model.sources, "breaking": self.breaking}
        self._update_strain = Kernel(update_strain, sources)
        self._carer_breakdowns = Kernel(carer_breakdowns, sources)
        self._update_wellbeing = Kernel(update_wellbeing, sources)

    def step(self, model, week) -> None:
        self._update_strain(week=week.clock)
        self._carer_breakdowns()
        self._update_wellbeing()

    def measures(self, model, week) -> dict:
        return {"carer_breakdowns": int(model.recorder.totals["carer_breakdowns"])}
