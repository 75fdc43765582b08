"""Outcomes against a lever varied over a range: each policy's curve through the values run, with its band.

A sweep that varies a lever (``Plan.lever``: practitioners, community capacity or builder coverage) runs every
policy at every value on the same replicates.  For each chosen whole-run measure (the report's summary rows,
``analysis.report.SUMMARY_ROWS``) a chart draws each policy's mean across its runs at each value, and the band
from the 10th to the 90th percentile of those runs (``analysis.tables.band``); a further chart draws each policy's
total cost minus policy 1's at the same value, paired run by run by ``analysis.tables.with_reference`` (the same
parameter set and seed): where a policy's curve crosses zero it stops costing less than policy 1, the question a
break-even sweep answers for community capacity (``analysis.brief``, "what you would need to believe").  Nothing
between the values run is claimed but the straight line drawn.
"""

from __future__ import annotations

from typing import Sequence

import polars as pl

from analysis import figures, tables
from analysis.report import SUMMARY_ROWS
from analysis.sweep import REPLICATE, Sweep
from model.levers import BY_NAME

from .cells import NUMBER, VALUE, labelled
from .plan import Plan

DEFAULT_OUTCOMES = ("cost_total", "unmet_share", "contacts_per_1000_per_year", "mean_wait_weeks")
DIFFERENCE = "cost_total"  # the measure drawn against policy 1 as well
# Axis and hover formats of a summary row's kind (analysis.report.SUMMARY_ROWS, analysis.wording.KINDS).
_FORMATS = {"money": ("£,.0f", ",.0f"), "share": (".1%", ".2%"), "rate": (",.1f", ",.2f"), "count": (",.0f", ",.1f"),
            "index": (".2f", ".3f")}


def lever_table(sweep: Sweep, plan: Plan, cells: pl.DataFrame) -> pl.DataFrame:
    """Long table, a row per policy, value and measure of ``SUMMARY_ROWS``: ``policy_number``, ``varied_value``,
    ``measure``, mean, p10, p90 and runs across the runs at that value, and the paired difference from policy 1 at
    the same value (``diff_mean``, ``diff_p10``, ``diff_p90``, over ``paired`` pairs; null for policy 1 itself)."""
    summary = sweep.scan("summary")
    measures = [m for m in SUMMARY_ROWS if m in summary.collect_schema()]
    runs = labelled(summary, cells).select(NUMBER, VALUE, *tables.PLACE, *REPLICATE,
                                           *[pl.col(m).cast(pl.Float64) for m in measures])
    long = runs.unpivot(index=[NUMBER, VALUE, *tables.PLACE, *REPLICATE], on=measures, variable_name="measure",
                        value_name="level")
    paired = tables.with_reference(long, pl.col(NUMBER) == 1, ["level"], (VALUE, "measure"))
    diff = pl.when(pl.col(NUMBER) != 1).then(pl.col("level") - pl.col("level_reference"))
    return (paired.with_columns(diff.alias("diff"))
            .group_by(NUMBER, VALUE, "measure")
            .agg(*tables.band("level"),
                 pl.col("diff").mean().alias("diff_mean"),
                 pl.col("diff").quantile(tables.LOW, "linear").alias("diff_p10"),
                 pl.col("diff").quantile(tables.HIGH, "linear").alias("diff_p90"),
                 pl.col("diff").count().alias("paired"))
            .sort(NUMBER, "measure", VALUE)
            .collect())


def charts(sweep: Sweep, plan: Plan, cells: pl.DataFrame, outcomes: Sequence[str], band_text: str) -> list[tuple]:
    """(id, title, caption, figure) of a chart per chosen outcome (in ``SUMMARY_ROWS`` order), then of the total cost
    against policy 1 if there are two policies or more."""
    lever = BY_NAME[plan.lever]
    table = lever_table(sweep, plan, cells)
    names = {str(k + 1): f"{k + 1}. {arm.titled(plan.lever)}" for k, arm in enumerate(plan.arms)}
    baseline = next((str(k + 1) for k, arm in enumerate(plan.arms) if arm.preset == tables.BASELINE_POLICY), None)
    colours = figures.policy_colours(list(names), baseline=baseline)
    x_title = f"{lever.label} ({lever.unit})" if lever.unit else lever.label
    rows = table.with_columns(pl.col(NUMBER).cast(pl.String).alias("policy"), pl.col(VALUE).alias("value"))
    found = []
    for measure, (name, kind) in SUMMARY_ROWS.items():
        if measure not in outcomes:
            continue
        y_format, hover = _FORMATS[kind]
        found.append((measure, f"{name}, against the {lever.label}",
                      f"Each point is the mean of a policy's runs at that value of the {lever.label}. {band_text}",
                      figures.lever_figure(rows.filter(pl.col("measure") == measure), colours, names, x_title, name,
                                           y_format, hover)))
    if len(plan.arms) > 1:
        versus = names["1"]
        differences = (rows.filter(pl.col("measure") == DIFFERENCE, pl.col(NUMBER) != 1)
                       .select("policy", "value", mean="diff_mean", p10="diff_p10", p90="diff_p90"))
        found.append((f"{DIFFERENCE}-difference", f"Total cost against {versus}, by the {lever.label}",
                      f"Each policy's total cost over the whole period minus that of {versus} at the same value, paired "
                      "run by run (the same parameter set and seed). Below zero the policy costs less than policy 1 "
                      "there; where its curve crosses zero it stops doing so. The band runs from the 10th to the 90th "
                      "percentile of the pairs.",
                      figures.lever_figure(differences, {k: c for k, c in colours.items() if k != "1"}, names, x_title,
                                           "£, whole period, minus policy 1", "£,.0f", ",.0f", zero_line=True)))
    return found
