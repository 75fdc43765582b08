"""What the week cost: statutory services, the practitioner team, community building, the voluntary sector
and the change of practice.

Every cost line applies under every policy: a package costs the same whichever front door started it,
the team is paid whether or not its hours are used, and community support is never free.
"""

from __future__ import annotations

import numpy as np

from . import codes


class Costs:
    """Phase: costs the week's services, staff, builder sites, voluntary sector and transition (GBP).

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
        self._service = model.sources["service"]
        self._met_service = model.sources["met_service"]
        self._met_community = model.sources["met_community"]

    def step(self, model, week) -> None:
        """Nothing to do: costs are measured from the week's state."""

    def measures(self, model, week) -> dict:
        c, service = self._costs, self._service
        caseload = np.bincount(service, minlength=len(codes.SERVICES))
        home_care_hours = float(self._met_service[service == codes.HOME_CARE].sum())
        by_service = {
            "cost_home_care": home_care_hours * c.home_care_hour,
            "cost_day_care": caseload[codes.DAY_CARE] * c.day_care_week,
            "cost_residential": caseload[codes.RESIDENTIAL] * c.residential_week,
            "cost_shared_lives": caseload[codes.SHARED_LIVES] * c.shared_lives_week,
            "cost_reablement": caseload[codes.REABLEMENT] * c.reablement_week,
        }
        team = self._fte * c.staff_fte_year / 52
        staff = team * week.scenario.staff_multiplier
        statutory = float(sum(by_service.values()))
        community = model.builders.fte() * c.builder_site_year / 52
        voluntary = float(self._met_community.sum()) * c.community_hour
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
