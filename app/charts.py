"""The charts of an app sweep, drawn from the runs complete so far, as the report draws them.

Without a lever varied over a range, the comparison curves: titles, axes, captions and figures are the report's own
(``analysis.report.CURVES``, ``analysis.figures.band_figure``, ``analysis.tables.weekly_bands``), so what the page
shows while a sweep runs is what its report will show.  With one, the chosen outcomes against the lever
(:mod:`app.lever_curves`).  Each policy is named as the page numbers it (``1. Service first``), so policies that
differ only in a lever's last decimal still read apart, and each chart says what its bands cover: the runs complete
so far, over how many parameter sets and seeds, and so whether the bands include parameter uncertainty
(``analysis.replicates``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import plotly.graph_objects as go
import polars as pl

from analysis import figures, tables
from analysis.replicates import count_text, coverage_text, replicates
from analysis.report import CURVES
from analysis.sweep import SweepError, SweepWarning, open_sweep

from . import lever_curves
from .cells import CELL, cell_frame, labelled
from .plan import Plan


@dataclass(frozen=True)
class Curve:
    """One chart of the page: what it draws (``measure``), its title, caption and figure."""

    measure: str
    title: str
    caption: str
    figure: go.Figure


def band_text(runs: pl.DataFrame) -> str:
    """What the bands of ``runs`` (a frame with the replicate columns) cover, for a chart's caption."""
    rep = replicates(runs)
    return (f"Shaded, with its own entry in the legend: the 10th to 90th percentile of each policy's runs so far "
            f"({count_text(rep)}); {coverage_text(rep)}.")


def curves(sweep_dir: Path, plan: Plan, outcomes: Sequence[str] = lever_curves.DEFAULT_OUTCOMES) -> list[Curve]:
    """The charts of the runs complete so far (none before the first): the comparison curves, or ``outcomes`` against
    the varied lever."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SweepWarning)  # runs still being simulated are not complete yet
            sweep = open_sweep(sweep_dir)
    except SweepError:
        return []
    cells = cell_frame(plan, sweep)
    bands_cover = band_text(sweep.metadata)
    if plan.lever is not None:
        return [Curve(*chart) for chart in lever_curves.charts(sweep, plan, cells, outcomes, bands_cover)]
    bands = labelled(tables.weekly_bands(sweep.scan("steps")), cells).collect()
    arms = [str(k) for k in range(len(plan.cells))]
    names = {str(k): plan.cell_title(cell) for k, cell in enumerate(plan.cells)}
    baseline = next((str(k) for k, key in enumerate(plan.keys) if key["policy"] == tables.BASELINE_POLICY), None)
    colours = figures.policy_colours(arms, baseline=baseline)
    shock = figures.Shock(plan.scenario, *plan.shock)
    bands = bands.with_columns(pl.col(CELL).cast(pl.String).alias("arm"))
    return [Curve(measure, title, f"{text} {bands_cover}",
                  figures.band_figure(bands.filter(pl.col("measure") == measure), colours, y_title, y_format,
                                      hover_format, shock, key="arm", names=names))
            for measure, (title, y_title, y_format, hover_format, text) in CURVES.items()]
