"""The decision brief: what a council leader needs from a sweep on two printed A4 pages.

    python -m analysis.brief results/sweeps/policy_comparison [-o brief.html] [--pdf brief.pdf]
                             [--break-even results/sweeps/break_even]

For each policy against the status quo in each place: the headline differences (total cost a year,
demand, isolation, unmet need), each with its band and what the band covers (``analysis.replicates``);
the probability that the policy costs less (``tables.summary_table``'s ``lower`` of ``paired``); risk
flags in plain words, each with the number it rests on and its threshold, those that do not fire listed
as not seen so a reader knows they were looked for; then "what you would need to believe": the weakest
community capacity and the weakest encouragement to ask at which the policy still costs less, read from
a break-even sweep (``configs/experiment/break_even.yaml``), or where to get one.

The report (``analysis.report``) opens with the same fragment; the app shows the page this module writes
(``brief.html``); ``--pdf`` prints that page with headless Chromium.  Every difference is paired by
``analysis.tables`` and every place's arms are named by ``analysis.comparison``: nothing is computed twice.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import yaml

from model.config import CONFIG_DIR
from model.outputs import atomic_write
from model.params import ConfigError

from . import comparison, tables
from .comparison import Comparison
from .figures import label
from .replicates import Replicates, count_text, coverage_text, replicates
from .sweep import RUN_KEYS, Sweep, SweepError, SweepWarning, open_sweep
from .wording import chance_text, number, sweep_title

BREAK_EVEN_DIR = Path("results/sweeps/break_even")  # where the break_even preset writes, from the project
BREAK_EVEN_COMMAND = "python -m experiments.run --multirun +experiment=break_even"
BRIEF = "brief.html"  # the brief's own page in a sweep directory (the app shows it)
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))  # Debian's chromium; .ci/run installs it
# Flags for a quiet headless browser run as root in a sandbox-less container (no network use of its own).
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

# The headline: summary measure -> (name, kind, whether it is a whole-period total, shown a year). Differences of
# shares are small (isolation moves by hundredths of a point), so they are shown to two decimals.
HEADLINE = {
    "cost_total": ("Total cost a year", "money", True),
    "contacts_per_1000_per_year": ("Demand: contacts a year per 1,000 adults", "rate", False),
    "isolation_rate": ("Adults isolated", "share", False),
    "unmet_share": ("Unmet need, share of all need", "share", False),
}

# Risk thresholds: modelling choices made for this brief, not figures from the evidence; each flag says its own.
STRAIN_RISE = 0.05  # carer strain more than 5% above the status quo's
BREAKDOWNS_RISE = 0.5  # more than half a carer breakdown a year per 10,000 adults above the status quo
UNMET_AFTER_STEP_DOWN = 0.002  # unmet need 0.2 percentage points above the status quo's while stepping down more
UNMET_RISE = 0.005  # unmet need 0.5 points higher in the last year under the policy than in the first
LONG_WAIT_WEEKS = 4.0  # a mean wait at the front door of more than four weeks
QUEUE_GROWTH_WEEKS = 1.0  # the waiting list longer at the end by more than a week of new contacts
WINDOW_WEEKS = 52  # "first" and "last" year of a run (half the run, if it is shorter than two years)


def _risk_measures(steps: pl.LazyFrame) -> pl.LazyFrame:
    """Whole-run measures the flags read that the run summary (``model.summary``) does not hold, one row per run.

    ``unmet_share_rise`` and ``queue_growth_weeks`` compare the last year under the policy with the first
    (the halves of a run shorter than two years); the waiting list's growth is in weeks of new contacts.
    """
    years = pl.len() / 52
    window = pl.min_horizontal(pl.lit(WINDOW_WEEKS), pl.len() // 2).cast(pl.Int64)

    def rise(column: str) -> pl.Expr:
        ordered = pl.col(column).sort_by("week")
        return ordered.tail(window).mean() - ordered.head(window).mean()

    return steps.group_by(RUN_KEYS).agg(
        (10_000 * pl.col("carer_breakdowns").sum() / pl.col("residents").mean() / years)
        .alias("carer_breakdowns_per_10000_per_year"),
        (pl.col("step_downs").sum() / years).alias("step_downs_per_year"),
        rise("unmet_share").alias("unmet_share_rise"),
        (rise("queue_length") / pl.col("contacts").mean().replace(0, None)).alias("queue_growth_weeks"),
    )


def run_measures(sweep: Sweep) -> pl.LazyFrame:
    """Every run's summary (``summary.parquet``) with the risk measures from its weekly table: the input of
    ``tables.summary_table`` for the report and the brief."""
    return sweep.scan("summary").join(_risk_measures(sweep.scan("steps")), on=list(RUN_KEYS), how="left")


@dataclass(frozen=True)
class Flag:
    """One risk, checked: whether it is seen, and the numbers it rests on in plain words."""

    title: str
    seen: bool
    evidence: str


def flags(arm: dict[str, dict], base: dict[str, dict], span: str = "year") -> list[Flag]:
    """The risk flags of an arm against the status quo; ``arm`` and ``base`` map a measure to its row of
    ``tables.summary_table``; ``span`` names the windows a rise is measured between (``year``, or ``half``
    of a run shorter than two years)."""
    def mean(rows: dict[str, dict], measure: str) -> float:
        return rows[measure]["mean"]

    def diff(measure: str) -> float:
        return arm[measure]["diff_mean"]

    strain, strain_base = mean(arm, "carer_strain_mean"), mean(base, "carer_strain_mean")
    breakdowns, breakdowns_base = (mean(arm, "carer_breakdowns_per_10000_per_year"),
                                   mean(base, "carer_breakdowns_per_10000_per_year"))
    step_downs, step_downs_base = mean(arm, "step_downs_per_year"), mean(base, "step_downs_per_year")
    rise, rise_base = mean(arm, "unmet_share_rise"), mean(base, "unmet_share_rise")
    wait, growth = mean(arm, "mean_wait_weeks"), mean(arm, "queue_growth_weeks")
    growth_text = ("no new contacts to measure it by" if growth is None else
                   f"{number(growth, 'rate', signed=True)} weeks of new contacts")
    return [
        Flag("Carers under more strain", diff("carer_strain_mean") > STRAIN_RISE * strain_base,
             f"mean carer strain {number(strain, 'index')} against {number(strain_base, 'index')} "
             f"(paired difference {number(diff('carer_strain_mean'), 'index', signed=True)}; flagged above "
             f"{STRAIN_RISE:.0%} of the status quo's)"),
        Flag("More carers breaking down", diff("carer_breakdowns_per_10000_per_year") > BREAKDOWNS_RISE,
             f"{breakdowns:.1f} carer breakdowns a year per 10,000 adults against {breakdowns_base:.1f} (flagged "
             f"above {BREAKDOWNS_RISE:g} more)"),
        Flag("Unmet need where packages are stepped down",
             step_downs > step_downs_base and diff("unmet_share") > UNMET_AFTER_STEP_DOWN,
             f"{step_downs:.0f} packages stepped down a year against {step_downs_base:.0f}, with unmet need "
             f"{number(diff('unmet_share'), 'share', signed=True, decimals=2)} (flagged when it steps down more and "
             f"unmet need is more than {number(UNMET_AFTER_STEP_DOWN, 'share', signed=True)} higher; the runs "
             "do not follow stepped-down people one by one, so this reads the whole town's unmet need)"),
        Flag("Unmet need rising", rise > UNMET_RISE,
             f"unmet need {number(rise, 'share', signed=True, decimals=2)} from the first {span} under the policy to "
             f"the last ({number(rise_base, 'share', signed=True, decimals=2)} under the status quo; flagged above "
             f"{number(UNMET_RISE, 'share', signed=True)})"),
        Flag("Long waits at the front door", wait > LONG_WAIT_WEEKS,
             f"mean wait {wait:.1f} weeks against {mean(base, 'mean_wait_weeks'):.1f} (flagged above "
             f"{LONG_WAIT_WEEKS:g} weeks)"),
        Flag("A growing waiting list", growth is not None and growth > QUEUE_GROWTH_WEEKS,
             f"the waiting list changed by {growth_text} from the first {span} to the last (flagged above "
             f"{QUEUE_GROWTH_WEEKS:g} week)"),
    ]


def _rows(place: Comparison, arm: str) -> dict[str, dict]:
    return {row["measure"]: row for row in place.summary.filter(pl.col("arm") == arm).iter_rows(named=True)}


def _headline_table(arm: dict[str, dict], years: float) -> str:
    """The headline measures: the paired difference (mean) and its band (10th to 90th percentile of the pairs)."""
    cells = []
    for measure, (name, kind, whole_period) in HEADLINE.items():
        scale = 1 / years if whole_period else 1
        mean, low, high = (None if arm[measure][k] is None else arm[measure][k] * scale
                           for k in ("diff_mean", "diff_p10", "diff_p90"))
        decimals = 2 if kind == "share" else None
        cells.append(f"<tr><th scope='row'>{html.escape(name)}</th>"
                     f"<td class='v'>{number(mean, kind, signed=True, decimals=decimals)}</td>"
                     f"<td class='band'>{number(low, kind, signed=True, decimals=decimals)} to "
                     f"{number(high, kind, signed=True, decimals=decimals)}</td></tr>")
    return ("<table class='brief-headline'><thead><tr><th>Policy minus status quo</th><th>Mean</th>"
            f"<th>Band (10-90% of paired runs)</th></tr></thead><tbody>{''.join(cells)}</tbody></table>")


def _place_html(place: Comparison) -> str:
    """Every policy of one place against its status quo: headline, probability, flags."""
    base = _rows(place, place.baselines[0])
    years = base["weeks"]["mean"] / 52
    parts = []
    for arm_name in place.others:
        arm = _rows(place, arm_name)
        name = place.names[arm_name]
        chance = chance_text(arm["cost_total"])
        if not chance:  # no status-quo run shares its replicates: nothing to set it against
            parts.append(f"<div class='brief-arm'><h3>{html.escape(name)}</h3><p class='probability'>No run of "
                         f"{html.escape(place.versus)} on the same seeds and members: nothing to compare.</p></div>")
            continue
        checked = flags(arm, base, "year" if years * 52 >= 2 * WINDOW_WEEKS else "half")
        seen = [f for f in checked if f.seen]
        items = "".join(f"<li class='flag {'seen' if f.seen else 'not-seen'}'><b>{'Seen' if f.seen else 'Not seen'}: "
                        f"{html.escape(f.title)}</b>: {html.escape(f.evidence)}.</li>" for f in checked)
        parts.append(
            f"<div class='brief-arm'><h3>{html.escape(label(place.population))}, "
            f"{html.escape(label(place.scenario).lower())} scenario: {html.escape(name)} against "
            f"{html.escape(place.versus)}, over {years:.1f} years</h3>"
            + f"<p class='probability'><b>{html.escape(name)} costs less than {html.escape(place.versus)} "
              f"{chance}.</b></p>"
            + _headline_table(arm, years)
            + f"<p class='note'>The band runs from the 10th to the 90th percentile of the paired differences across "
              f"{count_text(place.replicates)}: {coverage_text(place.replicates)}.</p>"
            + f"<h4>Risks checked: {len(seen)} of {len(checked)} seen</h4><ul class='flags'>{items}</ul></div>")
    return "".join(parts)


@dataclass(frozen=True)
class Cell:
    """One cell of a break-even sweep: a policy at a community capacity and an encouragement to ask."""

    policy: str
    capacity: float
    mobilisation: float
    cost: dict  # its ``cost_total`` row of ``tables.summary_table``
    years: float

    @property
    def pays(self) -> bool:
        """Whether it costs less than the status quo on average over the paired runs."""
        return self.cost["diff_mean"] is not None and self.cost["diff_mean"] < 0

    def text(self) -> str:
        """``−£0.05m a year, in 1 of 2 paired runs: probability 0.50``."""
        return (f"{number(self.cost['diff_mean'] / self.years, 'money', signed=True)} a year, "
                f"{chance_text(self.cost)}")


@dataclass(frozen=True)
class BreakEven:
    """The cells of a break-even sweep and where they were run."""

    root: Path
    cells: tuple[Cell, ...]
    place: tuple[str, str]  # population, scenario
    replicates: Replicates


def _mobilisation(sweep: Sweep) -> float:
    """The encouragement to ask of every run of ``sweep`` (``posterior.mobilisation`` in its config.yaml)."""
    found = {sweep.config(run)["posterior"]["mobilisation"] for run in sweep.runs}
    if len(found) != 1:
        raise SweepError(f"{sweep.root}: runs at more than one encouragement to ask ({sorted(found)}); "
                         "a break-even sweep keeps each level in a directory of its own")
    return float(found.pop())


def load_break_even(root: str | Path) -> BreakEven | None:
    """The break-even sweep in ``root`` (one ``mobilisation=<level>`` directory per encouragement to ask, as
    ``configs/experiment/break_even.yaml`` writes it), or None if there is none.

    Each level is a sweep of its own, so its runs are told apart by the levers the analysis knows
    (``sweep.LEVERS``: community capacity among them) and each policy is paired with the status quo at the
    same capacity, level and replicate (``tables.summary_table``)."""
    levels = sorted(Path(root).glob("mobilisation=*")) if Path(root).is_dir() else []
    if not levels:
        return None
    cells, places, runs = [], set(), []
    for level in levels:
        sweep = open_sweep(level)
        mobilisation = _mobilisation(sweep)
        summary = tables.summary_table(sweep.scan("summary"))
        weeks = summary.filter(pl.col("measure") == "weeks")["mean"].mean()
        cost = summary.filter(pl.col("measure") == "cost_total", ~pl.col("is_baseline"), pl.col("paired") > 0)
        cells += [Cell(row["policy"], row["community_capacity"], mobilisation, row, weeks / 52)
                  for row in cost.iter_rows(named=True)]
        places |= set(sweep.metadata.select("population", "scenario").unique().rows())
        runs.append(sweep.metadata)
    if len(places) != 1:
        raise SweepError(f"{root}: a break-even sweep is run in one place; found {sorted(places)}")
    return BreakEven(Path(root), tuple(cells), places.pop(), replicates(pl.concat(runs)))


def _levels(values) -> str:
    shown = [f"{v:g}" for v in sorted(set(values))]
    return ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else shown[0]


def _believe(cells: list[Cell]) -> str:
    """What you would need to believe for one policy to cost less: from its cells, never beyond them."""
    policy = label(cells[0].policy)
    status_quo = label(tables.BASELINE_POLICY).lower()
    tried = (f"community capacity {_levels(c.capacity for c in cells)}; encouragement to ask "
             f"{_levels(c.mobilisation for c in cells)}")
    paying = [c for c in cells if c.pays]
    if not paying:
        return f"<b>{policy} never costs less than {status_quo} at the levels tried</b> ({tried})."
    if len(paying) == len(cells):
        weakest = min(cells, key=lambda c: (c.capacity, c.mobilisation))
        return (f"<b>{policy} costs less than {status_quo} at every level tried</b> ({tried}); at the weakest, "
                f"community capacity {weakest.capacity:g} and encouragement {weakest.mobilisation:g}: "
                f"{weakest.text()}.")
    capacity = min(paying, key=lambda c: (c.capacity, c.mobilisation))
    asking = min(paying, key=lambda c: (c.mobilisation, c.capacity))
    return (f"For <b>{policy.lower()} to cost less than {status_quo}</b>, the weakest community capacity tried at "
            f"which it still does is <b>{capacity.capacity:g}</b> (with encouragement to "
            f"ask {capacity.mobilisation:g}: {capacity.text()}), and the weakest encouragement to ask is "
            f"<b>{asking.mobilisation:g}</b> (with community capacity {asking.capacity:g}: {asking.text()}). Levels "
            f"tried: {tried}; the table shows each.")


def _grid(cells: list[Cell]) -> str:
    """The cells as a table: encouragement to ask down, community capacity across, each cell's mean and chance."""
    capacities = sorted({c.capacity for c in cells})
    by_level = {(c.mobilisation, c.capacity): c for c in cells}
    head = "".join(f"<th>capacity {c:g}</th>" for c in capacities)
    rows = []
    for m in sorted({c.mobilisation for c in cells}):
        row = []
        for cap in capacities:
            cell = by_level.get((m, cap))
            row.append("<td>not run</td>" if cell is None else
                       f"<td class='{'pays' if cell.pays else 'costs'}'>"
                       f"{number(cell.cost['diff_mean'] / cell.years, 'money', signed=True)}"
                       f"<span class='band'>p {cell.cost['lower'] / cell.cost['paired']:.2f}</span></td>")
        rows.append(f"<tr><th scope='row'>encouragement {m:g}</th>{''.join(row)}</tr>")
    return (f"<table class='break-even'><thead><tr><th>Cost a year against the status quo; p: probability it costs "
            f"less</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _break_even_html(found: BreakEven | None, source: Path) -> str:
    intro = ("<h3>What you would need to believe</h3><p class='note'>Community capacity: the support hours the town's "
             "volunteers and groups can give, 1 = the market town's own, 0.25 = a quarter. Encouragement to ask: what "
             "a strengths-based conversation adds to a person's asking family, friends and neighbours for help (0-1; "
             f"the calibration's median is {_median_mobilisation():g}). The status quo's front door has no such "
             "conversation.</p>")
    if found is None:
        return (f"{intro}<p class='break-even-missing'><b>Not measured</b> (no break-even sweep in "
                f"<code>{html.escape(str(source))}</code>): run <code>{BREAK_EVEN_COMMAND}</code>.</p>")
    if not found.cells:
        return (f"{intro}<p>The break-even sweep in <code>{html.escape(str(found.root))}</code> has no policy set "
                "against the status quo.</p>")
    population, scenario = found.place
    policies = sorted({c.policy for c in found.cells})
    sentences = "".join(f"<p>{_believe([c for c in found.cells if c.policy == p])}</p>" for p in policies)
    grids = "".join(_grid([c for c in found.cells if c.policy == p]) for p in policies)
    return (f"{intro}<p class='note'>From the break-even sweep in <code>{html.escape(str(found.root))}</code>: "
            f"{html.escape(label(population))}, {html.escape(label(scenario).lower())} scenario, "
            f"{count_text(found.replicates)} at each level; nothing between or beyond the levels tried was run.</p>"
            f"{sentences}{grids}")


def _median_mobilisation() -> float:
    return yaml.safe_load((CONFIG_DIR / "posterior" / "median.yaml").read_text())["posterior"]["mobilisation"]


def brief_html(places: list[Comparison], break_even_dir: str | Path = BREAK_EVEN_DIR) -> str:
    """The brief, an HTML fragment (``<section class='brief'>``), from the places of a sweep
    (``comparison.compare``, over ``tables.summary_table`` of :func:`run_measures`)."""
    compared = [place for place in places if place.baselines and place.others]
    body = "".join(_place_html(place) for place in compared) or (
        "<p>This sweep has no policy to set against the status quo (service first), so there is nothing to brief.</p>")
    return (f"<section class='brief' id='brief'><h2>Decision brief</h2>{body}"
            f"{_break_even_html(load_break_even(break_even_dir), Path(break_even_dir))}</section>")


def places(summary: pl.DataFrame, runs: pl.DataFrame) -> list[Comparison]:
    """Every place (population x scenario) as ``comparison.compare`` sees it, from ``summary``
    (``tables.summary_table`` of :func:`run_measures`) and ``runs`` (a row per run: ``RUN_KEYS`` and any measures)."""
    found = summary.select(tables.PLACE).unique(maintain_order=True).rows()
    return [comparison.compare(population, scenario,
                               runs.filter(pl.col("population") == population, pl.col("scenario") == scenario),
                               summary.filter(pl.col("population") == population, pl.col("scenario") == scenario))
            for population, scenario in found]


def brief_page(sweep: Sweep, break_even_dir: str | Path = BREAK_EVEN_DIR) -> str:
    """The brief alone as a page to open or print (two A4 pages for a place and a policy)."""
    runs = sweep.scan("summary").select(*RUN_KEYS).collect()
    fragment = brief_html(places(tables.summary_table(run_measures(sweep)), runs), break_even_dir)
    title = html.escape(sweep_title(sweep.root))
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"<style>{PAGE_CSS}{CSS}</style></head><body><main><h1>{title}</h1>{fragment}</main></body></html>")


