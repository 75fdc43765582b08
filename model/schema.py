"""The results schema: every column of the steps and neighbourhoods tables, in order, declared once.

Each phase's ``measures`` and the recorder's town-wide sums fill a week's row; :func:`steps_frame`
refuses a row that has a column the schema does not declare or lacks one it does, so the table a run
writes, the store and the analysis all see these columns in this order with these types.
"""

from __future__ import annotations

from collections import namedtuple

import polars as pl

from . import codes

Column = namedtuple("Column", "name dtype unit doc")

_OUTCOME_DOCS = {
    "resolved_first_contact": "contacts resolved at the first conversation (networks and community found)",
    "signposted": "contacts signposted elsewhere (service-first: not eligible)",
    "community_plan": "contacts given a time-limited community plan",
    "reablement": "contacts starting reablement",
    "long_term_service": "contacts starting a long-term statutory package",
}
_CASELOAD_DOCS = {
    "community_plan": "people on a community plan", "reablement": "people in reablement",
    "home_care": "people receiving home care", "day_care": "people at day care",
    "residential": "people in residential care", "shared_lives": "people in a Shared Lives placement",
}
_COST_DOCS = {
    "home_care": "home care hours delivered x hourly rate", "day_care": "day-care places x weekly cost",
    "residential": "residential places x weekly cost", "shared_lives": "Shared Lives placements x weekly cost",
    "reablement": "reablement episodes x weekly cost",
}

STEPS: tuple[Column, ...] = (
    Column("week", pl.Int64, "week", "policy week (0 = the policy's first week)"),
    Column("residents", pl.Int64, "adults", "adults living in the town (constant: deaths are refilled)"),
    Column("deaths", pl.Int64, "adults", "deaths this week"),
    Column("contacts", pl.Int64, "contacts", "new contacts with the front door this week"),
    Column("contacts_per_1000", pl.Float64, "per 1,000 adults", "contacts per 1,000 adults this week"),
    Column("recontacts_12w", pl.Int64, "contacts", "contacts by someone who last called within 12 weeks"),
    Column("recontacts_26w", pl.Int64, "contacts", "contacts by someone who last called within 26 weeks"),
    *(Column(f"outcome_{name}", pl.Int64, "contacts", _OUTCOME_DOCS[name]) for name in codes.OUTCOMES),
    Column("contacts_served", pl.Int64, "contacts", "contacts taken from the queue and triaged this week"),
    Column("mean_wait_weeks", pl.Float64, "weeks", "mean wait of the contacts served this week"),
    Column("queue_length", pl.Int64, "contacts", "contacts still waiting at the end of the week"),
    Column("queue_deaths", pl.Int64, "adults", "people who died while waiting in the queue"),
    Column("staff_hours_available", pl.Float64, "hours", "front-door practitioner hours this week"),
    Column("staff_hours_plan_support", pl.Float64, "hours", "team hours spent supporting people on community plans"),
    Column("staff_hours_used", pl.Float64, "hours", "team hours spent on plan support, contacts, assessments and reviews"),
    Column("practice_share", pl.Float64, "fraction", "share of the team's work done in the policy's practice (it ramps in)"),
    Column("statutory_starts", pl.Int64, "people", "long-term packages started (front door or after reablement)"),
    Column("full_assessments", pl.Int64, "people", "full Care Act assessments (front door, or when a plan or reablement ends)"),
    Column("plan_reassessments", pl.Int64, "people", "assessments when a community plan ends with eligible need unmet"),
    Column("reviews_requested", pl.Int64, "people", "package holders whose unmet need brought their review forward"),
    Column("step_downs", pl.Int64, "people", "long-term packages ended at review"),
    Column("reviews", pl.Int64, "reviews", "reviews of long-term packages"),
    Column("groups_active", pl.Int64, "groups", "groups, clubs and venues alive"),
    Column("group_diversity", pl.Float64, "0-1", "mean age diversity of the groups alive"),
    Column("ties_active", pl.Int64, "ties", "ties at or above the active strength"),
    *(Column(f"cost_{name}", pl.Float64, "GBP", _COST_DOCS[name]) for name in _COST_DOCS),
    Column("cost_statutory", pl.Float64, "GBP", "statutory services: the five lines above"),
    Column("cost_staff", pl.Float64, "GBP", "the practitioner team (front door, plans, assessments, reviews)"),
    Column("cost_community", pl.Float64, "GBP", "community builder sites"),
    Column("cost_voluntary_sector", pl.Float64, "GBP", "grants for community support and organised mutual aid delivered"),
    Column("cost_transition", pl.Float64, "GBP", "training, supervision and double running while a new practice ramps in"),
    Column("builder_effort_fte", pl.Float64, "FTE", "builders' effort this week, weighted by ramp-up"),
    Column("introductions", pl.Int64, "ties", "introductions made by builders and connectors"),
    Column("connectors", pl.Int64, "adults", "community connectors living in the town"),
    Column("connectors_recruited", pl.Int64, "adults", "connectors recruited by builders this week"),
    Column("groups_seeded", pl.Int64, "groups", "groups founded with a small-sparks grant this week"),
    Column("celebrations", pl.Int64, "events", "celebrations held by builders this week"),
    Column("cost_total", pl.Float64, "GBP", "statutory + staff + community + voluntary sector + transition"),
    *(Column(f"caseload_{name}", pl.Int64, "people", _CASELOAD_DOCS[name]) for name in codes.SERVICES[1:]),
    Column("caseload_long_term", pl.Int64, "people", "people on a long-term package (home, day, residential, Shared Lives)"),
    Column("home_care_hours", pl.Float64, "hours", "home care hours delivered this week"),
    Column("need_hours", pl.Float64, "hours", "total need this week"),
    Column("unmet_hours", pl.Float64, "hours", "need met by nobody this week"),
    Column("unmet_share", pl.Float64, "fraction", "unmet hours / need hours"),
    Column("with_unmet_need", pl.Int64, "adults", "adults with more unmet need than support.unmet_threshold"),
    Column("isolation_rate", pl.Float64, "fraction", "adults with fewer than two active ties and no active group"),
    Column("wellbeing_mean", pl.Float64, "0-1", "mean wellbeing"),
    Column("wellbeing_p10", pl.Float64, "0-1", "wellbeing of the worst-off tenth (10th percentile)"),
    Column("carers", pl.Int64, "adults", "adults giving informal help this week"),
    Column("carers_20_49h", pl.Int64, "adults", "adults giving 20-49 hours of informal help this week (a Census 2021 band)"),
    Column("carers_50h_plus", pl.Int64, "adults", "adults giving 50 hours or more of informal help this week"),
    Column("care_hours", pl.Float64, "hours", "informal help given this week (by main carers and everyone else)"),
    Column("carer_strain_mean", pl.Float64, "0-1", "mean strain of those carers"),
    Column("carers_high_strain", pl.Int64, "adults", "carers with strain of 0.5 or more"),
    Column("carer_breakdowns", pl.Int64, "adults", "carers who burnt out this week (those they cared for have a crisis)"),
    Column("aware_share", pl.Float64, "fraction", "adults aware of local community activity"),
    Column("contributors", pl.Int64, "adults", "volunteers and connectors"),
    Column("group_members", pl.Int64, "adults", "adults in at least one group"),
)

