"""The engine's core per-step measures, each computed from the agents (names as in ``steps.parquet``)."""

from model import codes

from .agents import on_long_term


def reporters() -> dict:
    """Mesa DataCollector model reporters, one per measure."""
    slots = lambda m: m.slots  # noqa: E731
    n = lambda m: len(m.slots)  # noqa: E731

    def need(m):
        return sum(r.need for r in m.slots)

    def unmet(m):
        return sum(r.unmet for r in m.slots)

    def carers(m):
        return [r for r in m.slots if r.helper_load > 0]

    def caseload(service):
        return lambda m: sum(1 for r in m.slots if r.service == service)

    def ties_active(m):
        threshold = m.params.network.active_threshold
        return sum(1 for r in m.slots for t in r.ties if t.strength >= threshold) // 2

    def alive_groups(m):
        return [g for g in m.groups if g.alive]

    reporters = {
        "week": lambda m: m.policy_week,
        "deaths": lambda m: m.deaths,
        "contacts": lambda m: sum(r.contacted for r in slots(m)),
        "recontacts_12w": lambda m: sum(r.contacted and r.since_last <= 12 for r in slots(m)),
        "recontacts_26w": lambda m: sum(r.contacted and r.since_last <= 26 for r in slots(m)),
        **{f"outcome_{name}": (lambda k: lambda m: m.outcomes[k])(k) for k, name in enumerate(codes.OUTCOMES)},
        "contacts_served": lambda m: sum(m.outcomes),
        "queue_length": lambda m: sum(r.queued_since != codes.NEVER for r in slots(m)),
        "queue_deaths": lambda m: m.queue_deaths,
        "staff_hours_available": lambda m: m.staff_available,
        "staff_hours_plan_support": lambda m: m.plan_support,
        "staff_hours_used": lambda m: m.plan_support + m.transitions["hours"] + m.hours_used,
        "practice_share": lambda m: m.practice_share,
        "statutory_starts": lambda m: len(m.starts),
        "full_assessments": lambda m: (m.assessments + m.transitions["reassessments"]
                                       + m.transitions["end_assessments"]),
        "plan_reassessments": lambda m: m.transitions["reassessments"],
        "reviews_requested": lambda m: sum(r.review_requested for r in m.slots),
        "step_downs": lambda m: m.transitions["step_downs"],
        "reviews": lambda m: m.transitions["reviews"],
        "groups_active": lambda m: len(alive_groups(m)),
        "group_diversity": lambda m: (sum(g.diversity for g in alive_groups(m)) / len(alive_groups(m))
                                      if alive_groups(m) else 0.0),
        "ties_active": ties_active,
        "introductions": lambda m: m.builder_tally()[0] + m.connector_introductions,
        **{f"caseload_{name}": caseload(code) for code, name in enumerate(codes.SERVICES) if code},
        "caseload_long_term": lambda m: sum(1 for r in slots(m) if on_long_term(r.service)),
        "home_care_hours": lambda m: sum(r.met_service for r in slots(m) if r.service == codes.HOME_CARE),
        "need_hours": need,
        "unmet_hours": unmet,
        "unmet_share": lambda m: unmet(m) / need(m) if need(m) > 0 else 0.0,
        "with_unmet_need": lambda m: sum(r.unmet > m.params.support.unmet_threshold for r in slots(m)),
        "isolation_rate": lambda m: sum(r.isolated for r in slots(m)) / n(m),
        "wellbeing_mean": lambda m: sum(r.wellbeing for r in slots(m)) / n(m),
        "wellbeing_p10": lambda m: sorted(r.wellbeing for r in slots(m))[n(m) // 10],
        "carers": lambda m: len(carers(m)),
        "carers_20_49h": lambda m: sum(1 for r in carers(m) if 20.0 <= r.helper_load < 50.0),
        "carers_50h_plus": lambda m: sum(1 for r in carers(m) if r.helper_load >= 50.0),
        "care_hours": lambda m: sum(r.helper_load for r in carers(m)),
        "carer_breakdowns": lambda m: sum(1 for r in slots(m) if r.breaking),
        "carer_strain_mean": lambda m: (sum(r.strain for r in carers(m)) / len(carers(m))) if carers(m) else 0.0,
        "carers_high_strain": lambda m: sum(r.strain >= 0.5 for r in carers(m)),
        "aware_share": lambda m: sum(r.aware for r in slots(m)) / n(m),
        "contributors": lambda m: sum(r.contributor != codes.NOT_CONTRIBUTOR for r in slots(m)),
        "group_members": lambda m: sum(r.member[0] is not None for r in slots(m)),
    }
    return reporters
