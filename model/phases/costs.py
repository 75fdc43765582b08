"""What the week cost: statutory services, the practitioner team, the voluntary sector and the change of practice.

Every cost line applies under every policy: a package costs the same whichever front door started it, the
team is paid whether or not its hours are used, and community support is never free.  A programme costs
its own line (``cost`` columns it declares); ``cost_total`` is every component's cost lines summed
(``model/schema.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..component import Component
from ..params import p
from ..schema import Column


@dataclass(frozen=True)
class CostsPars:
    """Unit costs in GBP (2024 prices); sources in configs/config.yaml."""

    home_care_hour: float = p(0.0, 1000.0, "GBP/hour")
    day_care_week: float = p(0.0, 10000.0, "GBP/week")
    residential_week: float = p(0.0, 20000.0, "GBP/week")
    nursing_week: float = p(0.0, 20000.0, "GBP/week")
    low_level_week: float = p(0.0, 1000.0, "GBP/week", "ongoing low-level support: equipment, telecare, minor "
                              "adaptations, per person a week")
    shared_lives_week: float = p(0.0, 20000.0, "GBP/week")
    reablement_week: float = p(0.0, 10000.0, "GBP/week")
    staff_fte_year: float = p(0.0, 1e6, "GBP/FTE-year")
    community_hour: float = p(0.0, 100.0, "GBP/hour", "council grants to the voluntary sector per hour of community "
                              "support and organised mutual aid delivered")


_SERVICE_DOCS = {
    "home_care": "home care hours delivered x hourly rate", "day_care": "day-care places x weekly cost",
    "low_level": "people with ongoing low-level support x weekly cost",
    "residential": "council-funded residential places x weekly cost",
    "nursing": "council-funded nursing places x weekly cost",
    "shared_lives": "Shared Lives placements x weekly cost", "reablement": "reablement episodes x weekly cost",
}


class Costs(Component):
    """Phase: costs the week's services, staff, voluntary sector and transition (GBP), from the week's caseloads
    and hours of home care and community support (the recorder's sums).

    Home care is paid by the hour delivered; day care, residential care, Shared Lives and reablement by the
    week per person.  Staff cost the team's FTE (times the scenario's staff multiplier); the support
    practitioners give people on community plans is the team's time, so it is in that cost.  The voluntary
    sector is paid ``costs.community_hour`` for every hour of community support and organised mutual aid
    delivered.  While a new practice ramps in (``policy.ramp_weeks``) training, supervision and double running
    cost ``policy.transition_share`` of the team's cost, whenever the policy's practice (front door or review)
    differs from the status quo's.
    """

    name = "costs"
    Pars = CostsPars
    results = (
        *(Column(f"cost_{name}", "float", "GBP", doc, cost=True) for name, doc in _SERVICE_DOCS.items()),
        Column("cost_statutory", "float", "GBP", "statutory services: the lines above"),
        Column("cost_staff", "float", "GBP", "the practitioner team (front door, plans, assessments, reviews)", cost=True),
        Column("cost_voluntary_sector", "float", "GBP",
               "grants for community support and organised mutual aid delivered", cost=True),
        Column("cost_transition", "float", "GBP",
               "training, supervision and double running while a new practice ramps in", cost=True),
    )

    def __init__(self, model):
        policy, status_quo = model.params.policy, model.params.warmup_policy
        self._costs = model.params.costs
        self._fte = policy.staff_fte_per_10k * model.state.residents.n / 10_000
        changes = (policy.mode, policy.review.name) != (status_quo.mode, status_quo.review.name)
        self._transition_share = policy.transition_share if changes else 0.0

    def measures(self, model, week) -> dict:
        c, totals = self._costs, model.recorder.totals
        by_service = {
            "cost_home_care": totals.home_care_hours * c.home_care_hour,
            "cost_day_care": totals.caseload_day_care * c.day_care_week,
            "cost_low_level": totals.caseload_low_level * c.low_level_week,
            "cost_residential": totals.caseload_residential * c.residential_week,
            "cost_nursing": totals.caseload_nursing * c.nursing_week,
            "cost_shared_lives": totals.caseload_shared_lives * c.shared_lives_week,
            "cost_reablement": totals.caseload_reablement * c.reablement_week,
        }
        team = self._fte * c.staff_fte_year / 52
        return {
            **{name: float(cost) for name, cost in by_service.items()},
            "cost_statutory": float(sum(by_service.values())),
            "cost_staff": team * week.scenario.staff_multiplier,
            "cost_voluntary_sector": totals.community_hours * c.community_hour,
            "cost_transition": team * self._transition_share if week.practice_share < 1.0 else 0.0,
        }