NEIGHBOURHOODS: tuple[Column, ...] = (
    Column("week", pl.Int32, "week", "last policy week of the period"),
    Column("neighbourhood", pl.Int32, "", "neighbourhood index"),
    Column("deprivation", pl.Float64, "0-1", "deprivation index"),
    Column("residents", pl.Int32, "adults", "adults living there"),
    Column("contacts_per_1000", pl.Float64, "per 1,000 adults", "contacts over the period per 1,000 adults"),
    Column("unmet_share", pl.Float64, "fraction", "unmet hours / need hours in the period's last week"),
    Column("isolation_rate", pl.Float64, "fraction", "isolated adults in the period's last week"),
    Column("wellbeing_mean", pl.Float64, "0-1", "mean wellbeing in the period's last week"),
    Column("caseload_long_term", pl.Int32, "people", "people on a long-term package"),
    Column("groups_active", pl.Int32, "groups", "groups alive"),
)


def _schema(columns: tuple[Column, ...]) -> dict[str, pl.DataType]:
    return {c.name: c.dtype for c in columns}


def steps_frame(rows: list[dict]) -> pl.DataFrame:
    """The steps table from one dict per week, columns in schema order and type."""
    names = [c.name for c in STEPS]
    for row in rows[:1]:
        if row.keys() != set(names):
            raise ValueError(f"steps row does not match the schema: extra {sorted(row.keys() - set(names))}, "
                             f"missing {sorted(set(names) - row.keys())}")
    return pl.DataFrame({name: [row[name] for row in rows] for name in names}, schema=_schema(STEPS))


def neighbourhoods_frame(columns: dict) -> pl.DataFrame:
    """One period's neighbourhood rows from a dict of arrays, in schema order and type."""
    if columns.keys() != {c.name for c in NEIGHBOURHOODS}:
        raise ValueError(f"neighbourhood columns do not match the schema: {sorted(columns)}")
    return pl.DataFrame({c.name: columns[c.name] for c in NEIGHBOURHOODS}, schema=_schema(NEIGHBOURHOODS))
