"""The results schema: the columns of the steps and neighbourhoods tables, and the one order they are written in.

Each component declares its own steps-table columns (``results``, :class:`Column`) and fills them in its
``measures``; the recorder declares the sums over residents it fills.  :func:`steps_columns` assembles the
table from those declarations: the columns in :data:`LAYOUT` order (the order the table has always had),
then any column a component declares that the layout does not name, in component order, so a new component
adds its columns by declaring them.  ``cost_total`` is the contract's own column: every column declared
``cost=True`` summed, in table order.  :func:`steps_frame` refuses a row that has a column the table does
not declare or lacks one it does, so the table a run writes, the store and the analysis all see these
columns in this order with these types.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Iterable

import polars as pl

Column = namedtuple("Column", "name dtype unit doc cost", defaults=(False,))
Column.__doc__ = """A steps-table column: ``dtype`` "int" or "float", its unit and meaning, and whether it is a
cost line (summed into ``cost_total``)."""
_DTYPES = {"int": pl.Int64, "float": pl.Float64}

COST_TOTAL = Column("cost_total", "float", "GBP", "every cost line summed: statutory + staff + community + "
                    "voluntary sector + transition, and any programme's")

# The steps table's order: the recorder's counts, the front door and the team, community and ties, costs,
# community builders, then the recorder's sums over residents.  Columns a component declares beyond these
# follow them.
LAYOUT = (
    "week", "residents", "deaths", "contacts", "contacts_per_1000", "recontacts_12w", "recontacts_26w",
    "contacts_hospital", "contacts_new_in_year",
    "outcome_resolved_first_contact", "outcome_signposted", "outcome_community_plan", "outcome_reablement",
    "outcome_long_term_service", "outcome_no_services", "outcome_low_level_support", "contacts_served",
    "mean_wait_weeks", "queue_length", "queue_deaths",
    "staff_hours_available", "staff_hours_plan_support", "staff_hours_used", "practice_share", "statutory_starts",
    "full_assessments", "plan_reassessments", "reviews_requested", "step_downs", "reviews", "package_reductions",
    "reablement_ended", "reablement_to_long_term", "care_home_admissions_65_plus", "care_home_admissions_18_64",
    "self_funders_taken_over", "in_hospital",
    "groups_active", "group_diversity", "ties_active",
    "cost_home_care", "cost_day_care", "cost_low_level", "cost_residential", "cost_nursing", "cost_shared_lives",
    "cost_reablement", "cost_statutory", "cost_staff", "cost_community", "cost_voluntary_sector", "cost_transition",
    "builder_effort_fte", "introductions", "connectors", "connectors_recruited", "groups_seeded", "celebrations",
    "cost_total",
    "caseload_community_plan", "caseload_reablement", "caseload_low_level", "caseload_home_care", "caseload_day_care",
    "caseload_shared_lives", "caseload_residential", "caseload_nursing", "caseload_long_term", "self_funded_care_home",
    "home_care_hours", "need_hours", "unmet_hours", "unmet_share", "with_unmet_need", "isolation_rate",
    "wellbeing_mean", "wellbeing_p10", "carers", "carers_20_49h", "carers_50h_plus", "care_hours",
    "carer_strain_mean", "carers_high_strain", "carer_breakdowns", "aware_share", "contributors", "group_members",
    "residents_65_plus", "adl_need_65_plus", "adl_unmet_65_plus",
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


def steps_columns(declared: Iterable[tuple[Column, ...]]) -> tuple[Column, ...]:
    """The steps table's columns from each declarer's ``results`` (the recorder's and every component's), with
    ``cost_total``: :data:`LAYOUT` order first, then the rest in declaration order.  A column declared twice,
    or a layout column nobody declares, is refused."""
    columns = [COST_TOTAL]
    for group in declared:
        columns.extend(group)
    names = [c.name for c in columns]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"steps columns declared twice: {twice}")
    missing = sorted(set(LAYOUT) - set(names))
    if missing:
        raise ValueError(f"steps columns in the layout that no component declares: {missing}")
    rank = {name: k for k, name in enumerate(LAYOUT)}
    return tuple(sorted(columns, key=lambda c: rank.get(c.name, len(LAYOUT) + names.index(c.name))))


def cost_total(row: dict, columns: tuple[Column, ...]) -> float:
    """Every cost line of a week's row summed, in table order (a programme's line is a cost like any other)."""
    total = 0.0
    for c in columns:
        if c.cost:
            total += row[c.name]
    return total


def zeros(columns: Iterable[Column]) -> dict:
    """The values a component that does not run records for its columns: zero of each column's type."""
    return {c.name: 0 if c.dtype == "int" else 0.0 for c in columns}


def steps_frame(rows: list[dict], columns: tuple[Column, ...]) -> pl.DataFrame:
    """The steps table from one dict per week, columns in table order and type."""
    names = [c.name for c in columns]
    for row in rows[:1]:
        if row.keys() != set(names):
            raise ValueError(f"steps row does not match the schema: extra {sorted(row.keys() - set(names))}, "
                             f"missing {sorted(set(names) - row.keys())}")
    return pl.DataFrame({name: [row[name] for row in rows] for name in names},
                        schema={c.name: _DTYPES[c.dtype] for c in columns})


def neighbourhoods_frame(columns: dict) -> pl.DataFrame:
    """One period's neighbourhood rows from a dict of arrays, in schema order and type."""
    if columns.keys() != {c.name for c in NEIGHBOURHOODS}:
        raise ValueError(f"neighbourhood columns do not match the schema: {sorted(columns)}")
    return pl.DataFrame({c.name: columns[c.name] for c in NEIGHBOURHOODS},
                        schema={c.name: c.dtype for c in NEIGHBOURHOODS})
