"""The engine's per-step measures, each computed from the agents (names and meanings as in ``steps.parquet``,
``model/recorder.py`` and the components' ``results``)."""

from model import codes

from .agents import on_long_term

CARER_HOURS = 1.0  # help of an hour a week or more makes a carer, as the Census's lowest band counts them
CARE_BANDS = (20.0, 50.0)  # the Census 2021 bands of unpaid care: 1-19, 20-49, 50+ hours a week
HIGH_STRAIN = 0.5  # carer strain counted as high
# Need as the surveys count it (docs/evidence.md): help with an activity of daily living at half an hour a day or
# more, an unmet need for it at an hour a week met by no one (HSE); any need: an hour a week or more
ADL_HOURS, ADL_UNMET_HOURS, NEED_HOURS = 3.5, 1.0, 1.0
COSTS = ("cost_home_care", "cost_day_care", "cost_low_level", "cost_residential", "cost_nursing",
         "cost_shared_lives", "cost_reablement", "cost_statutory", "cost_staff", "cost_community",
         "cost_voluntary_sector", "cost_transition", "cost_total")
YEAR = 52  # a request by someone who made none in the year before; a long-stay client; reviewed within a year


def reporters() -> dict:
    """Mesa DataCollector model reporters, one per measure."""
    slots = lambda m: m.slots  # noqa: E731
    n = lambda m: len(m.slots)  # noqa: E731

    def need(m):
        return sum((r.need for r in m.slots), 0.0)

    def unmet(m):
        return sum((r.unmet for r in m.slots), 0.0)

    def carers(m):
        return [r for r in m.slots if r.helper_load >= CARER_HOURS]

    def clients(m):
        """The council's clients: everyone but those in a care home they pay for themselves."""
        return [r for r in m.slots if not r.self_funded]

    def caseload(service):
        return lambda m: sum(1 for r in clients(m) if r.service == service)

    def long_term(m):
        return [r for r in clients(m) if on_long_term(r.service)]

    def long_stay(m):
        return [r for r in long_term(m) if m.week - r.long_term_since >= YEAR]

    def with_carer(m):
        return [r for r in long_term(m) if r.carer is not None]

    def aged(m, lo, hi=200.0):
        return [r for r in m.slots if lo <= r.age < hi]

    def ties_active(m):
        threshold = m.params.network.active_threshold
        return sum(1 for r in m.slots for t in r.ties if t.strength >= threshold) // 2

    def alive_groups(m):
        return [g for g in m.groups if g.alive]

    def contacted(m):
        return [r for r in m.slots if r.contacted]

    return {
        "week": lambda m: m.policy_week,
        "residents": n,
        "deaths": lambda m: m.deaths,
        "contacts": lambda m: len(contacted(m)),
        "contacts_per_1000": lambda m: 1000 * len(contacted(m)) / n(m),
        "recontacts_12w": lambda m: sum(r.since_last <= 12 for r in contacted(m)),
        "recontacts_26w": lambda m: sum(r.since_last <= 26 for r in contacted(m)),
        "contacts_hospital": lambda m: sum(r.route == codes.HOSPITAL_ROUTE for r in contacted(m)),
        "contacts_new_in_year": lambda m: sum(r.since_last > YEAR for r in contacted(m)),
        **{f"outcome_{name}": (lambda k: lambda m: m.outcomes[k])(k) for k, name in enumerate(codes.OUTCOMES)},
        "contacts_served": lambda m: sum(m.outcomes),
        "mean_wait_weeks": lambda m: m.waited / sum(m.outcomes) if sum(m.outcomes) else 0.0,
        "queue_length": lambda m: sum(r.queued_since != codes.NEVER for r in slots(m)),
        "queue_deaths": lambda m: m.queue_deaths,
        "staff_hours_available": lambda m: m.staff_available,
        "staff_hours_plan_support": lambda m: m.plan_support,
        "staff_hours_used": lambda m: m.plan_support + m.transitions["hours"] + m.hours_used,
        "practice_share": lambda m: m.practice_share,
        "statutory_starts": lambda m: sum(not moved for _, _, moved in m.starts),
        "full_assessments": lambda m: (m.assessments + m.transitions["reassessments"]
                                       + m.transitions["end_assessments"]),
        "plan_reassessments": lambda m: m.transitions["reassessments"],
        "reviews_requested": lambda m: sum(r.review_requested for r in m.slots),
        "step_downs": lambda m: m.transitions["step_downs"],
        "reviews": lambda m: m.transitions["reviews"],
        "package_reductions": lambda m: m.transitions["reductions"],
        "reablement_ended": lambda m: m.transitions["reablement_ended"],
        "reablement_to_long_term": lambda m: m.transitions["reabled_to_long_term"],
        "care_home_moves": lambda m: m.transitions["moves"],
        "package_increases": lambda m: m.transitions["increases"],
        "care_home_admissions_65_plus": lambda m: m.admitted["65_plus"],
        "care_home_admissions_18_64": lambda m: m.admitted["18_64"],
        "self_funders_taken_over": lambda m: m.taken_over,
        "in_hospital": lambda m: sum(r.in_hospital for r in slots(m)),
        "groups_active": lambda m: len(alive_groups(m)),
        "group_diversity": lambda m: (sum((g.diversity for g in alive_groups(m)), 0.0) / len(alive_groups(m))
                                      if alive_groups(m) else 0.0),
        "ties_active": ties_active,
        "introductions": lambda m: m.builder_done[0] + m.connector_introductions,
        "builder_effort_fte": lambda m: float(sum(site.effort() for site in m.builders.sites)) if m.builders else 0.0,
        "connectors_recruited": lambda m: m.builder_done[1],
        "groups_seeded": lambda m: m.builder_done[2],
        "celebrations": lambda m: m.builder_done[3],
        **{name: (lambda name: lambda m: m.costs[name])(name) for name in COSTS},
        "connectors": lambda m: sum(r.contributor == codes.CONNECTOR for r in slots(m)),
        **{f"caseload_{name}": caseload(code) for code, name in enumerate(codes.SERVICES) if code},
        "caseload_long_term": lambda m: len(long_term(m)),
        "self_funded_care_home": lambda m: sum(r.self_funded for r in slots(m)),
        "home_care_hours": lambda m: sum((r.met_service for r in slots(m)
                                          if r.service == codes.HOME_CARE and not r.in_hospital), 0.0),
        "need_hours": need,
        "unmet_hours": unmet,
        "unmet_share": lambda m: unmet(m) / need(m) if need(m) > 0 else 0.0,
        "with_unmet_need": lambda m: sum(r.unmet > m.params.support.unmet_threshold for r in slots(m)),
        "isolation_rate": lambda m: sum(r.isolated for r in slots(m)) / n(m),
        "wellbeing_mean": lambda m: sum(r.wellbeing for r in slots(m)) / n(m),
        "wellbeing_p10": lambda m: sorted(r.wellbeing for r in slots(m))[n(m) // 10],
        "carers": lambda m: len(carers(m)),
        "carers_20_49h": lambda m: sum(1 for r in carers(m) if CARE_BANDS[0] <= r.helper_load < CARE_BANDS[1]),
        "carers_50h_plus": lambda m: sum(1 for r in carers(m) if r.helper_load >= CARE_BANDS[1]),
        "care_hours": lambda m: sum((r.helper_load for r in carers(m)), 0.0),
        "carer_breakdowns": lambda m: sum(1 for r in slots(m) if r.breaking),
        "carer_strain_mean": lambda m: (sum(r.strain for r in carers(m)) / len(carers(m))) if carers(m) else 0.0,
        "carers_high_strain": lambda m: sum(r.strain >= HIGH_STRAIN for r in carers(m)),
        "aware_share": lambda m: sum(r.aware for r in slots(m)) / n(m),
        "contributors": lambda m: sum(r.contributor != codes.NOT_CONTRIBUTOR for r in slots(m)),
        "group_members": lambda m: sum(r.member[0] is not None for r in slots(m)),
        "residents_65_plus": lambda m: len(aged(m, 65.0)),
        "adl_need_65_plus": lambda m: sum(r.need >= ADL_HOURS for r in aged(m, 65.0)),
        "adl_unmet_65_plus": lambda m: sum(r.need >= ADL_HOURS and r.unmet >= ADL_UNMET_HOURS for r in aged(m, 65.0)),
        "residents_65_69": lambda m: len(aged(m, 65.0, 70.0)),
        "need_65_69": lambda m: sum(r.need >= NEED_HOURS for r in aged(m, 65.0, 70.0)),
        "residents_80_plus": lambda m: len(aged(m, 80.0)),
        "need_80_plus": lambda m: sum(r.need >= NEED_HOURS for r in aged(m, 80.0)),
        "long_stay_clients": lambda m: len(long_stay(m)),
        "long_stay_reviewed": lambda m: sum(m.week - r.last_review < YEAR for r in long_stay(m)),
        "clients_with_carer": lambda m: len(with_carer(m)),
        "clients_carer_50h": lambda m: sum(r.carer.helper_load >= CARE_BANDS[1] for r in with_carer(m)),
    }
