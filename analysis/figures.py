"""Plotly figures for the comparison report, drawn from the tidy tables of ``analysis.tables``.

Curves show the mean across runs (posterior members x seeds) with a shaded band from the 10th to the 90th
percentile, each band with its own entry in the legend; the x axis is time since the new front door started (the
warm-up under the status quo is not shown), in years for a run of two years or more and in weeks for a shorter one
(a year in years would have one tick).  Money axes carry £ on every tick, and every axis's title makes room for its
tick labels (``automargin``).
"""

from __future__ import annotations

import itertools
import textwrap
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from model import codes
from model.levers import LEVERS

from .tables import BASELINE_POLICY

_PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4", "#e31a1c",
            "#17becf")  # ColorBrewer Dark2 and Paired; reused in turn beyond ten policies
_BASELINE_COLOUR = "#4a5a6a"
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
_OUTCOME_COLOURS = {
    "resolved_first_contact": "#1b9e77", "signposted": "#80b1d3", "community_plan": "#66a61e",
    "reablement": "#e6ab02", "long_term_service": "#d95f02", "no_services": "#bdbdbd",
    "low_level_support": "#7570b3",
}
OUTCOME_LABELS = {
    "resolved_first_contact": "Resolved at first contact", "signposted": "Signposted",
    "community_plan": "Community plan", "reablement": "Reablement (short-term)",
    "long_term_service": "Long-term service", "no_services": "No services",
    "low_level_support": "Equipment or telecare (low-level)",
}


_ACRONYMS = {"abcd": "ABCD"}  # words a config name spells in lower case


def label(name: str) -> str:
    """A config name for people: ``community_first`` -> ``Community first``, ``leeds_abcd`` -> ``Leeds ABCD``."""
    words = name.split("_")
    return " ".join([words[0].capitalize()] + [_ACRONYMS.get(w, w) for w in words[1:]])


def policy_colours(policies: list[str], baseline: str = BASELINE_POLICY) -> dict[str, str]:
    """A fixed colour per policy (or arm): the status quo (``baseline``) in slate grey, the others from a
    qualitative palette."""
    others = itertools.cycle(_PALETTE)
    return {p: _BASELINE_COLOUR if p == baseline else next(others) for p in policies}


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


@dataclass(frozen=True)
class Shock:
    """A scenario's shock period, shaded on every curve."""

    name: str
    start_week: int
    duration_weeks: int


BAND = "10-90% of runs"  # a band's legend entry, in its policy's colour just after its policy's line
LEGEND_LINE = 19  # pixels a line of the legend takes
LEGEND_CHARACTERS = 26  # a policy's name in the legend is wrapped to the half of it a chart in a two-column grid gives it
YEARS_FROM_WEEKS = 104  # runs of at least two years are drawn in years; shorter ones in weeks


def _layout(fig: go.Figure, y_title: str, y_format: str, x_title: str, x_tick: float | None) -> go.Figure:
    """The report's look; a ``y_format`` starting with £ puts £ before every tick (``£,.0f``: £2,500,000).  The figure
    grows by a legend line for each line of the legend beyond two, so the plot keeps its height."""
    legend_lines = sum(trace.name.count("<br>") + 1 for trace in fig.data if trace.fill is None and trace.showlegend is not False)
    fig.update_layout(
        template="plotly_white", height=330 + LEGEND_LINE * max(legend_lines - 2, 0), margin=dict(l=64, r=16, t=36, b=44),
        font=dict(family=_FONT, size=12, color="#1f2933"), hovermode="x unified",
        # a row per policy: its line, then its band (_band_traces ranks them so), each half the legend's width
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title=None, traceorder="normal",
                    entrywidth=0.5, entrywidthmode="fraction"),
    )
    fig.update_xaxes(title=x_title, dtick=x_tick, zeroline=False, automargin=True)
    fig.update_yaxes(title=y_title, tickformat=y_format.removeprefix("£"), rangemode="tozero", automargin=True,
                     tickprefix="£" if y_format.startswith("£") else None)
    return fig


