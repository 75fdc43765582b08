"""The comparison report of a sweep: one self-contained HTML page (plotly.js inlined, works offline).

    python -m analysis.report results/sweeps/policy_comparison [-o report.html] [--sensitivity DIR] [--break-even DIR]

It opens with the decision brief (``analysis.brief``: the headline differences, the probability of costing
less, risk flags and the break-even; printed, the brief fills the first pages and the charts are left out).
For each place (population x scenario) in the sweep: a headline with the probability that each policy
costs less than the status quo, a summary table with paired differences from the status quo, curves of
demand, caseload, unmet need, isolation and cost per policy with bands across runs, the cumulative cost
difference from the status quo, and the front-door funnel of each policy as a Sankey; then how the model
compares with the published figures (``analysis.evidence``).  Every band says what it covers: over
several posterior members, parameter uncertainty and chance together; over one, chance alone
(``analysis.replicates``).  Written for council leaders: each chart says what it shows.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import warnings
from pathlib import Path

import plotly.io as pio
import plotly.offline
import polars as pl

from model.levers import BY_NAME, CONTEXT_LEVERS
from model.outputs import atomic_write
from model.params import ConfigError

from . import (brief, calibration, comparison, decomposition, evidence, figures, guard_rails, provenance, replicates,
               sensitivity, tables)
from .figures import Shock, label
from .comparison import Comparison, Design
from .replicates import count_text, coverage_text
from .sweep import RUN_KEYS, Sweep, SweepError, SweepWarning, open_sweep
from .wording import KINDS, chance_text, level_text, number, place_name

# Curves: measure -> (title, y-axis title, axis format, hover format, what it means).
CURVES = {
    "contacts_per_1000_per_year": (
        "Demand at the front door", "contacts a year per 1,000 adults", ",.0f", ".1f",
        f"People who contact the council because their own resources, family, friends and community no longer "
        f"meet their need: a yearly rate per 1,000 adults, averaged over {tables.SMOOTH_WEEKS} weeks. Fewer contacts mean more "
        "need is met before it reaches the council, or that people have given up asking: read it with unmet need."),
    "caseload_long_term": (
        "Long-term statutory caseload", "people with a long-term package", ",.0f", ",.0f",
        "People receiving long-term services: home care, day care, residential care or Shared Lives. "
        "The caseload at the start was built up under the status quo during the warm-up."),
    "unmet_share": (
        "Unmet need", "share of all care and support need", ".0%", ".1%",
        "Hours of need that nobody meets (no service, not the person, nor their network or community), "
        "as a share of all need. A policy should not lower demand by leaving need unmet."),
    "isolation_rate": (
        "Isolation", "share of adults isolated", ".1%", ".2%",
        "Adults with few active ties and no group membership."),
    "cost_total": (
        "Weekly cost", "£ a week", "£,.0f", ",.0f",
        "Statutory services (home care hours, day care, residential care, Shared Lives, reablement) plus "
        "front-door staff and community investment."),
}

# Summary rows: measure of the run summary -> (label, kind); kind picks the number format.
SUMMARY_ROWS = {
    "contacts_per_1000_per_year": ("Contacts a year per 1,000 adults", "rate"),
    "share_resolved_first_contact": ("Contacts resolved at first contact", "share"),
    "share_handled_at_gateway": ("Contacts handled without a full assessment", "share"),
    "statutory_per_contact": ("Long-term services started per contact", "share"),
    "recontact_26w_share": ("Contacts that return within 26 weeks", "share"),
    "statutory_starts": ("Statutory service starts, whole period", "count"),
    "care_home_admissions": ("Care-home admissions the council funds, whole period", "count"),
    "caseload_long_term_mean": ("Long-term caseload, mean", "count"),
    "mean_wait_weeks": ("Wait at the front door, weeks", "rate"),
    "unmet_share": ("Unmet need, share of all need", "share"),
    "isolation_rate": ("Adults isolated", "share"),
    "wellbeing_p10": ("Wellbeing of the worst-off 10% (0-1)", "index"),
    "carer_strain_mean": ("Carer strain (0-1)", "index"),
    "care_hours_per_adult": ("Unpaid care given, hours a week per adult", "rate"),
    "carer_breakdowns": ("Carers' breakdowns, whole period", "count"),
    "statutory_per_adult_year": ("Statutory spend per adult a year", "pounds"),
    "cost_statutory": ("Cost of statutory services, whole period", "money"),
    "cost_total": ("Total cost, whole period", "money"),
}

_PLOT_CONFIG = {"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


def _cell(mean: float | None, low: float | None, high: float | None, kind: str, signed: bool = False) -> str:
    band = (f"<span class='band'>{number(low, kind, signed)} to {number(high, kind, signed)}</span>"
            if low is not None else "")
    return f"<td><span class='v'>{number(mean, kind, signed)}</span>{band}</td>"


def _summary_html(summary: pl.DataFrame, arms: list[str], names: dict[str, str], baselines: list[str],
                  versus: str) -> str:
    """Measures as rows; a column per arm, then one per arm's paired difference from the status quo (``versus``)."""
    others = [p for p in arms if p not in baselines]
    head = "".join(f"<th>{html.escape(names[p])}</th>" for p in arms)
    if baselines:
        head += "".join(f"<th>{html.escape(names[p])}<br><span class='sub'>minus {html.escape(versus)}"
                        "</span></th>" for p in others)
    rows = []
    for measure, (name, kind) in SUMMARY_ROWS.items():
        found = {r["arm"]: r for r in summary.filter(pl.col("measure") == measure).iter_rows(named=True)}
        if not found:
            continue
        cells = [_cell(*(found[p][k] for k in ("mean", "p10", "p90")), kind) if p in found else "<td>–</td>"
                 for p in arms]
        if baselines:
            cells += [_cell(*(found[p][k] for k in ("diff_mean", "diff_p10", "diff_p90")), kind, signed=True)
                      if p in found else "<td>–</td>" for p in others]
        rows.append(f"<tr><th scope='row'>{html.escape(name)}</th>{''.join(cells)}</tr>")
    return (f"<table class='summary'><thead><tr><th>Measure (mean across runs; 10-90% below)</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _headline(summary: pl.DataFrame, arm: str, name: str, versus: str, years: float,
              problems: list[guard_rails.Problem]) -> str:
    """One sentence per arm: its paired differences from the status quo on the measures leaders ask about first,
    and how often it costs less; where the comparison means nothing (``problems``), why, and no chance of costing
    less."""
    def row(measure: str) -> dict:
        return summary.filter(pl.col("arm") == arm, pl.col("measure") == measure).row(0, named=True)

    def diff(measure: str, kind: str) -> str:
        found = row(measure)
        return (f"<b>{number(found['diff_mean'], kind, signed=True)}</b> "
                f"<span class='band-inline'>({number(found['diff_p10'], kind, signed=True)} to "
                f"{number(found['diff_p90'], kind, signed=True)})</span>")
    chance = chance_text(row("cost_total"))
    cheaper = f", costs less <b>{chance}</b>" if chance and not problems else ""
    reasons = html.escape("; ".join(p.title.lower() for p in problems))
    refused = (f": <b class='refused'>not a comparison to decide on</b> ({reasons}: see the decision brief), so none of "
               "its differences is a saving;" if problems else "")
    return (f"<li><b>{html.escape(name)}</b> against {html.escape(versus)}{refused} "
            f"over {years:.0f} years: total cost {diff('cost_total', 'money')}{cheaper}; contacts a year per 1,000 adults "
            f"{diff('contacts_per_1000_per_year', 'rate')}; long-term caseload {diff('caseload_long_term_mean', 'count')}; "
            f"unmet need {diff('unmet_share', 'share')}; isolation {diff('isolation_rate', 'share')}.</li>")