def write_brief(sweep_dir: str | Path, output: str | Path | None = None,
                break_even_dir: str | Path = BREAK_EVEN_DIR) -> Path:
    """Write the brief's page of ``sweep_dir`` atomically to ``output`` (default ``<sweep_dir>/brief.html``)."""
    out = Path(output) if output is not None else Path(sweep_dir) / BRIEF
    page = brief_page(open_sweep(sweep_dir), break_even_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda path: path.write_text(page, encoding="utf-8"))
    return out


def write_pdf(page: Path, pdf: str | Path) -> Path:
    """Print the HTML ``page`` to ``pdf`` (A4, the page's print stylesheet) with headless Chromium."""
    try:
        from playwright.sync_api import sync_playwright  # the pdf extra: only printing needs it
    except ImportError as error:
        raise SweepError("printing the brief needs playwright: pip install -e '.[pdf]'") from error
    if not CHROMIUM.exists():
        raise SweepError(f"printing the brief needs Chromium at {CHROMIUM} (or set CHROMIUM to its path)")
    pdf = Path(pdf)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            tab.goto(Path(page).resolve().as_uri(), wait_until="load")
            atomic_write(pdf, lambda path: tab.pdf(path=str(path), format="A4", print_background=True,
                                                   prefer_css_page_size=True))
        finally:
            browser.close()
    return pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.brief", description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", help="directory of a sweep")
    parser.add_argument("-o", "--output", help=f"HTML file to write (default: <sweep_dir>/{BRIEF})")
    parser.add_argument("--pdf", metavar="FILE", help="also print the brief to this PDF (headless Chromium)")
    parser.add_argument("--break-even", metavar="DIR", default=str(BREAK_EVEN_DIR),
                        help=f"the break-even sweep to read (default: {BREAK_EVEN_DIR})")
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SweepWarning)
            out = write_brief(args.sweep_dir, args.output, args.break_even)
            pdf = write_pdf(out, args.pdf) if args.pdf else None
    except (SweepError, ConfigError) as error:
        print(f"brief: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a read-only or full disk: one line, not a traceback
        target = args.output or Path(args.sweep_dir) / BRIEF
        print(f"brief: cannot write {target}: {error.strerror or error}", file=sys.stderr)
        return 2
    for warning in caught:
        print(f"brief: warning: {warning.message}", file=sys.stderr)
    print(f"wrote {out}" + (f" and {pdf}" if pdf else ""))
    return 0


# The brief's look, on screen and in print; the report includes it too.
CSS = """
.brief { border: 2px solid #2f6fab; border-radius: 6px; padding: 4px 18px 12px; margin: 14px 0; }
.brief h2 { margin-top: 10px; } .brief h3 { margin: 14px 0 4px; } .brief h4 { margin: 10px 0 2px; font-size: 0.95rem; }
.brief .probability { font-size: 1.05rem; margin: 4px 0; }
.brief table { border-collapse: collapse; margin: 6px 0; font-size: 0.9rem; }
.brief th, .brief td { padding: 3px 10px; border-bottom: 1px solid #e4e7eb; text-align: right; }
.brief th[scope=row], .brief thead th:first-child { text-align: left; font-weight: 500; }
.brief thead th { background: #f0f4f8; }
.brief td.v { font-weight: 600; font-variant-numeric: tabular-nums; } .brief .band { color: #616e7c; }
.brief td .band { display: block; font-size: 0.8em; }
.brief .note { color: #52606d; font-size: 0.88rem; margin: 2px 0; }
.brief ul.flags { margin: 2px 0; padding-left: 18px; font-size: 0.9rem; } .brief li.flag { margin: 2px 0; }
.brief li.seen b { color: #b42318; } .brief li.not-seen b { color: #1b7f3b; }
.brief table.break-even td.pays { background: #e3f4e8; } .brief table.break-even td.costs { background: #fdecea; }
@page { size: A4; margin: 14mm 14mm 16mm; }
@media print {
  body { background: #fff; font-size: 9.5pt; } main { max-width: none; padding: 0; }
  .brief { border: none; padding: 0; margin: 0; break-after: page; }
  .brief-arm, .brief table, .brief ul.flags { break-inside: avoid; }
  figure.chart, .grid, .funnel-title, nav, .js-plotly-plot { display: none !important; }
  table.summary { break-inside: avoid; }
  section:not(.brief) { break-before: page; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
# The brief's own page (the report has its own page style).
PAGE_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #1f2933;
       margin: 0; line-height: 1.4; }
main { max-width: 900px; margin: 0 auto; padding: 16px 24px; } h1 { font-size: 1.4rem; margin: 0 0 4px; }
code { font-size: 0.85em; word-break: break-all; }
"""


if __name__ == "__main__":
    sys.exit(main())
