"""Carer strain, burnout and breakdown, isolation, and wellbeing and personal resources after the week's support.

Strain is driven by the hours a carer gives against the hours a week that would keep it at its maximum
(``network.strain_hours``), not by a capacity that strain itself shrinks: with ``strain_gain`` equal to
``strain_recovery`` it settles at ``hours / strain_hours``.  A strained carer may break down in any week, with a
chance rising with the square of their strain (``network.breakdown_weekly`` at full strain): the risk rises
progressively with the hours of care (``hirst_hours_distress``), so most carers giving 50 hours or more keep
going for years, as the Census counts them (``census_care_bands``), and some break down (``barclay_breakdown``).
A carer who breaks down stops caring at once, and each person they were the main carer of loses this week's
care and has a crisis, which brings them to the front door by the ordinary crisis route
(``support.crisis_contact``; ``barclay_fragile``, ``barclay_referrals``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .. import codes
from ..component import Component
from ..draws import CARER_BREAKDOWN
from ..lib.baselines import baseline_asking, baseline_wellbeing
from ..params import p
from ..rng import LIFE, uniform_at, week_key
from ..schema import Column
from ..state import PER_RESIDENT, RESIDENTS, Array, Keep, Kernel, SetBy


@dataclass(frozen=True)
class WellbeingPars:
    """Wellbeing moves weekly toward a target set by resources, unmet need, isolation and strain."""

    base: float = p(0.0, 1.0, "0-1", "target wellbeing with no personal resources and no problems")
    personal_weight: float = p(0.0, 1.0, "0-1", "target gained at full personal resources")
    unmet_weight: float = p(0.0, 1.0, "0-1", "target lost at or above unmet_scale hours of unmet need")
    unmet_scale: float = p(0.1, 168.0, "hours/week", "unmet need at which the unmet penalty is full")
    isolation_weight: float = p(0.0, 1.0, "0-1", "target lost when isolated")
    strain_weight: float = p(0.0, 1.0, "0-1", "target lost at full carer strain")
    group_weight: float = p(0.0, 1.0, "0-1", "target gained by belonging to an active group")
    adjustment: float = p(0.0, 1.0, "per week", "share of the gap to target closed weekly")
    discouragement: float = p(0.0, 1.0, "per week", "personal resources lost in a week of unmet need")


@njit(parallel=True, cache=True)
def update_strain(key, week, helper_load, strain, burnout_until, network_pars, breaking):
    """Strain rises with the hours given this week and recovers; a carer breaks down with chance
    ``breakdown_weekly x strain**2`` (a draw of the LIFE stream: a carer's breakdown is an event of their life,
    the same under every policy for the same strain) and withdraws for ``burnout_weeks`` (``breaking`` marks
    who breaks down this week)."""
    life = week_key(key, LIFE, week)
    for i in prange(helper_load.shape[0]):
        strain[i] = min(1.0, max(0.0, strain[i] + network_pars.strain_gain * helper_load[i] / network_pars.strain_hours
                                 - network_pars.strain_recovery * strain[i]))
        breaking[i] = False
        if strain[i] > 0.0 and burnout_until[i] <= week:
            breaking[i] = uniform_at(life, i, CARER_BREAKDOWN) < network_pars.breakdown_weekly * strain[i] * strain[i]
        if breaking[i]:
            burnout_until[i] = week + network_pars.burnout_weeks
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
def belongs(i, member, group_activity, community_pars):
    """Whether ``i`` belongs to a group that meets: a member of one at least ``community_pars.belonging_activity`` active
    (a paused group does not count)."""
    for slot in range(2):
        g = member[i, slot]
        if g >= 0 and group_activity[g] >= community_pars.belonging_activity:
            return True
    return False


@njit(parallel=True, cache=True)
def update_wellbeing(active, member, group_activity, service, unmet, strain, personal, asking, wellbeing, isolated, support_pars,
                     community_pars, wellbeing_pars):
    """Isolation from active ties (``Ties.active``) and groups that meet; wellbeing moves toward its target."""
    for i in prange(service.shape[0]):
        in_group = belongs(i, member, group_activity, community_pars)
        isolated[i] = active[i] < 2 and not in_group and service[i] != codes.DAY_CARE

        if in_group:
            personal[i] += community_pars.membership_confidence * (1.0 - personal[i])
        if unmet[i] > support_pars.unmet_threshold:
            personal[i] -= wellbeing_pars.discouragement * personal[i]

        asking[i] += support_pars.asking_return * (baseline_asking(personal[i], support_pars) - asking[i])

        target = baseline_wellbeing(personal[i], wellbeing_pars) - wellbeing_pars.unmet_weight * min(1.0, unmet[i] / wellbeing_pars.unmet_scale)
        target += wellbeing_pars.group_weight * in_group - wellbeing_pars.isolation_weight * isolated[i] - wellbeing_pars.strain_weight * strain[i]
        wellbeing[i] = min(1.0, max(0.0, wellbeing[i] + wellbeing_pars.adjustment * (target - wellbeing[i])))


class Wellbeing(Component):
    """Phase: carer strain, burnout and breakdown; isolation, confidence, asking and wellbeing after the week's support.

    Owns wellbeing, carers' strain and burn-out, isolation, and who burns out this week (``breaking``).
    Measures ``carer_breakdowns``: carers who burnt out this week.
    """

    name = "wellbeing"
    Pars = WellbeingPars
    arrays = (
        Array(RESIDENTS, "wellbeing", np.float64, PER_RESIDENT, "0-1", "wellbeing", start=None,
              arrival=SetBy("life", "the baseline of the in-migrant's personal resources, set in slot order "
                                    "with bereavement (life.arrive)")),
        Array(RESIDENTS, "strain", np.float64, PER_RESIDENT, "0-1", "carer strain", arrival=0.0),
        Array(RESIDENTS, "burnout_until", np.int32, PER_RESIDENT, "week", "week a carer who broke down returns",
              start=codes.NEVER, arrival=codes.NEVER),
        Array(RESIDENTS, "isolated", np.bool_, PER_RESIDENT, "", "fewer than two active ties and no group that "
              "meets", start=False, arrival=Keep("wellbeing sets it for everyone later this week, "
                                                 "before anything reads it")),
        Array(RESIDENTS, "breaking", np.bool_, PER_RESIDENT, "", "carers who break down this week", carried=False),
    )
    results = (Column("carer_breakdowns", "int", "adults",
                      "carers who broke down this week (those they cared for have a crisis)"),)

    def __init__(self, model):
        self._update_strain = Kernel(update_strain, model.sources)
        self._carer_breakdowns = Kernel(carer_breakdowns, model.sources)
        self._update_wellbeing = Kernel(update_wellbeing, model.sources)

    def step(self, model, week) -> None:
        self._update_strain(week=week.week)
        self._carer_breakdowns()
        self._update_wellbeing()

    def measures(self, model, week) -> dict:
        return {"carer_breakdowns": int(model.recorder.totals.carer_breakdowns)}