def _chart(div_id: str, title: str, text: str, fig) -> str:
    body = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=_PLOT_CONFIG,
                       default_height=f"{fig.layout.height}px")
    caption = f"<p>{text}</p>" if text else ""
    return f"<figure class='chart'><h3>{html.escape(title)}</h3>{caption}{body}</figure>"


def _place_config(sweep: Sweep, population: str, scenario: str) -> dict:
    """The resolved config of one run in this place (horizon and shock are the same for all its runs)."""
    run = sweep.metadata.filter(pl.col("population") == population, pl.col("scenario") == scenario)["run_dir"][0]
    return sweep.config(run)


def _section(index: int, place: Comparison, sweep: Sweep, data: dict[str, pl.DataFrame],
             setting: provenance.Setting) -> str:
    population, scenario = place.population, place.scenario
    where = (pl.col("population") == population) & (pl.col("scenario") == scenario)
    bands, funnel, cost_diff = (place.of_arms(data[name].filter(where)) for name in ("bands", "funnel", "cost_diff"))
    summary, design, names, versus = place.summary, place.design, place.names, place.versus
    baselines, arms = list(place.baselines), list(place.arms)
    colours = figures.policy_colours(arms, baseline=baselines[0] if baselines else tables.BASELINE_POLICY)
    config = _place_config(sweep, population, scenario)
    sc = config["scenario"]
    shock = Shock(sc["name"], sc["start_week"], sc["duration_weeks"])
    weeks = int(bands["week"].max()) + 1
    runs = dict(funnel.select("arm", "runs").iter_rows())
    spanned = place.replicates
    shock_text = (f" The {html.escape(label(sc['name']).lower())} shock lasts from week {shock.start_week} for "
                  f"{shock.duration_weeks} weeks (shaded)." if shock.duration_weeks > 0 else " No shock.")
    run_text = ", ".join(f"{names[p]} {runs[p]}" for p in arms)
    factorial_text = (f" This sweep is a factorial of {design.arms} arms: this section shows the main "
                      f"job's two, and <a href='#decomposition-{index}'>where the difference comes from</a> below "
                      f"uses them all." if design is not None else "")
    parts = [
        f"<section id='place-{index}'><h2>{html.escape(place_name(population))}, {html.escape(label(scenario).lower())} scenario</h2>",
        f"<p class='lead'>About {setting.adults:,.0f} adults. {setting.warmup_text} of warm-up under the status quo, "
        f"then {weeks} weeks ({weeks / 52:.1f} years) under each policy; runs per policy: {html.escape(run_text)} "
        f"({count_text(spanned)}).{shock_text}{factorial_text}</p>",
    ]
    others = [p for p in arms if p not in baselines]
    if baselines and others:
        span = "year" if weeks >= 2 * guard_rails.WINDOW_WEEKS else "half"
        rows = {arm: {r["measure"]: r for r in summary.filter(pl.col("arm") == arm).iter_rows(named=True)}
                for arm in arms}
        lines = [_headline(summary, p, names[p], versus, weeks / 52,
                           guard_rails.problems(rows[p], rows[baselines[0]], names[p], versus, setting.warmup_text, span))
                 for p in others]
        parts.append(f"<ul class='headline'>{''.join(lines)}</ul>")
        parts.append("<p class='note'>Differences are paired run by run (the same seed and posterior member: the same "
                     "town, life events and parameters under both policies) and given as the mean, with the 10th to "
                     f"90th percentile across the pairs in brackets. The pairs: {count_text(spanned)}; "
                     f"{coverage_text(spanned)}. The probability is the share of the pairs in which the policy's "
                     "total cost is lower.</p>")
    parts.append(_summary_html(summary, arms, names, baselines, versus))
    charts = []
    for measure, (title, y_title, y_format, hover_format, text) in CURVES.items():
        fig = figures.band_figure(bands.filter(pl.col("measure") == measure), colours, y_title, y_format,
                                  hover_format, shock, key="arm", names=names)
        charts.append(_chart(f"p{index}-{measure}", title, html.escape(text), fig))
    if cost_diff.height:
        charts.append(_chart(
            f"p{index}-cost-difference", f"Cumulative cost against {versus}",
            f"Each run under the policy minus the paired run (the same seed and posterior member) under "
            f"{html.escape(versus)}, added up week by week. Below zero the policy has "
            "cost less so far; the band shows how sure that is across the paired runs.",
            figures.cost_difference_figure(cost_diff, {a: c for a, c in colours.items() if a not in baselines}, shock,
                                           key="arm", names=names)))
    parts.append(f"<div class='grid'>{''.join(charts)}</div>")
    parts.append("<h3 class='funnel-title'>The front-door funnel</h3><p>Where contacts go, a year on average across "
                 "runs, drawn to the same scale for every policy. The shares are not set by the policy: they emerge from each person's need, their own "
                 "resources, the help their network and community can give, and the staff time available.</p>")
    rows = {row["arm"]: row for row in funnel.iter_rows(named=True)}
    scale = figures.funnel_scale(list(rows.values()))
    sankeys = [_chart(f"p{index}-funnel-{re.sub(r'[^A-Za-z0-9_-]+', '-', p)}", names[p], "",
                      figures.funnel_figure(rows[p], colours[p], scale)) for p in arms]
    parts.append(f"<div class='grid'>{''.join(sankeys)}</div></section>")
    if design is not None:
        parts.append(_decomposition_section(index, population, scenario, design))
    return "".join(parts)


