"""Tidy comparison tables from a sweep's lazy tables (``analysis.sweep``).

Every table has one row per arm, policy x levers (review practice, community capacity, builder
coverage) x scenario x population (x week, x measure), and summarises the arm's runs: the mean and the
10th and 90th percentiles across its replicates (``REPLICATE``: the posterior member and the seed).  Over
several posterior members a band covers the parameter uncertainty the calibration leaves and chance
together; over one member, chance alone (``analysis.replicates`` says which).  Differences from the status quo
(``BASELINE_POLICY``) are paired by replicate (:func:`with_reference`): under common random numbers a
seed gives every policy the same town and the same life events, and a member the same parameters, so
the difference of a pair is due to the policy alone.  Where the status quo itself was run at several
levels of a lever, each arm is paired with the status quo at its own community capacity and builder
coverage, and with the status quo's own review practice (``BASELINE_REVIEW``): see ``_baseline``.
The heavy lifting is done in polars' lazy engine; only the aggregated tables are collected.
"""

from __future__ import annotations

import polars as pl

from model import codes
from model.levers import FRONT_DOOR, REVIEW, RUN_LEVERS

from .sweep import LEVERS, REPLICATE, RUN_KEYS

GROUP = ("population", "scenario", "policy", *LEVERS)  # an arm in a place: every run key but the replicate
PLACE = ("population", "scenario")
BASELINE_POLICY = FRONT_DOOR.status_quo
BASELINE_REVIEW = REVIEW.status_quo  # the status quo's review practice (configs/policy/service_first.yaml)
LOW, HIGH = 0.1, 0.9  # the band shown across an arm's runs
SMOOTH_WEEKS = 4  # trailing window for weekly flows that are noisy week to week


def trailing_mean(column: str, weeks: int = SMOOTH_WEEKS) -> pl.Expr:
    """``column`` averaged over the last ``weeks`` weeks of the same run."""
    return pl.col(column).rolling_mean(weeks, min_samples=1).over(RUN_KEYS, order_by="week")


# Weekly measures drawn as curves, by name: an expression over one run's per-step table.
CURVES: dict[str, pl.Expr] = {
    "contacts_per_1000_per_year": 52 * trailing_mean("contacts_per_1000"),
    "caseload_long_term": pl.col("caseload_long_term"),
    "unmet_share": pl.col("unmet_share"),
    "isolation_rate": pl.col("isolation_rate"),
    "cost_total": pl.col("cost_total"),
}

OUTCOME_COLUMNS = tuple(f"outcome_{name}" for name in codes.OUTCOMES)


def band(column: str = "value") -> list[pl.Expr]:
    """Mean and 10th/90th percentiles of ``column`` across the runs of a group, and how many runs."""
    c = pl.col(column)
    return [c.mean().alias("mean"), c.quantile(LOW, "linear").alias("p10"), c.quantile(HIGH, "linear").alias("p90"),
            pl.len().alias("runs")]


def weekly_bands(steps: pl.LazyFrame, curves: dict[str, pl.Expr] = CURVES) -> pl.DataFrame:
    """Long table: GROUP, measure, week, mean, p10, p90, runs (one row per group, measure and week)."""
    per_run = steps.select(*RUN_KEYS, "week", *[expr.alias(name) for name, expr in curves.items()])
    return (per_run.unpivot(index=[*RUN_KEYS, "week"], variable_name="measure")
            .group_by(*GROUP, "measure", "week").agg(band())
            .sort(*GROUP, "measure", "week")
            .collect())


def _baseline(frame: pl.LazyFrame) -> tuple[pl.Expr, list[str]]:
    """Which rows of ``frame`` are the status quo's, and the levers on which the other arms are paired with it.

    The status quo is ``BASELINE_POLICY``.  A lever at which it was run at one level only (every preset
    sweep: service_first with its standard review, the town's own community, no builders) is not
    matched, so each policy is compared with that run.  Where it was run at several levels (a factorial
    sweep), an arm is paired with the status quo at the same level of each lever of the place or its
    investment (``model.levers.CONTEXT_LEVERS``: community capacity, builders), and with the status quo's own
    level of each lever of practice (its review practice, ``BASELINE_REVIEW``).
    """
    levels = frame.filter(pl.col("policy") == BASELINE_POLICY).select(pl.col(k).n_unique() for k in LEVERS).collect()
    varied = [lever for lever in RUN_LEVERS if levels[lever.name].item() > 1]
    is_baseline = pl.col("policy") == BASELINE_POLICY
    for lever in varied:
        if not lever.context:
            is_baseline = is_baseline & (pl.col(lever.name) == lever.status_quo)
    return is_baseline, [lever.name for lever in varied if lever.context]


