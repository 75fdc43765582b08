"""Plotly figures for the comparison report, drawn from the tidy tables of ``analysis.tables``.

Curves show the mean across seeds with a shaded band from the 10th to the 90th percentile; the
x axis is years since the new front door started (the warm-up under the status quo is not shown).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from model import codes

from .tables import BASELINE_POLICY

_PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4", "#e31a1c",
            "#17becf")  # ColorBrewer Dark2 and Paired; reused in turn beyond ten policies
_BASELINE_COLOUR = "#4a5a6a"
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
_OUTCOME_COLOURS = {
    "resolved_first_contact": "#1b9e77", "signposted": "#80b1d3", "community_plan": "#66a61e",
    "reablement": "#e6ab02", "long_term_service": "#d95f02",
}
OUTCOME_LABELS = {
    "resolved_first_contact": "Resolved at first contact", "signposted": "Signposted",
    "community_plan": "Community plan", "reablement": "Reablement (short-term)",
    "long_term_service": "Long-term service",
}


_ACRONYMS = {"abcd": "ABCD"}  # words a config name spells in lower case


def label(name: str) -> str:
    """A config name for people: ``community_first`` -> ``Community first``, ``leeds_abcd`` -> ``Leeds ABCD``."""
    words = name.split("_")
    return " ".join([words[0].capitalize()] + [_ACRONYMS.get(w, w) for w in words[1:]])


def policy_colours(policies: list[str]) -> dict[str, str]:
    """A fixed colour per policy: the status quo in slate grey, the others from a qualitative palette."""
    others = itertools.cycle(_PALETTE)
    return {p: _BASELINE_COLOUR if p == BASELINE_POLICY else next(others) for p in policies}


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


@dataclass(frozen=True)
class Shock:
    """A scenario's shock period, shaded on every curve."""

    name: str
    start_week: int
    duration_weeks: int


def _layout(fig: go.Figure, y_title: str, y_format: str, shock: Shock | None) -> go.Figure:
    fig.update_layout(
        template="plotly_white", height=330, margin=dict(l=64, r=16, t=36, b=44),
        font=dict(family=_FONT, size=12, color="#1f2933"), hovermode="x unified",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title=None),
    )
    fig.update_xaxes(title="years since the new front door started", dtick=1, zeroline=False)
    fig.update_yaxes(title=y_title, tickformat=y_format, rangemode="tozero")
    if shock is not None and shock.duration_weeks > 0:
        fig.add_vrect(x0=shock.start_week / 52, x1=(shock.start_week + shock.duration_weeks) / 52,
                      fillcolor="#9aa5b1", opacity=0.15, line_width=0, layer="below",
                      annotation_text=label(shock.name), annotation_position="top left",
                      annotation_font=dict(size=11, color="#52606d"))
    return fig


def _band_traces(fig: go.Figure, rows: pl.DataFrame, name: str, colour: str, hover_format: str) -> None:
    """Mean line with a 10-90% band; ``rows`` holds week, mean, p10, p90 for one policy."""
    years = (rows["week"] / 52).to_list()
    fig.add_trace(go.Scatter(x=years, y=rows["p90"].to_list(), mode="lines", line=dict(width=0),
                             hoverinfo="skip", showlegend=False, legendgroup=name))
    fig.add_trace(go.Scatter(x=years, y=rows["p10"].to_list(), mode="lines", line=dict(width=0),
                             fill="tonexty", fillcolor=_rgba(colour, 0.18), hoverinfo="skip", showlegend=False,
                             legendgroup=name))
    fig.add_trace(go.Scatter(
        x=years, y=rows["mean"].to_list(), mode="lines", name=label(name), legendgroup=name,
        line=dict(color=colour, width=2.2),
        customdata=rows.select("p10", "p90", "week").to_numpy(),
        hovertemplate=f"%{{y:{hover_format}}} (10-90%: %{{customdata[0]:{hover_format}}} to "
                      f"%{{customdata[1]:{hover_format}}}), week %{{customdata[2]}}<extra>{label(name)}</extra>"))