# The headline measures decomposed: summary measure -> (name in the tables, panel title with unit, kind).
DECOMPOSED = {
    "cost_total": ("Total cost, whole period", "Total cost, £m", "money"),
    "cost_statutory": ("Cost of statutory services, whole period", "Statutory cost, £m", "money"),
    "caseload_long_term_mean": ("Long-term caseload, mean", "Long-term caseload", "count"),
    "contacts_per_1000_per_year": ("Contacts a year per 1,000 adults", "Contacts a year per 1,000", "rate"),
    "statutory_starts": ("New statutory service starts, whole period", "New statutory starts", "count"),
    "care_home_admissions": ("Care-home admissions the council funds, whole period", "Care-home admissions", "count"),
    "unmet_share": ("Unmet need, share of all need", "Unmet need, pp", "share"),
    "isolation_rate": ("Adults isolated", "Isolation, pp", "share"),
    "mean_wait_weeks": ("Wait at the front door, weeks", "Mean wait, weeks", "rate"),
}
_PART_DECIMALS = {"share": 2, "money": 2, "count": 1, "rate": 2, "index": 3}  # parts are smaller than levels


def _switch_text(lever: str, levels: tuple) -> str:
    """What switching a lever means: ``strengths-based review instead of standard review``."""
    return BY_NAME[lever].switch_text(levels)


