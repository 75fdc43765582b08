"""What the week cost: statutory services, the front-door team and practitioner support, community building.

Every cost line applies under every policy: a package costs the same whichever front door started it,
and the team is paid whether or not its hours are used.
"""

from __future__ import annotations

import numpy as np

from . import codes


class Costs:
    """Phase: costs the week's services, staff and builder sites (``params.costs``, GBP).

    Home care is paid by the hour delivered; day care, residential care, Shared Lives and reablement
    by the week per person.  Staff cost the team's FTE (times the scenario's staff multiplier) plus
    practitioner hours spent supporting people on community plans.  Community building costs each
    builder site in post.
    """

    def __init__(self, model):
        self._costs = model.params.costs
        self._fte = model.params.policy.staff_fte_per_10k * model.state.residents.n / 10_000
        self._staff_cost_hour = self._costs.staff_fte_year / 52 / model.params.policy.productive_hours
        self._service = model.sources["service"]
        self._met_service = model.sources["met_service"]

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
        plan_hours = float(self._met_service[service == codes.COMMUNITY_PLAN].sum())
        staff = self._fte * week.scenario.staff_multiplier * c.staff_fte_year / 52 + plan_hours * self._staff_cost_hour
        statutory = float(sum(by_service.values()))
        community = model.builders.fte() * c.builder_site_year / 52
        return {
            **{name: float(cost) for name, cost in by_service.items()},
            "cost_statutory": statutory,
            "cost_staff": staff,
            "cost_community": community,
            "cost_total": statutory + staff + community,
        }
