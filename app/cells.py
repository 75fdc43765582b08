"""An app sweep's tables with each run labelled by its cell: the policy as the page numbers it, and the value of the
lever varied over a range.

A run's tables hold its run keys (``analysis.sweep.RUN_KEYS``); the plan holds each cell's (``Plan.keys``), so a join
on the keys of an arm (``analysis.tables.GROUP``) names every run as the page does, for the charts and the CSV
files alike.
"""

from __future__ import annotations

import polars as pl

from analysis import tables
from analysis.sweep import Sweep

from .plan import Plan

CELL, NUMBER, TITLE, LEVER, VALUE = "cell", "policy_number", "policy_title", "varied_lever", "varied_value"


def cell_frame(plan: Plan, sweep: Sweep) -> pl.DataFrame:
    """One row per cell: its run keys (typed as the sweep's tables type them), its index (``CELL``), its policy's
    number on the page (``NUMBER``), its name for people (``TITLE``, ``Plan.cell_title``) and, with a lever varied
    over a range, that lever's name and value (``LEVER``, ``VALUE``)."""
    schema = {name: sweep.metadata.schema[name] for name in tables.GROUP}
    rows = [{**{name: key[name] for name in tables.GROUP}, CELL: k, NUMBER: cell.arm + 1, TITLE: plan.cell_title(cell),
             **({} if plan.lever is None else {LEVER: plan.lever, VALUE: cell.value})}
            for k, (cell, key) in enumerate(zip(plan.cells, plan.keys))]
    lever = {} if plan.lever is None else {LEVER: pl.String, VALUE: pl.Float64}
    return pl.DataFrame(rows, schema={**schema, CELL: pl.Int64, NUMBER: pl.Int64, TITLE: pl.String, **lever})


def labelled(frame: pl.LazyFrame | pl.DataFrame, cells: pl.DataFrame) -> pl.LazyFrame:
    """``frame`` (any table with the ``GROUP`` columns) with its cell's labels first; rows of no cell of the plan are
    left out."""
    labels = [name for name in cells.columns if name not in tables.GROUP]
    return (frame.lazy().join(cells.lazy(), on=list(tables.GROUP), how="inner")
            .select(*labels, pl.exclude(labels)))