def _short_switch(lever: str, levels: tuple) -> str:
    """A lever's switch in a few words, for an axis."""
    return BY_NAME[lever].short(levels[1])


def _setting_text(setting: dict) -> str:
    return ", ".join(level_text(k, v) if k != "policy" else f"{label(v).lower()} front door"
                     for k, v in setting.items())


def _pf(value: float, kind: str, signed: bool = True) -> str:
    """A part of a difference, formatted."""
    return number(value, kind, signed, _PART_DECIMALS[kind])


def _percent(ratio: float) -> str:
    return f"{abs(ratio) if round(ratio, 2) == 0 else ratio:.0%}"  # no "-0%"


def _moves(value: float, kind: str) -> str:
    """``raises it by 2.06 pp`` (a difference, so shares in points), or ``leaves it unchanged`` if it shows as 0."""
    shown = _pf(abs(value), kind).lstrip("+")
    if shown == _pf(0.0, kind):
        return "leaves it unchanged"
    return f"raises it by {shown}" if value > 0 else f"lowers it by {shown}"


def _drivers(name: str, kind: str, total: dict, shapley: dict[str, dict], alone: dict[str, dict],
             interaction: dict) -> str:
    """The plain-words sentence for one measure of the main comparison: which lever drives its difference."""
    t = total["mean"]
    clear = not (total["p10"] <= 0 <= total["p90"])
    head = (f"<b>{html.escape(name)}</b>: {_pf(t, kind)} "
            f"<span class='band-inline'>({_pf(total['p10'], kind)} to {_pf(total['p90'], kind)})</span>")
    ranked = sorted(shapley, key=lambda k: -abs(shapley[k]["mean"]))
    same_way = t != 0 and all(shapley[k]["mean"] * t >= 0 for k in ranked)
    if same_way:
        shares = {k: shapley[k]["mean"] / t for k in ranked}
        first, second = ranked[0], ranked[1]
        if shares[first] >= 0.6:
            words = (f"mostly the {BY_NAME[first].label} ({_percent(shares[first])} of it), the "
                     f"{BY_NAME[second].label} {_percent(shares[second])}")
        else:
            words = (f"the {BY_NAME[first].label} and the {BY_NAME[second].label} about equally "
                     f"({_percent(shares[first])} and {_percent(shares[second])})")
    else:
        words = "; ".join(f"the {BY_NAME[k].label} {_moves(shapley[k]['mean'], kind)}" for k in ranked)
    if all(_pf(row[k], kind, signed=False) == _pf(0.0, kind, signed=False)
           for row in (total, *shapley.values()) for k in ("mean", "p10", "p90")):
        return f"<li>{head}: no difference at this precision, from either lever.</li>"
    text = (f"{head}: {words}." if clear else
            f"{head}, no clear difference (the band across runs spans zero); {words}.")
    biggest = max(abs(a["mean"]) for a in alone.values())
    if not (interaction["p10"] <= 0 <= interaction["p90"]) and abs(interaction["mean"]) >= 0.2 * biggest:
        each = " and ".join(f"{_pf(alone[k]['mean'], kind)} for the {BY_NAME[k].label}" for k in alone)
        text += (f" The two levers interact: switched together they change it by {_pf(interaction['mean'], kind)} "
                 f"beyond the sum of each switched alone ({each}).")
    return f"<li>{text}</li>"


