"""Guard rails: settings under which a comparison of front doors means nothing, found in the runs themselves.

A brief must never report a saving that the settings made (``analysis.brief`` shows each problem in red in
place of the decision).  Three are looked for, in every arm and in the status quo it is set against:

- **No practitioners**: the front door has no staff hours (``policy.staff_fte_per_10k=0``), so nobody is
  served and nothing is spent on anyone.
- **A waiting list that grows without end**: at the end of the run the waiting list holds more than
  ``QUEUE_HELD_WEEKS`` weeks of new contacts (a newcomer would wait over half a year), or it still grows by
  more than ``QUEUE_GROWTH_WEEKS`` weeks of contacts a year over the last year.  Measured (market town,
  calibrated median, five policy years): with 2.6 practitioners per 10,000 adults the list is empty under
  both front doors; with 0 it holds 204 weeks of contacts and grows by 27 a year; with 0.5 under community
  first it holds 90 and grows by 2; the deprived estate's status quo, the most loaded of the shipped towns,
  holds 3 to 12 and grows by at most 2 a year.
- **A warm-up too short** for the status quo to settle: the service-first arm continues the warm-up
  unchanged (the status quo's front door before and after week 0), so its first policy year shows how the
  warm-up was still moving when it ended.  Settled means the long-term caseload, the number of carers and
  the isolation rate each change by at most ``SETTLED_CHANGE`` (a tenth) a year over that year: the slope
  of a straight line through the weekly values as a share of their mean, averaged over the status quo's
  runs.  A warm-up is too short when one of them moves by more than that beyond chance: the mean less
  twice its standard error across the runs is still more than a tenth (a town of a few thousand adults
  moves by 10-30% in a year by chance alone).  Measured from the generated towns and Calderdale (status
  quo from week 0, 18 years, seeds and posterior members): after the default 416-week warm-up every
  measure stays within about 7% a year on average (the slow drift that remains), while after 52 or 104 weeks
  the caseload still grows by 10-27% a year and isolation by 21-47% (Calderdale's caseload is 2,455 after
  one year, 3,136 after two and 4,898 after eight).

A run shorter than two years is measured over its halves instead of years.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import yaml

from model.config import CONFIG_DIR

from .sweep import RUN_KEYS
from .wording import number

WINDOW_WEEKS = 52  # the first or last "year" of a run (half the run, if it is shorter than two years)
QUEUE_HELD_WEEKS = 26.0  # a waiting list holding more than half a year of new contacts at the end
QUEUE_GROWTH_WEEKS = 4.0  # or still growing by more than four weeks of new contacts a year over the last year
SETTLED_CHANGE = 0.10  # the status quo's measures change by at most a tenth a year over its first policy year
# Measures of the status quo that must have settled: column of the weekly table -> what it is, for a sentence.
SETTLING = {"caseload_long_term": "long-term caseload", "carers": "number of carers", "isolation_rate": "isolation rate"}


def window() -> pl.Expr:
    """Weeks in a run's first or last year (or half, in a run shorter than two years)."""
    return pl.min_horizontal(pl.lit(WINDOW_WEEKS), pl.len() // 2).cast(pl.Int64)


def _slope_a_year(values: pl.Expr, weeks: pl.Expr) -> pl.Expr:
    """The slope a year of a straight line fitted (least squares) to ``values`` over ``weeks``."""
    weeks = weeks.cast(pl.Float64)
    return 52 * pl.cov(weeks, values.cast(pl.Float64)) / weeks.var()


def run_measures(steps: pl.LazyFrame) -> pl.LazyFrame:
    """One row per run: ``RUN_KEYS``; ``staff_hours_a_week``, the front door's mean practitioner hours;
    ``queue_weeks_end``, the waiting list at the end in weeks of new contacts; ``queue_growth_last_year``, its
    slope over the last year in weeks of new contacts a year; and ``settling_<column>`` for each of ``SETTLING``:
    the relative change a year over the first year (read for the status quo only)."""
    weekly_contacts = pl.col("contacts").mean().replace(0, None)

    def first(column: str) -> pl.Expr:
        return pl.col(column).sort_by("week").head(window())

    def last(column: str) -> pl.Expr:
        return pl.col(column).sort_by("week").tail(window())

    return steps.group_by(RUN_KEYS).agg(
        pl.col("staff_hours_available").mean().alias("staff_hours_a_week"),
        (pl.col("queue_length").sort_by("week").last() / weekly_contacts).alias("queue_weeks_end"),
        (_slope_a_year(last("queue_length"), last("week")) / weekly_contacts).alias("queue_growth_last_year"),
        *[(_slope_a_year(first(column), first("week")) / first(column).cast(pl.Float64).mean())
          .fill_nan(0.0).alias(f"settling_{column}") for column in SETTLING],
    )


def _moving(row: dict) -> bool:
    """Whether a ``settling_`` measure's row of ``tables.summary_table`` changes by more than ``SETTLED_CHANGE`` a
    year beyond chance: its mean less twice its standard error across the runs (none for one run)."""
    if row["mean"] is None:
        return False
    error = (row["std"] or 0.0) / row["runs"] ** 0.5
    return abs(row["mean"]) - 2 * error > SETTLED_CHANGE


@dataclass(frozen=True)
class Problem:
    """A reason the comparison means nothing, with the numbers it rests on in plain words."""

    title: str
    evidence: str


def problems(arm: dict[str, dict], base: dict[str, dict], name: str, versus: str, warmup: str,
             span: str = "year") -> list[Problem]:
    """What makes the comparison of an arm (``name``) with its status quo (``versus``) meaningless; ``arm`` and
    ``base`` map a measure to its row of ``tables.summary_table`` (means across runs); ``warmup`` says how
    long the warm-up was; ``span`` names the windows (``year``, or ``half`` of a run shorter than two years)."""
    found = []
    for who, rows in ((name, arm), (versus, base)):
        if rows["staff_hours_a_week"]["mean"] == 0:
            found.append(Problem("No practitioners", f"{who} has no practitioner hours at its front door, so nobody "
                                 "who contacts the council is served and nothing is spent on them"))
        held, growth = rows["queue_weeks_end"]["mean"], rows["queue_growth_last_year"]["mean"]
        if (held or 0) > QUEUE_HELD_WEEKS or (growth or 0) > QUEUE_GROWTH_WEEKS:
            found.append(Problem(
                "A waiting list that grows without end",
                f"under {who} the waiting list ends holding {number(held, 'rate')} weeks of new contacts and grew by "
                f"{number(growth, 'rate', signed=True)} weeks of contacts a year over the last {span} (refused above "
                f"{QUEUE_HELD_WEEKS:g} weeks held or {QUEUE_GROWTH_WEEKS:g} weeks a year): the front door cannot "
                "keep up, so costs are low because need waits"))
    unsettled = [f"{text} by {number(base[f'settling_{column}']['mean'], 'change', signed=True)} a year"
                 for column, text in SETTLING.items() if _moving(base[f"settling_{column}"])]
    if unsettled:
        found.append(Problem(
            "A warm-up too short",
            f"after {warmup} of warm-up the status quo ({versus}) is still changing over its first {span}: "
            f"{'; '.join(unsettled)} (settled: within {SETTLED_CHANGE:.0%} a year), so part of any difference is "
            f"the warm-up still running; the default warm-up is {_default_warmup()} weeks"))
    return found


def _default_warmup() -> int:
    """The warm-up of ``configs/config.yaml``, the one measured to settle every shipped town and Calderdale."""
    return int(yaml.safe_load((CONFIG_DIR / "config.yaml").read_text())["warmup_weeks"])