def _band_traces(fig: go.Figure, x: list, rows: pl.DataFrame, name: str, colour: str, hover_format: str,
                 shown: str | None = None, at: tuple[str, str] = ("week", "week"), lines: str = "lines") -> None:
    """Mean line with a 10-90% band, each with its legend entry; ``rows`` holds mean, p10, p90 and the column
    ``at[0]`` (the hover names it ``at[1]``) for one policy at ``x`` (``shown``: its name for people, ``label(name)``
    if not given)."""
    shown = label(name) if shown is None else shown
    rank = 10 * len(fig.data)  # the line's entry, then its band's, policy after policy
    fig.add_trace(go.Scatter(x=x, y=rows["p90"].to_list(), mode="lines", line=dict(width=0),
                             hoverinfo="skip", showlegend=False, legendgroup=name))
    fig.add_trace(go.Scatter(x=x, y=rows["p10"].to_list(), mode="lines", line=dict(width=0), name=BAND,
                             fill="tonexty", fillcolor=_rgba(colour, 0.18), hoverinfo="skip", legendgroup=name,
                             legendrank=rank + 1))
    fig.add_trace(go.Scatter(
        x=x, y=rows["mean"].to_list(), mode=lines, name="<br>".join(textwrap.wrap(shown, LEGEND_CHARACTERS)),
        legendgroup=name, legendrank=rank,
        line=dict(color=colour, width=2.2), marker=dict(color=colour, size=6),
        customdata=rows.select("p10", "p90", at[0]).to_numpy(),
        hovertemplate=f"%{{y:{hover_format}}} (10-90%: %{{customdata[0]:{hover_format}}} to "
                      f"%{{customdata[1]:{hover_format}}}), {at[1]} %{{customdata[2]}}<extra>{shown}</extra>"))


def band_figure(bands: pl.DataFrame, colours: dict[str, str], y_title: str, y_format: str, hover_format: str,
                shock: Shock | None, key: str = "policy", names: dict[str, str] | None = None) -> go.Figure:
    """One curve per policy: ``bands`` has ``key`` (policy, or arm), week, mean, p10, p90 for one measure and
    place; ``colours`` and ``names`` (for people; ``label`` of the key if not given) are by ``key``."""
    fig = go.Figure()
    in_years = bands.height > 0 and bands["week"].max() + 1 >= YEARS_FROM_WEEKS
    per = 52 if in_years else 1
    for policy, colour in colours.items():
        rows = bands.filter(pl.col(key) == policy).sort("week")
        if rows.height:
            _band_traces(fig, (rows["week"] / per).to_list(), rows, policy, colour, hover_format,
                         (names or {}).get(policy))
    _layout(fig, y_title, y_format, f"{'years' if in_years else 'weeks'} since the new front door started",
            1 if in_years else None)
    if shock is not None and shock.duration_weeks > 0:
        fig.add_vrect(x0=shock.start_week / per, x1=(shock.start_week + shock.duration_weeks) / per,
                      fillcolor="#9aa5b1", opacity=0.15, line_width=0, layer="below",
                      annotation_text=label(shock.name), annotation_position="top left",
                      annotation_font=dict(size=11, color="#52606d"))
    return fig


def cost_difference_figure(diff: pl.DataFrame, colours: dict[str, str], shock: Shock | None, key: str = "policy",
                           names: dict[str, str] | None = None, baseline: str = BASELINE_POLICY) -> go.Figure:
    """Cumulative cost of each policy minus the status quo's (paired by member and seed), with its band."""
    fig = band_figure(diff, {p: c for p, c in colours.items() if p != baseline},
                      f"£, cumulative, minus {label(BASELINE_POLICY).lower()}", "£,.0f", ",.0f", shock, key, names)
    fig.add_hline(y=0, line=dict(color=_BASELINE_COLOUR, width=1, dash="dot"))
    fig.update_yaxes(rangemode="normal")
    return fig


def lever_figure(rows: pl.DataFrame, colours: dict[str, str], names: dict[str, str], x_title: str, y_title: str,
                 y_format: str, hover_format: str, zero_line: bool = False) -> go.Figure:
    """One curve per policy against the values of a lever: ``rows`` has ``policy`` (a key of ``colours`` and
    ``names``), ``value``, mean, p10 and p90 (across the runs at that value); a point at each value run, the band
    between (nothing is claimed between the points but the straight line); ``zero_line`` for differences."""
    fig = go.Figure()
    for policy, colour in colours.items():
        found = rows.filter(pl.col("policy") == policy).sort("value")
        if found.height:
            _band_traces(fig, found["value"].to_list(), found, policy, colour, hover_format, names[policy],
                         at=("value", x_title), lines="lines+markers")
    _layout(fig, y_title, y_format, x_title, None)
    values = sorted(set(rows["value"].to_list()))
    fig.update_xaxes(tickvals=values, ticktext=[f"{value:g}" for value in values])  # a tick at each value run
    if zero_line:
        fig.add_hline(y=0, line=dict(color=_BASELINE_COLOUR, width=1, dash="dot"))
        fig.update_yaxes(rangemode="normal")
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

    ``row`` is one row of ``analysis.tables.funnel`` (flows a year, mean across runs); ``scale`` is
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


