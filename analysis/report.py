"""The comparison report of a sweep: one self-contained HTML page (plotly.js inlined, works offline).

    python -m analysis.report results/sweeps/policy_comparison [-o report.html] [--sensitivity DIR]

For each place (population x scenario) in the sweep: a summary table with paired differences from
the status quo, curves of demand, caseload, unmet need, isolation and cost per policy with bands
across seeds, the cumulative cost difference from the status quo, and the front-door funnel of
each policy as a Sankey.  Written for council leaders: each chart says what it shows.
"""

from __future__ import annotations

import argparse
import html
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path

import plotly.io as pio
import plotly.offline
import polars as pl
import yaml

from model.outputs import CONFIG, atomic_write

from . import figures, sensitivity, tables
from .figures import Shock, label
from .sweep import Sweep, SweepError, SweepWarning, open_sweep

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
        "Weekly cost", "£ a week", ",.0f", ",.0f",
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
    "caseload_long_term_mean": ("Long-term caseload, mean", "count"),
    "mean_wait_weeks": ("Wait at the front door, weeks", "rate"),
    "unmet_share": ("Unmet need, share of all need", "share"),
    "isolation_rate": ("Adults isolated", "share"),
    "wellbeing_p10": ("Wellbeing of the worst-off 10% (0-1)", "index"),
    "carer_strain_mean": ("Carer strain (0-1)", "index"),
    "cost_statutory": ("Cost of statutory services, whole period", "money"),
    "cost_total": ("Total cost, whole period", "money"),
}

# Number formats: kind -> (multiplier, decimals); shares are shown in percent (differences in points), money in £m.
_KINDS = {"share": (100, 1), "money": (1e-6, 2), "count": (1, 0), "rate": (1, 1), "index": (1, 3)}

