"""The week's context every component reads: which week it is, the policy in force and the scenario's multipliers.

One meaning of ``week`` throughout the engine: weeks since the run began (it keys every random draw).
Weeks counted from the policy's start are ``policy_week`` (negative during the warm-up); the steps table
records them in its ``week`` column.  The first ``warmup_weeks`` run under the status-quo policy
(``params.warmup_policy``) with no scenario, so every policy starts from the identical town; policy week 0
is the first week of the chosen policy.  The scenario window (:func:`scenario_in_force`) and its neutral
multipliers are declared here once, and the plain-Mesa reference uses the same rule.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

# What a scenario changes while it is in force; outside its window each takes its neutral value.
SCENARIO_EFFECTS = ("onset_multiplier", "group_activity_multiplier", "mutual_aid", "helper_capacity_multiplier",
                    "group_funding_multiplier", "staff_multiplier", "visit_multiplier")
ScenarioEffects = namedtuple("ScenarioEffects", SCENARIO_EFFECTS)
NEUTRAL = ScenarioEffects(**{name: (0.0 if name == "mutual_aid" else 1.0) for name in SCENARIO_EFFECTS})


def scenario_in_force(scenario, policy_week: int) -> bool:
    """Whether ``scenario`` acts in ``policy_week``: from ``start_week`` for ``duration_weeks``."""
    return scenario.start_week <= policy_week < scenario.start_week + scenario.duration_weeks


def scenario_effects(scenario, policy_week: int) -> ScenarioEffects:
    """The scenario's multipliers in ``policy_week`` (the neutral ones outside its window)."""
    if not scenario_in_force(scenario, policy_week):
        return NEUTRAL
    return ScenarioEffects(**{name: getattr(scenario, name) for name in SCENARIO_EFFECTS})


def practice_share(policy, policy_week: int) -> float:
    """Share of the team working in the policy's practice in ``policy_week``: none before the policy, then
    rising linearly to all of it over ``policy.ramp_weeks`` (training, supervision and permission to take
    risks take time: ``herts_culture_change``, ``calderdale_3pct_assessment`` after 24 months)."""
    if policy_week < 0:
        return 0.0
    return 1.0 if policy.ramp_weeks == 0 else min(1.0, (policy_week + 1) / policy.ramp_weeks)


@dataclass(frozen=True)
class Week:
    """One week as the components see it.

    ``week`` (weeks since the run began) keys every random draw; ``policy_week`` counts from the policy
    switch (negative during the warm-up).  ``policy`` is the numba view of the policy in force (the status
    quo during the warm-up), ``review`` that of its review practice,
    ``community_first`` whether its front door works community-first, and ``practice_share`` the
    share of the team's work done in the new practice (it ramps in over ``policy.ramp_weeks``).
    """

    week: int
    policy_week: int
    policy_on: bool
    policy: tuple
    review: tuple
    community_first: bool
    practice_share: float
    scenario: ScenarioEffects

    @property
    def group_multiplier(self) -> float:
        """How active groups can be this week: the scenario's activity times its funding multiplier."""
        return self.scenario.group_activity_multiplier * self.scenario.group_funding_multiplier