# Decomposition figures (``analysis.decomposition``): the parts of a difference, each with its band across runs.
PART_COLOURS = {**{lever.name: lever.colour for lever in LEVERS}, "interaction": "#9aa5b1", "total": _BASELINE_COLOUR}
_PANEL_HEIGHT, _PANEL_COLUMNS = 250, 4


@dataclass(frozen=True)
class Part:
    """One bar (or point) of a decomposition panel, in the panel's display unit."""

    group: str  # the category on the x axis
    mean: float
    low: float  # 10th percentile across runs
    high: float  # 90th percentile across runs
    colour: str
    hover: str  # the hover text (plain text, already formatted)
    marked: bool = False  # drawn solid and larger: the setting of the main comparison


@dataclass(frozen=True)
class Panel:
    """One measure: its title (with its unit) and its parts."""

    title: str
    parts: tuple[Part, ...]


def _panels(panels: list[Panel]) -> tuple[go.Figure, list[tuple[int, int]]]:
    from plotly.subplots import make_subplots

    columns = min(_PANEL_COLUMNS, len(panels))
    rows = -(-len(panels) // columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=[p.title for p in panels],
                        horizontal_spacing=0.07, vertical_spacing=0.16 if rows > 1 else 0.1)
    fig.update_layout(template="plotly_white", height=rows * _PANEL_HEIGHT + 40, showlegend=False,
                      margin=dict(l=48, r=16, t=40, b=40), font=dict(family=_FONT, size=11, color="#1f2933"),
                      hoverlabel=dict(align="left"))
    fig.update_annotations(font=dict(size=12))
    fig.update_yaxes(exponentformat="none", separatethousands=True)  # no SI prefixes (50μ weeks)
    return fig, [(1 + k // columns, 1 + k % columns) for k in range(len(panels))]


def _errors(parts: list[Part]) -> dict:
    return dict(type="data", symmetric=False, array=[p.high - p.mean for p in parts],
                arrayminus=[p.mean - p.low for p in parts], thickness=1.2, width=3, color="#3e4c59")


def contributions_figure(panels: list[Panel]) -> go.Figure:
    """A panel per measure, a bar per part of the difference (its mean across runs) with its 10-90% band."""
    fig, cells = _panels(panels)
    for panel, (row, col) in zip(panels, cells):
        parts = list(panel.parts)
        fig.add_trace(go.Bar(x=[p.group for p in parts], y=[p.mean for p in parts], marker_color=[p.colour for p in parts],
                             error_y=_errors(parts), customdata=[p.hover for p in parts],
                             hovertemplate="%{customdata}<extra></extra>"), row=row, col=col)
        fig.add_hline(y=0, line=dict(color=_BASELINE_COLOUR, width=1), row=row, col=col)
    fig.update_xaxes(tickangle=0, tickfont=dict(size=10))
    return fig


def effects_figure(panels: list[Panel]) -> go.Figure:
    """A panel per measure; for each lever (x) a point per setting of the other levers: the mean effect of
    switching the lever across runs with its 10-90% band; the main comparison's setting marked."""
    fig, cells = _panels(panels)
    for panel, (row, col) in zip(panels, cells):
        groups = list(dict.fromkeys(p.group for p in panel.parts))
        for g, group in enumerate(groups):
            parts = [p for p in panel.parts if p.group == group]
            offsets = [(k - (len(parts) - 1) / 2) * 0.6 / max(len(parts), 1) for k in range(len(parts))]
            fig.add_trace(go.Scatter(
                x=[g + o for o in offsets], y=[p.mean for p in parts], mode="markers",
                marker=dict(color=[p.colour if p.marked else _rgba(p.colour, 0.45) for p in parts],
                            size=[10 if p.marked else 7 for p in parts], line=dict(width=0)),
                error_y={**_errors(parts), "color": _rgba(parts[0].colour, 0.6)},
                customdata=[p.hover for p in parts], hovertemplate="%{customdata}<extra></extra>"), row=row, col=col)
        fig.update_xaxes(tickvals=list(range(len(groups))), ticktext=groups, range=[-0.5, len(groups) - 0.5],
                         row=row, col=col)
        fig.add_hline(y=0, line=dict(color=_BASELINE_COLOUR, width=1), row=row, col=col)
    fig.update_xaxes(tickangle=0, tickfont=dict(size=10), showgrid=False)
    return fig
