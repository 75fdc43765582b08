"""An app sweep's tables as CSV files, for a spreadsheet, R or Stata (BehaviorSpace users expect them).

Each file starts with the columns that name a run's cell as the page does (``app.cells``: the policy's number and
name, and the varied lever's name and value), then the run's keys and the table's own columns; every row of every
run complete so far (a running sweep's files grow as it runs).  They are written with polars (``sink_csv``, so a
long weekly table streams to disk without being held in memory) into ``<sweep dir>/exports/`` through
``model.outputs.atomic_write``, so a reader finds a whole file or none, and the server sends them for a sweep id,
never a path (``app.server``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import polars as pl

from analysis import tables
from analysis.brief import run_measures
from analysis.sweep import SweepWarning, open_sweep
from model.outputs import atomic_write

from .cells import CELL, cell_frame, labelled
from .lever_curves import lever_table
from .plan import Plan

DIRECTORY = "exports"
# name -> what its file holds (the page's words for its link); the lever's curve only for a sweep that varies one
EXPORTS = {
    "runs": "one row per run: its policy, lever values, posterior member and seed, and every whole-run measure",
    "summary": "one row per policy and measure: the mean and 10th-90th percentiles across its runs, and the paired "
               "difference from the status quo, as in the report's table",
    "weekly": "one row per run and week: every weekly measure (BehaviorSpace's table output)",
    "weekly_bands": "one row per policy, measure and week: the curves' mean and 10th-90th percentiles",
    "lever_curve": "one row per policy, value of the varied lever and measure: the curves against the lever, with "
                   "the paired difference from policy 1",
}


def available(plan: Plan) -> list[str]:
    """The files a sweep of ``plan`` offers."""
    return [name for name in EXPORTS if name != "lever_curve" or plan.lever is not None]


def write_export(sweep_dir: Path, plan: Plan, name: str) -> Path:
    """Write the file ``name`` (one of :func:`available`) of the runs complete so far, and return its path; raises
    ``analysis.sweep.SweepError`` if no run is complete."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SweepWarning)  # runs still being simulated, or failed: the page names them
        sweep = open_sweep(sweep_dir)
    cells = cell_frame(plan, sweep).drop(CELL)  # the page's numbers name the cells; the index is the app's own
    frames = {
        "runs": lambda: labelled(sweep.scan("summary"), cells),
        "summary": lambda: labelled(tables.summary_table(run_measures(sweep)), cells),
        "weekly": lambda: labelled(sweep.scan("steps"), cells),
        "weekly_bands": lambda: labelled(tables.weekly_bands(sweep.scan("steps")), cells),
        "lever_curve": lambda: lever_table(sweep, plan, cells).lazy(),
    }
    if name not in available(plan):
        raise ValueError(f"{name!r} is not a file of this sweep; one of {', '.join(available(plan))}")
    path = Path(sweep_dir) / DIRECTORY / f"{name}.csv"
    path.parent.mkdir(exist_ok=True)
    atomic_write(path, frames[name]().sink_csv)
    return path
