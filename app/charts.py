"""The comparison curves of an app sweep, drawn from the runs complete so far, as the report draws them.

Titles, axes, captions and figures are the report's own (``analysis.report.CURVES``,
``analysis.figures.band_figure``, ``analysis.tables.weekly_bands``), so what the page shows while a
sweep runs is what its report will show.  Each policy is named as the page numbers it (``1. Service
first``), so policies that differ only in a lever's last decimal still read apart.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from analysis import figures, tables
from analysis.report import CURVES
from analysis.sweep import SweepError, SweepWarning, open_sweep

from .plan import Plan


@dataclass(frozen=True)
class Curve:
    """One chart of the page: a measure of ``CURVES`` with its title, caption and figure."""

    measure: str
    title: str
    caption: str
    figure: go.Figure


def curves(sweep_dir: Path, plan: Plan) -> list[Curve]:
    """One figure per measure of ``CURVES``, a line and band per policy with a complete run; none before."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SweepWarning)  # runs still being simulated are not complete yet
            sweep = open_sweep(sweep_dir)
    except SweepError:
        return []
    keys = [{**key, "arm": f"policy-{k + 1}"} for k, key in enumerate(plan.keys)]
    arms = pl.DataFrame(keys, schema={**{name: sweep.metadata.schema[name] for name in tables.GROUP}, "arm": pl.String})
    bands = tables.weekly_bands(sweep.scan("steps")).join(arms, on=list(tables.GROUP), how="inner")
    names = {key["arm"]: f"{k + 1}. {arm.title}" for k, (key, arm) in enumerate(zip(keys, plan.arms))}
    baseline = next((key["arm"] for key in keys if key["policy"] == tables.BASELINE_POLICY), None)
    colours = figures.policy_colours([key["arm"] for key in keys], baseline=baseline)
    shock = figures.Shock(plan.scenario, *plan.shock)
    return [Curve(measure, title, text, figures.band_figure(bands.filter(pl.col("measure") == measure), colours, y_title,
                                                            y_format, hover_format, shock, key="arm", names=names))
            for measure, (title, y_title, y_format, hover_format, text) in CURVES.items()]