def _decomposition_section(index: int, population: str, scenario: str, design: Design) -> str:
    """'Where the difference comes from': the main comparison's difference split among its levers, and the
    effect of every lever at every setting of the others."""
    measures = list(DECOMPOSED)
    levers = list(comparison.FACTORIAL)
    parts = decomposition.decompose(design.cells, levers, design.start, design.end, measures)
    main = decomposition.band(parts, ["kind", "part"], measures)
    effects = decomposition.lever_effects(design.cells, design.levels, measures)
    settings = decomposition.band(effects, ["lever", *design.levels], measures)
    switched = [k for k in levers if design.start[k] != design.end[k]]  # the front door and review practice
    interaction = decomposition.JOIN.join(switched)
    found = {(r["kind"], r["part"], r["measure"]): r for r in main.iter_rows(named=True)}
    start, end = design.start, design.end

    # The main comparison, lever by lever.
    head = ("<tr><th rowspan='2'>Measure (mean across runs; 10-90% below)</th><th rowspan='2'>Difference</th>"
            "<th colspan='3'>Each alone, and the interaction<br><span class='sub'>add up to the difference</span></th>"
            "<th colspan='2'>Shapley contributions<br><span class='sub'>add up to the difference</span></th></tr><tr>"
            + "".join(f"<th>{html.escape(BY_NAME[k].label.capitalize())} alone</th>" for k in switched)
            + "<th>Interaction</th>"
            + "".join(f"<th>{html.escape(BY_NAME[k].label.capitalize())}</th>" for k in switched) + "</tr>")
    rows, sentences, panels = [], [], []
    for measure, (name, title, kind) in DECOMPOSED.items():
        def get(kind_, part):
            return found[(kind_, part, measure)]
        total, inter = get("total", "total"), get("interaction", interaction)
        alone = {k: get("alone", k) for k in switched}
        shapley = {k: get("shapley", k) for k in switched}

        same_way = total["mean"] != 0 and all(shapley[k]["mean"] * total["mean"] >= 0 for k in switched)

        def cell(row, share=False):
            sub = ""  # a share only where every contribution goes the way of the difference (else over 100%)
            if share and same_way:
                sub = f"<span class='band'>{_percent(row['mean'] / total['mean'])} of the difference</span>"
            return (f"<td><span class='v'>{_pf(row['mean'], kind)}</span><span class='band'>{_pf(row['p10'], kind)} to "
                    f"{_pf(row['p90'], kind)}</span>{sub}</td>")
        rows.append(f"<tr><th scope='row'>{html.escape(name)}</th>{cell(total)}"
                    + "".join(cell(alone[k]) for k in switched) + cell(inter)
                    + "".join(cell(shapley[k], share=True) for k in switched) + "</tr>")
        sentences.append(_drivers(name, kind, total, shapley, alone, inter))
        scale = KINDS[kind][0]

        def part(group, row, colour, extra=""):
            return figures.Part(group, row["mean"] * scale, row["p10"] * scale, row["p90"] * scale, colour,
                                f"{group}: {_pf(row['mean'], kind)} (10-90%: {_pf(row['p10'], kind)} to "
                                f"{_pf(row['p90'], kind)}){extra}")
        panels.append(figures.Panel(title, tuple(
            [part(BY_NAME[k].label.capitalize(), shapley[k], figures.PART_COLOURS[k],
                  f"<br>alone {_pf(alone[k]['mean'], kind)}, plus half the interaction "
                  f"{_pf(inter['mean'] / 2, kind)}") for k in switched]
            + [part("Difference", total, figures.PART_COLOURS["total"])])))
    table = (f"<table class='summary decomposition'><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>")

    # Each lever at each setting of the others.
    effect_rows, effect_sentences, effect_panels = [], [], []
    lever_head = "".join(f"<th>{html.escape(_switch_text(k, v).capitalize())}</th>" for k, v in design.levels.items())
    for measure, (name, title, kind) in DECOMPOSED.items():
        scale = KINDS[kind][0]
        mine = settings.filter(pl.col("measure") == measure)
        cells, average, points = [], {}, []
        for lever, lv in design.levels.items():
            at = mine.filter(pl.col("lever") == lever)
            average[lever] = at["mean"].mean()
            cells.append(f"<td><span class='v'>{_pf(average[lever], kind)}</span><span class='band'>"
                         f"{_pf(at['mean'].min(), kind)} to {_pf(at['mean'].max(), kind)}</span></td>")
            for row in at.iter_rows(named=True):
                setting = {k: row[k] for k in design.levels if k != lever}
                marked = all(v == design.levels[k][0] for k, v in setting.items())
                points.append(figures.Part(
                    _short_switch(lever, lv), row["mean"] * scale, row["p10"] * scale, row["p90"] * scale,
                    figures.PART_COLOURS[lever],
                    f"{_switch_text(lever, lv).capitalize()}: {_pf(row['mean'], kind)} (10-90%: {_pf(row['p10'], kind)} "
                    f"to {_pf(row['p90'], kind)})<br>with {_setting_text(setting)}", marked))
        effect_rows.append(f"<tr><th scope='row'>{html.escape(name)}</th>{''.join(cells)}</tr>")
        effect_panels.append(figures.Panel(title, tuple(points)))
        largest = max(average, key=lambda k: abs(average[k]))
        text = (f"<b>{html.escape(name)}</b>: the largest effect is {html.escape(_switch_text(largest, design.levels[largest]))} "
                f"({_pf(average[largest], kind)} on average over the other levers' settings).")
        door = mine.filter(pl.col("lever") == "policy")
        contexts = [" and ".join(f"{_pf(door.filter(pl.col(context) == lv)['mean'].mean(), kind)} with "
                                 f"{level_text(context, lv)}" for lv in design.levels[context])
                    for context in (lever.name for lever in CONTEXT_LEVERS) if context in design.levels]
        if contexts:
            text += f" The front door's effect is {'; '.join(contexts)}."
        effect_sentences.append(f"<li>{text}</li>")
    effect_table = (f"<table class='summary decomposition'><thead><tr><th>Measure: effect of switching the lever "
                    f"(mean over the other levers' settings; lowest to highest setting below)</th>{lever_head}</tr>"
                    f"</thead><tbody>{''.join(effect_rows)}</tbody></table>")

    held = "".join(f" {BY_NAME[k].label.capitalize()} is held at {html.escape(level_text(k, v))} throughout"
                   + (" (the sweep has more levels of it; a decomposition takes two)." if k in design.extra else ".")
                   for k, v in design.held.items())
    left_out = (f" {len(design.incomplete)} replicate(s) lack a cell of the factorial and are left out "
                f"({', '.join(f'member {m}, seed {s}' if m != -1 else f'seed {s}' for m, s in design.incomplete)})."
                if design.incomplete else "")
    contexts = [k for k in design.levels if k not in switched]
    context_text = (" The " + " and ".join(BY_NAME[k].label for k in contexts)
                    + " are the same in both arms of the main job, so they contribute nothing to its difference; "
                    "the second part below shows what they do, and how they change what the front door and the "
                    "review practice do." if contexts else "")
    lever_list = "; ".join(f"{BY_NAME[k].label} ({html.escape(level_text(k, v[0]))} or {html.escape(level_text(k, v[1]))})"
                           for k, v in design.levels.items())
    return "".join([
        f"<section id='decomposition-{index}'><h2>Where the difference comes from: {html.escape(place_name(population))}, "
        f"{html.escape(label(scenario).lower())} scenario</h2>",
        f"<p class='lead'>The main job compares <b>{html.escape(_setting_text(start))}</b> with "
        f"<b>{html.escape(_setting_text(end))}</b>. Those two arms differ in the front door and in the review practice "
        f"at once. This sweep ran every combination of {lever_list}: {design.arms} arms, each on the same "
        f"{count_text(design.replicates)}, so the part each lever plays can be told apart.{held}{left_out}</p>",
        "<p class='note'>Every arm is run on the same seeds and posterior members (common random numbers: a seed gives "
        "the same town and life events, a member the same parameters), so every part is computed run by run, paired "
        "by seed and member, and the ranges are the 10th to 90th percentile across the "
        f"{design.replicates.runs} paired runs: {coverage_text(design.replicates)}. They do not say whether the model "
        "is right (see how the model compares with the evidence, below).</p>",
        f"<h3>The main comparison, lever by lever</h3><p>Each lever <i>alone</i> is its effect switched by itself from "
        f"{html.escape(_setting_text(start))}; the <i>interaction</i> is what switching both does beyond the two "
        "alone; the three add up to the difference. The <i>Shapley contribution</i> of a lever is the average of "
        "its effect switched first and switched second, so the interaction is shared equally and the two "
        f"contributions add up exactly to the difference.{context_text}</p>",
        table,
        f"<ul class='headline'>{''.join(sentences)}</ul>",
        _chart(f"d{index}-contributions", "The difference and the two levers' contributions",
               "Bars: the mean across runs of each lever's Shapley contribution and of the whole difference "
               "(community first minus service first); lines: 10th to 90th percentile across runs.",
               figures.contributions_figure(panels)),
        "<h3>What each lever does, at each setting of the others</h3><p>The paired difference made by switching "
        "one lever with the others held, at every setting of the others: the mean over those settings, and the "
        "lowest and highest. Where the range is wide the lever's effect depends on the others.</p>",
        effect_table,
        f"<ul class='headline'>{''.join(effect_sentences)}</ul>",
        _chart(f"d{index}-effects", "Each lever's effect at every setting of the others",
               "A point per setting of the other levers (hover to see which), with the 10th to 90th percentile "
               "across runs; the large solid point has the others at the status quo's.",
               figures.effects_figure(effect_panels)),
        "</section>",
    ])