def band_figure(bands: pl.DataFrame, colours: dict[str, str], y_title: str, y_format: str, hover_format: str,
                shock: Shock | None) -> go.Figure:
    """One curve per policy: ``bands`` has policy, week, mean, p10, p90 for one measure and place."""
    fig = go.Figure()
    for policy, colour in colours.items():
        rows = bands.filter(pl.col("policy") == policy).sort("week")
        if rows.height:
            _band_traces(fig, rows, policy, colour, hover_format)
    return _layout(fig, y_title, y_format, shock)


def cost_difference_figure(diff: pl.DataFrame, colours: dict[str, str], shock: Shock | None) -> go.Figure:
    """Cumulative cost of each policy minus the status quo's (paired by seed), with its band."""
    fig = band_figure(diff, {p: c for p, c in colours.items() if p != BASELINE_POLICY},
                      f"£, cumulative, minus {label(BASELINE_POLICY).lower()}", ",.0f", ",.0f", shock)
    fig.add_hline(y=0, line=dict(color=_BASELINE_COLOUR, width=1, dash="dot"))
    fig.update_yaxes(rangemode="normal", tickprefix="£")
    return fig


_SANKEY_PAD, _SANKEY_MAX_HEIGHT, _SANKEY_MARGIN = 14, 300, 16


def _funnel_targets(row: dict) -> list[tuple[str, float, str]]:
    """(label, flow a year, colour) of each outcome a contact can reach, leaving out empty ones."""
    targets = [(OUTCOME_LABELS[o], row[f"outcome_{o}"], _OUTCOME_COLOURS[o]) for o in codes.OUTCOMES]
    targets.append(("Not yet served (queued or withdrew)", row["waiting"], "#bcccdc"))
    return [t for t in targets if t[1] > 0]


def funnel_scale(rows: list[dict]) -> float:
    """Pixels per contact a year such that the largest funnel of ``rows`` is ``_SANKEY_MAX_HEIGHT`` high.

    A Sankey fits its flows into its height less the padding between nodes, so a figure of height
    ``flow * scale + (nodes - 1) * pad`` draws every funnel to the same scale.
    """
    return min((_SANKEY_MAX_HEIGHT - (len(targets) - 1) * _SANKEY_PAD) / sum(v for _, v, _ in targets)
               for targets in map(_funnel_targets, rows) if targets)


def funnel_figure(row: dict, colour: str, scale: float) -> go.Figure:
    """The front-door funnel of one policy as a Sankey: contacts a year to their outcomes.

    ``row`` is one row of ``analysis.tables.funnel`` (flows a year, mean across seeds); ``scale`` is
    pixels per contact a year (``funnel_scale``), the same for every policy compared.
    """
    targets = _funnel_targets(row)
    total = sum(value for _, value, _ in targets)
    nodes = [f"Contacts: {row['contacts']:,.0f} a year"] + [f"{name}: {value:,.0f} ({value / total:.0%})"
                                                            for name, value, _ in targets]
    fig = go.Figure(go.Sankey(
        valueformat=",.0f", valuesuffix=" a year",
        node=dict(label=nodes, color=[colour] + [c for _, _, c in targets], pad=_SANKEY_PAD, thickness=16,
                  line=dict(width=0)),
        link=dict(source=[0] * len(targets), target=list(range(1, len(targets) + 1)),
                  value=[v for _, v, _ in targets], color=[_rgba(c, 0.35) for _, _, c in targets]),
    ))
    plot_height = sum(v for _, v, _ in targets) * scale + (len(targets) - 1) * _SANKEY_PAD
    fig.update_layout(height=round(plot_height) + 2 * _SANKEY_MARGIN, font=dict(family=_FONT, size=12, color="#1f2933"),
                      margin=dict(l=8, r=8, t=_SANKEY_MARGIN, b=_SANKEY_MARGIN))
    return fig