def with_reference(frame: pl.LazyFrame, is_reference: pl.Expr, value_columns: list[str],
                   keys: tuple[str, ...] = ()) -> pl.LazyFrame:
    """``frame`` with ``<col>_reference``: the value of the reference row (where ``is_reference``) with the same
    place, replicate (posterior member and seed) and ``keys``; null where there is none.

    The analysis's one pairing rule: a replicate gives every arm the same parameters, town and life
    events, so what differs within a pair is the arm alone.
    """
    on = [*PLACE, *REPLICATE, *keys]
    reference = frame.filter(is_reference).select(*on, *[pl.col(c).alias(f"{c}_reference") for c in value_columns])
    return frame.join(reference, on=on, how="left")


def _paired_with_baseline(frame: pl.LazyFrame, value_columns: list[str], keys: tuple[str, ...]) -> pl.LazyFrame:
    """``frame`` with ``<col>_diff`` = value minus the status quo's value for the same place, replicate (and
    ``keys``), and ``is_baseline``, whether the row is the status quo's own (``_baseline``).

    Rows with no baseline run to pair with get null differences.
    """
    is_baseline, matched = _baseline(frame)
    return (with_reference(frame.with_columns(is_baseline.alias("is_baseline")), pl.col("is_baseline"), value_columns,
                           (*matched, *keys))
            .with_columns((pl.col(c) - pl.col(f"{c}_reference")).alias(f"{c}_diff") for c in value_columns)
            .drop(f"{c}_reference" for c in value_columns))


def cumulative_cost_difference(steps: pl.LazyFrame) -> pl.DataFrame:
    """Cumulative total cost of each arm minus the status quo's, paired by replicate, banded across the pairs.

    Columns: GROUP, week, mean, p10, p90, runs; no rows for the status quo itself.
    """
    cumulative = steps.select(*RUN_KEYS, "week", pl.col("cost_total").cum_sum().over(RUN_KEYS, order_by="week"))
    return (_paired_with_baseline(cumulative, ["cost_total"], ("week",))
            .filter(~pl.col("is_baseline"), pl.col("cost_total_diff").is_not_null())
            .group_by(*GROUP, "week").agg(band("cost_total_diff"))
            .sort(*GROUP, "week")
            .collect())


def summary_table(summary: pl.LazyFrame) -> pl.DataFrame:
    """Long table of whole-run measures: GROUP, measure, mean, p10, p90, runs, std (the standard deviation across
    the runs, null for one), is_baseline (whether the arm is
    the status quo's own), the paired difference from the status quo (diff_mean, diff_p10, diff_p90; null
    where there is no baseline run), how many of the pairs there are (``paired``), over how many posterior members
    (``paired_members``: distinct parameter sets) and in how many the difference is below zero (``lower``):
    ``lower / paired`` for ``cost_total`` is the probability that the arm costs less than the status quo, over
    what the replicates span (``analysis.replicates``, which says when they are enough to give one)."""
    measures = [name for name, dtype in summary.collect_schema().items()
                if dtype.is_numeric() and name not in RUN_KEYS]
    paired = _paired_with_baseline(summary.select(*RUN_KEYS, *[pl.col(m).cast(pl.Float64) for m in measures]),
                                   measures, ())
    long = paired.unpivot(index=[*RUN_KEYS, "is_baseline"], on=[*measures, *[f"{m}_diff" for m in measures]])
    long = long.with_columns(
        pl.col("variable").str.strip_suffix("_diff").alias("measure"),
        pl.col("variable").str.ends_with("_diff").alias("is_diff"),
    )
    levels = (long.filter(~pl.col("is_diff")).group_by(*GROUP, "measure")
              .agg(*band(), pl.col("value").std().alias("std"), pl.col("is_baseline").first()))
    diffs = (long.filter(pl.col("is_diff")).group_by(*GROUP, "measure")
             .agg(pl.col("value").mean().alias("diff_mean"),
                  pl.col("value").quantile(LOW, "linear").alias("diff_p10"),
                  pl.col("value").quantile(HIGH, "linear").alias("diff_p90"),
                  pl.col("value").count().alias("paired"),
                  pl.col("member").filter(pl.col("value").is_not_null()).n_unique().alias("paired_members"),
                  (pl.col("value") < 0).sum().alias("lower")))
    return levels.join(diffs, on=[*GROUP, "measure"], how="left").sort(*GROUP, "measure").collect()


def funnel(steps: pl.LazyFrame) -> pl.DataFrame:
    """Front-door flows a year, mean across runs: GROUP, contacts, contacts_served, each outcome_*, waiting, runs.

    ``waiting`` is contacts not yet served (still queued at the end, or withdrawn); it is zero when the
    staff served more than arrived (people queued during the warm-up).
    """
    flows = ["contacts", "contacts_served", *OUTCOME_COLUMNS]
    per_run = (steps.group_by(RUN_KEYS)
               .agg(*[(pl.col(c).sum() * 52 / pl.len()).alias(c) for c in flows])
               .with_columns((pl.col("contacts") - pl.col("contacts_served")).clip(lower_bound=0).alias("waiting")))
    return (per_run.group_by(GROUP)
            .agg(*[pl.col(c).mean() for c in [*flows, "waiting"]], pl.len().alias("runs"))
            .sort(GROUP)
            .collect())