def _provenance(sweep: Sweep, found: provenance.Provenance) -> str:
    """The footer: the provenance the brief shows too (``analysis.provenance``), the sweep and the packages."""
    packages = ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in sweep.packages.items())
    return (f"<footer><h2>Provenance</h2><ul>" + "".join(f"<li>{item}</li>" for item in provenance.items(found))
            + f"<li>Sweep: <code>{html.escape(str(sweep.root))}</code>, "
            f"{sweep.metadata['seconds'].sum() / 60:.1f} minutes of simulation.</li><li>Packages: {packages}.</li>"
            f"<li>Each run directory holds its resolved <code>config.yaml</code> and <code>metadata.json</code>.</li>"
            "</ul></footer>")


def _warnings(sweep: Sweep) -> str:
    notes = []
    if sweep.problems:
        items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in sweep.problems)
        notes.append(f"<p><b>{len(sweep.problems)} run(s) left out</b> of this report:</p><ul>{items}</ul>")
    if sweep.metadata["git_revision"].n_unique() > 1:
        notes.append("<p><b>The runs come from more than one state of the code</b> (see Provenance), so they may mix "
                     "versions of the model. To compare like with like, run the sweep again into a new directory.</p>")
    return f"<div class='warning'>{''.join(notes)}</div>" if notes else ""