_PLOT_CONFIG = {"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


def _format(value: float | None, kind: str, signed: bool = False) -> str:
    """A number as leaders read it; ``signed`` for differences (percentage points for shares)."""
    if value is None:
        return "–"
    scale, decimals = _KINDS[kind]
    shown = round(value * scale, decimals)  # the sign is that of the number shown, so no "-0.0"
    sign = "+" if signed and shown > 0 else ("−" if shown < 0 else "")
    text = f"{abs(shown):,.{decimals}f}"
    if kind == "share":
        return f"{sign}{text} pp" if signed else f"{text}%"
    return f"{sign}£{text}m" if kind == "money" else sign + text


def _cell(mean: float | None, low: float | None, high: float | None, kind: str, signed: bool = False) -> str:
    band = (f"<span class='band'>{_format(low, kind, signed)} to {_format(high, kind, signed)}</span>"
            if low is not None else "")
    return f"<td><span class='v'>{_format(mean, kind, signed)}</span>{band}</td>"


def _summary_html(summary: pl.DataFrame, policies: list[str]) -> str:
    """Measures as rows; a column per policy, then one per policy's paired difference from the status quo."""
    others = [p for p in policies if p != tables.BASELINE_POLICY]
    has_baseline = tables.BASELINE_POLICY in policies
    head = "".join(f"<th>{html.escape(label(p))}</th>" for p in policies)
    if has_baseline:
        head += "".join(f"<th>{html.escape(label(p))}<br><span class='sub'>minus {html.escape(label(tables.BASELINE_POLICY).lower())}"
                        "</span></th>" for p in others)
    rows = []
    for measure, (name, kind) in SUMMARY_ROWS.items():
        found = {r["policy"]: r for r in summary.filter(pl.col("measure") == measure).iter_rows(named=True)}
        if not found:
            continue
        cells = [_cell(*(found[p][k] for k in ("mean", "p10", "p90")), kind) if p in found else "<td>–</td>"
                 for p in policies]
        if has_baseline:
            cells += [_cell(*(found[p][k] for k in ("diff_mean", "diff_p10", "diff_p90")), kind, signed=True)
                      if p in found else "<td>–</td>" for p in others]
        rows.append(f"<tr><th scope='row'>{html.escape(name)}</th>{''.join(cells)}</tr>")
    return (f"<table class='summary'><thead><tr><th>Measure (mean across seeds; 10-90% below)</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _headline(summary: pl.DataFrame, policy: str, years: float) -> str:
    """One sentence per policy: its paired differences from the status quo on the measures leaders ask about first."""
    def diff(measure: str, kind: str) -> str:
        row = summary.filter(pl.col("policy") == policy, pl.col("measure") == measure).row(0, named=True)
        return (f"<b>{_format(row['diff_mean'], kind, signed=True)}</b> "
                f"<span class='band-inline'>({_format(row['diff_p10'], kind, signed=True)} to "
                f"{_format(row['diff_p90'], kind, signed=True)})</span>")
    return (f"<li><b>{html.escape(label(policy))}</b> against {html.escape(label(tables.BASELINE_POLICY).lower())} "
            f"over {years:.0f} years: total cost {diff('cost_total', 'money')}; contacts a year per 1,000 adults "
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
    return yaml.safe_load((Path(run) / CONFIG).read_text())


def _section(index: int, population: str, scenario: str, sweep: Sweep, data: dict[str, pl.DataFrame]) -> str:
    where = (pl.col("population") == population) & (pl.col("scenario") == scenario)
    bands, summary = data["bands"].filter(where), data["summary"].filter(where)
    funnel, cost_diff = data["funnel"].filter(where), data["cost_diff"].filter(where)
    policies = sorted(funnel["policy"].to_list(), key=lambda p: (p != tables.BASELINE_POLICY, p))
    colours = figures.policy_colours(policies)
    config = _place_config(sweep, population, scenario)
    sc = config["scenario"]
    shock = Shock(sc["name"], sc["start_week"], sc["duration_weeks"])
    weeks = int(bands["week"].max()) + 1
    seeds = dict(funnel.select("policy", "seeds").iter_rows())
    adults = data["adults"].filter(where)["adults"][0]
    shock_text = (f" The {html.escape(label(sc['name']).lower())} shock lasts from week {shock.start_week} for "
                  f"{shock.duration_weeks} weeks (shaded)." if shock.duration_weeks > 0 else " No shock.")
    seed_text = ", ".join(f"{label(p)} {seeds[p]}" for p in policies)
    parts = [
        f"<section id='place-{index}'><h2>{html.escape(label(population))}, {html.escape(label(scenario).lower())} scenario</h2>",
        f"<p class='lead'>About {adults:,.0f} adults. {config['warmup_weeks']} weeks of warm-up under the status quo, "
        f"then {weeks} weeks ({weeks / 52:.1f} years) under each policy; seeds per policy: {html.escape(seed_text)}."
        f"{shock_text}</p>",
    ]
    others = [p for p in policies if p != tables.BASELINE_POLICY]
    if tables.BASELINE_POLICY in policies and others:
        parts.append(f"<ul class='headline'>{''.join(_headline(summary, p, weeks / 52) for p in others)}</ul>")
        parts.append("<p class='note'>Differences are paired by seed (same town, same life events) and given as the "
                     "mean, with the 10th to 90th percentile across seeds in brackets.</p>")
    parts.append(_summary_html(summary, policies))
    charts = []
    for measure, (title, y_title, y_format, hover_format, text) in CURVES.items():
        fig = figures.band_figure(bands.filter(pl.col("measure") == measure), colours, y_title, y_format,
                                  hover_format, shock)
        charts.append(_chart(f"p{index}-{measure}", title, html.escape(text), fig))
    if cost_diff.height:
        charts.append(_chart(
            f"p{index}-cost-difference", f"Cumulative cost against {label(tables.BASELINE_POLICY).lower()}",
            f"Each seed's run under the policy minus the same seed's run under "
            f"{html.escape(label(tables.BASELINE_POLICY).lower())}, added up week by week. Below zero the policy has "
            "cost less so far; the band shows how sure that is across seeds.",
            figures.cost_difference_figure(cost_diff, colours, shock)))
    parts.append(f"<div class='grid'>{''.join(charts)}</div>")
    parts.append("<h3 class='funnel-title'>The front-door funnel</h3><p>Where contacts go, a year on average across "
                 "seeds, drawn to the same scale for every policy. The shares are not set by the policy: they emerge from each person's need, their own "
                 "resources, the help their network and community can give, and the staff time available.</p>")
    rows = {row["policy"]: row for row in funnel.iter_rows(named=True)}
    scale = figures.funnel_scale(list(rows.values()))
    sankeys = [_chart(f"p{index}-funnel-{p}", label(p), "", figures.funnel_figure(rows[p], colours[p], scale))
               for p in policies]
    parts.append(f"<div class='grid'>{''.join(sankeys)}</div></section>")
    return "".join(parts)


def _provenance(sweep: Sweep) -> str:
    revisions = sweep.metadata.group_by("git_revision").len().sort("len", descending=True)
    revision_text = "; ".join(f"<code>{html.escape(r[:12] + ('-dirty' if r.endswith('-dirty') else ''))}</code> "
                              f"({n} runs)" for r, n in revisions.iter_rows())
    packages = ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in sweep.packages.items())
    return (f"<footer><h2>Provenance</h2><ul>"
            f"<li>Sweep: <code>{html.escape(str(sweep.root))}</code>, {len(sweep.runs)} runs, "
            f"{sweep.metadata['seconds'].sum() / 60:.1f} minutes of simulation.</li>"
            f"<li>Model revision: {revision_text}.</li><li>Packages: {packages}.</li>"
            f"<li>Each run directory holds its resolved <code>config.yaml</code> and <code>metadata.json</code>.</li>"
            f"<li>Report written {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.</li></ul></footer>")


def _warnings(sweep: Sweep) -> str:
    notes = []
    if sweep.problems:
        items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in sweep.problems)
        notes.append(f"<p><b>{len(sweep.problems)} run(s) left out</b> of this report:</p><ul>{items}</ul>")
    if sweep.metadata["git_revision"].n_unique() > 1:
        notes.append("<p><b>The runs come from more than one state of the code</b> (see Provenance), so they may mix "
                     "versions of the model. To compare like with like, run the sweep again into a new directory.</p>")
    return f"<div class='warning'>{''.join(notes)}</div>" if notes else ""


def build_report(sweep: Sweep, sensitivity_dir: str | Path | None = None) -> str:
    """The report's HTML for ``sweep``, with the sensitivity experiment in ``sensitivity_dir`` if given."""
    steps, summary = sweep.scan("steps"), sweep.scan("summary")
    data = {
        "bands": tables.weekly_bands(steps),
        "cost_diff": tables.cumulative_cost_difference(steps),
        "summary": tables.summary_table(summary),
        "funnel": tables.funnel(steps),
        "adults": steps.group_by(tables.PLACE).agg(pl.col("residents").mean().alias("adults")).collect(),
    }
    places = data["funnel"].select(tables.PLACE).unique(maintain_order=True).rows()
    seeds = sweep.metadata["seed"].n_unique()
    sections = "".join(_section(i, pop, sc, sweep, data) for i, (pop, sc) in enumerate(places))
    if sensitivity_dir is not None:
        sections += sensitivity.section(sensitivity.load(sensitivity_dir))
    toc = ("<nav><b>Places and scenarios:</b> " + " · ".join(
        f"<a href='#place-{i}'>{html.escape(label(pop))}, {html.escape(label(sc).lower())}</a>"
        for i, (pop, sc) in enumerate(places)) + "</nav>") if len(places) > 1 else ""
    return _PAGE.format(
        plotly_js=plotly.offline.get_plotlyjs(),
        title=html.escape(f"Front-door policies compared: {label(sweep.root.resolve().name)}"),
        runs=len(sweep.runs), seeds=seeds, warnings=_warnings(sweep), toc=toc, sections=sections,
        low=round(tables.LOW * 100), high=round(tables.HIGH * 100), provenance=_provenance(sweep),
        smooth=tables.SMOOTH_WEEKS,
    )


def write_report(sweep_dir: str | Path, output: str | Path | None = None,
                 sensitivity_dir: str | Path | None = None) -> Path:
    """Build the report of ``sweep_dir`` and write it atomically to ``output`` (default ``<sweep_dir>/report.html``)."""
    sweep = open_sweep(sweep_dir)
    out = Path(output) if output is not None else Path(sweep_dir) / "report.html"
    page = build_report(sweep, sensitivity_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda path: path.write_text(page, encoding="utf-8"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.report", description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", help="directory of a sweep (or of one run)")
    parser.add_argument("-o", "--output", help="HTML file to write (default: <sweep_dir>/report.html)")
    parser.add_argument("--sensitivity", metavar="DIR",
                        help="add the sensitivity experiment in DIR (python -m experiments.sensitivity)")
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SweepWarning)
            out = write_report(args.sweep_dir, args.output, args.sensitivity)
    except (SweepError, sensitivity.SensitivityError) as error:
        print(f"report: {error}", file=sys.stderr)
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
  table.summary .band, .sub {{ display: block; color: #7b8794; font-size: 0.8em; font-weight: 400; }}
  .grid {{ display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px 26px; align-items: start; }}
  @media (max-width: 900px) {{ .grid {{ grid-template-columns: minmax(0, 1fr); }} }}
  figure.chart {{ margin: 0; min-width: 0; }} figure.chart p {{ margin: 2px 0 4px; color: #52606d; font-size: 0.88rem; min-height: 4.2em; }}
  .funnel-title {{ margin-top: 24px; }}
  nav {{ margin: 8px 0; }} nav a {{ color: #2f6fab; }}
  footer {{ color: #52606d; font-size: 0.85rem; }} footer h2 {{ font-size: 1.05rem; }}
</style>
<script type="text/javascript">{plotly_js}</script>
</head><body><main>
<h1>{title}</h1>
<div class="intro"><b>How to read this report.</b><ul>
<li>The model simulates every resident of a town, their family, friends and neighbours, local groups, and the council's
front door. Each run starts with a warm-up under today's service-first front door, then switches to the policy named.
This report compares {runs} runs on {seeds} seeds.</li>
<li><b>Same town, same events.</b> A seed fixes the town and every life event in it (who develops a need, who has a fall,
who dies), and each policy is run on the same seeds, so differences between policies come from the policy, not chance.</li>
<li><b>Lines and bands.</b> Lines are the mean across seeds; shaded bands run from the {low}th to the {high}th percentile
across seeds: the spread chance alone gives. They do not include uncertainty in the model's parameters
(see <code>docs/evidence.md</code> for where each comes from). Demand is averaged over {smooth} weeks.</li>
<li><b>Nothing at the front door is fixed in advance.</b> How many contacts are resolved, signposted, given a community
plan or a service emerges from each person's need and resources, their network and community, and staff time.</li>
<li>This is a model to compare policies, not a forecast for a particular council.</li>
</ul></div>
{warnings}{toc}{sections}
{provenance}
</main></body></html>
"""


if __name__ == "__main__":
    sys.exit(main())
