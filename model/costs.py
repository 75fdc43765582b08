"""What the week cost: statutory services, the practitioner team, community building, the voluntary sector
and the change of practice.

Every cost line applies under every policy: a package costs the same whichever front door started it,
the team is paid whether or not its hours are used, and community support is never free.
"""

from __future__ import annotations


class Costs:
    """Phase: costs the week's services, staff, builder sites, voluntary sector and transition (GBP), from the
    week's caseloads and hours of home care and community support (``model.recorder.totals``).

    Home care is paid by the hour delivered; day care, residential care, Shared Lives and reablement
    by the week per person.  Staff cost the team's FTE (times the scenario's staff multiplier); the
    support practitioners give people on community plans is the team's time, so it is in that cost.
    Community building costs each builder site in post.  The voluntary sector is paid
    ``costs.community_hour`` for every hour of community support and organised mutual aid delivered.
    While a new practice ramps in (``policy.ramp_weeks``) training, supervision and double running
    cost ``policy.transition_share`` of the team's cost, whenever the policy's practice (front door or
    review) differs from the status quo's.
    """

    def __init__(self, model):
        policy, status_quo = model.params.policy, model.params.warmup_policy
        self._costs = model.params.costs
        self._fte = policy.staff_fte_per_10k * model.state.residents.n / 10_000
        changes = (policy.mode, policy.review.name) != (status_quo.mode, status_quo.review.name)
        self._transition_share = policy.transition_share if changes else 0.0

    def step(self, model, week) -> None:
        """Nothing to do: costs are measured from the week's state."""

    def measures(self, model, week) -> dict:
        c, totals = self._costs, model.recorder.totals
        by_service = {
            "cost_home_care": totals["home_care_hours"] * c.home_care_hour,
            "cost_day_care": totals["caseload_day_care"] * c.day_care_week,
            "cost_residential": totals["caseload_residential"] * c.residential_week,
            "cost_shared_lives": totals["caseload_shared_lives"] * c.shared_lives_week,
            "cost_reablement": totals["caseload_reablement"] * c.reablement_week,
        }
        team = self._fte * c.staff_fte_year / 52
        staff = team * week.scenario.staff_multiplier
        statutory = float(sum(by_service.values()))
        community = model.builders.fte() * c.builder_site_year / 52
        voluntary = totals["community_hours"] * c.community_hour
        transition = team * self._transition_share if week.practice_share < 1.0 else 0.0
        return {
            **{name: float(cost) for name, cost in by_service.items()},
            "cost_statutory": statutory,
            "cost_staff": staff,
            "cost_community": community,
            "cost_voluntary_sector": voluntary,
            "cost_transition": transition,
            "cost_total": statutory + staff + community + voluntary + transition,
        }