def build_report(sweep: Sweep, sensitivity_dir: str | Path | None = None,
                 break_even_dir: str | Path = brief.BREAK_EVEN_DIR) -> str:
    """The report's HTML for ``sweep``, opening with its decision brief (``analysis.brief``, whose break-even is
    read from ``break_even_dir``), with the sensitivity experiment in ``sensitivity_dir`` if given."""
    steps, summary = sweep.scan("steps"), sweep.scan("summary")
    data = {
        "bands": tables.weekly_bands(steps),
        "cost_diff": tables.cumulative_cost_difference(steps),
        "summary": tables.summary_table(brief.run_measures(sweep)),
        "funnel": tables.funnel(steps),
        "runs": summary.select(*RUN_KEYS, *[pl.col(m).cast(pl.Float64) for m in DECOMPOSED]).collect(),
    }
    compared = brief.places(data["summary"], data["runs"])
    found = provenance.provenance(sweep)
    places = [(place.population, place.scenario) for place in compared]
    spanned = replicates.replicates(sweep.metadata)
    sections = "".join(_section(i, place, sweep, data, found.setting(place.population, place.scenario))
                       for i, place in enumerate(compared))
    sections += evidence.section(evidence.evaluate(sweep, evidence.load_figures()))
    sections += calibration.section(calibration.load())
    if sensitivity_dir is not None:
        sections += sensitivity.section(sensitivity.load(sensitivity_dir))
    toc = ("<nav><b>Places and scenarios:</b> " + " · ".join(
        f"<a href='#place-{i}'>{html.escape(place_name(pop))}, {html.escape(label(sc).lower())}</a>"
        for i, (pop, sc) in enumerate(places)) + "</nav>") if len(places) > 1 else ""
    return _PAGE.format(
        plotly_js=plotly.offline.get_plotlyjs(),
        title=html.escape(brief.title(compared)),
        runs=len(sweep.runs), count=count_text(spanned), coverage=coverage_text(spanned), warnings=_warnings(sweep),
        toc=toc, sections=sections, brief=brief.brief_html(found, compared, break_even_dir), brief_css=brief.CSS,
        low=round(tables.LOW * 100), high=round(tables.HIGH * 100), provenance=_provenance(sweep, found),
        smooth=tables.SMOOTH_WEEKS,
    )


def write_report(sweep_dir: str | Path, output: str | Path | None = None,
                 sensitivity_dir: str | Path | None = None, break_even_dir: str | Path = brief.BREAK_EVEN_DIR) -> Path:
    """Build the report of ``sweep_dir`` and write it atomically to ``output`` (default ``<sweep_dir>/report.html``)."""
    sweep = open_sweep(sweep_dir)
    out = Path(output) if output is not None else Path(sweep_dir) / "report.html"
    page = build_report(sweep, sensitivity_dir, break_even_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda path: path.write_text(page, encoding="utf-8"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.report", description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", help="directory of a sweep (or of one run)")
    parser.add_argument("-o", "--output", help="HTML file to write (default: <sweep_dir>/report.html)")
    parser.add_argument("--sensitivity", metavar="DIR",
                        help="add the sensitivity experiment in DIR (python -m experiments.sensitivity)")
    parser.add_argument("--break-even", metavar="DIR", default=str(brief.BREAK_EVEN_DIR),
                        help=f"the break-even sweep the brief reads (default: {brief.BREAK_EVEN_DIR})")
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SweepWarning)
            out = write_report(args.sweep_dir, args.output, args.sensitivity, args.break_even)
    except (SweepError, sensitivity.SensitivityError, ConfigError) as error:
        print(f"report: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a read-only or full disk: one line, not a traceback
        target = args.output or Path(args.sweep_dir) / "report.html"
        print(f"report: cannot write {target}: {error.strerror or error}", file=sys.stderr)
        return 2
    for warning in caught:
        print(f"report: warning: {warning.message}", file=sys.stderr)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #1f2933;
         margin: 0; background: #f5f7fa; line-height: 1.45; }}
  main {{ max-width: 1240px; margin: 0 auto; padding: 24px 28px 40px; background: #fff; }}
  h1 {{ font-size: 1.7rem; margin: 0 0 4px; }} h2 {{ font-size: 1.35rem; margin: 36px 0 6px; border-bottom: 2px solid #e4e7eb;
       padding-bottom: 4px; }} h3 {{ font-size: 1.02rem; margin: 0 0 2px; }}
  .intro {{ background: #f0f4f8; border-radius: 6px; padding: 10px 18px; margin: 14px 0; }}
  .intro li {{ margin: 3px 0; }}
  .warning {{ background: #fff8e1; border-left: 4px solid #f0b429; padding: 8px 16px; margin: 14px 0; }}
  .warning code {{ font-size: 0.85em; word-break: break-all; }}
  .lead {{ color: #3e4c59; }} .note {{ color: #52606d; font-size: 0.9rem; margin-top: 0; }}
  .headline li {{ margin: 4px 0; }} .band-inline {{ color: #616e7c; font-size: 0.9em; }}
  table.summary {{ border-collapse: collapse; margin: 10px 0 18px; font-size: 0.92rem; }}
  table.summary th, table.summary td {{ padding: 5px 12px; border-bottom: 1px solid #e4e7eb; text-align: right;
       vertical-align: top; }}
  table.summary th[scope=row], table.summary thead th:first-child {{ text-align: left; font-weight: 500; }}
  table.summary thead th {{ background: #f0f4f8; font-weight: 600; }}
  table.summary .v {{ display: block; font-variant-numeric: tabular-nums; }}
  table.decomposition thead tr + tr th {{ text-align: right; }}
  table.summary .band, .sub {{ display: block; color: #7b8794; font-size: 0.8em; font-weight: 400; }}
  .grid {{ display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px 26px; align-items: start; }}
  @media (max-width: 900px) {{ .grid {{ grid-template-columns: minmax(0, 1fr); }} }}
  figure.chart {{ margin: 0; min-width: 0; }} figure.chart p {{ margin: 2px 0 4px; color: #52606d; font-size: 0.88rem; min-height: 4.2em; }}
  .funnel-title {{ margin-top: 24px; }}
  nav {{ margin: 8px 0; }} nav a {{ color: #2f6fab; }}
  table.evidence td, table.evidence th {{ text-align: left; }}
  table.evidence td.source {{ color: #52606d; font-size: 0.85em; max-width: 26em; }}
  table.evidence td.outside {{ color: #b42318; font-weight: 600; }} table.evidence td.within {{ color: #1b7f3b; }}
  .headline .refused {{ color: #b42318; }}
  footer {{ color: #52606d; font-size: 0.85rem; }} footer h2 {{ font-size: 1.05rem; }}
</style>
<style>{brief_css}</style>
<script type="text/javascript">{plotly_js}</script>
</head><body><main>
<h1>{title}</h1>
{warnings}{brief}
<div class="intro"><b>How to read this report.</b><ul>
<li>The model simulates every resident of a town, their family, friends and neighbours, local groups, and the council's
front door. Each run starts with a warm-up under today's service-first front door, then switches to the policy named.
This report compares {runs} runs.</li>
<li><b>Same town, same events, same parameters.</b> A seed fixes the town and every life event in it (who develops a
need, who has a fall, who dies). A posterior member fixes the values of the parameters the evidence does not pin down:
it is one of the sets of values the calibration found to fit the published figures (<code>docs/calibration.md</code>).
Each policy is run on the same seeds and members, so differences between policies come from the policy, not from chance
or from a different choice of parameters.</li>
<li><b>Lines and bands.</b> Lines are the mean across runs; shaded bands run from the {low}th to the {high}th percentile
across runs. Each policy is run on {count}, so {coverage}. Where each parameter's value comes from:
<code>docs/evidence.md</code>. Demand is averaged over {smooth} weeks.</li>
<li><b>Nothing at the front door is fixed in advance.</b> How many contacts are resolved, signposted, given a community
plan or a service emerges from each person's need and resources, their network and community, and staff time.</li>
<li>This is a model to compare policies, not a forecast for a particular council.</li>
</ul></div>
{toc}{sections}
{provenance}
</main></body></html>
"""


if __name__ == "__main__":
    sys.exit(main())
