"""The decision brief: what a council leader needs from a sweep on two printed A4 pages.

    python -m analysis.brief results/sweeps/policy_comparison [-o brief.html] [--pdf brief.pdf]
                             [--break-even results/sweeps/break_even]

For each policy against the status quo in each place it leads with the decision: whether the policy costs
less on average, its cost a year beside the status quo's and, from enough paired runs
(``replicates.enough_for_probability``), the probability that it costs less.  Beside the decision, how far to
trust it: the runs and parameter sets behind it, how the model compares with the published figures
(``analysis.validation``), and that it is a model to compare policies, not a forecast.  Then the headline
measures, levels and paired differences, each difference with its band, and risk flags in plain words, each
with the number it rests on and its threshold, those that do not fire listed as not seen so a reader knows
they were looked for.  Settings that make the comparison meaningless (``analysis.guard_rails``: no
practitioners, a waiting list that grows without end, a warm-up too short) are shown in red in place of the
decision, and such a comparison is never reported as a saving.  Then "what you would need to believe": the
weakest community capacity and the weakest encouragement to ask at which the policy still costs less, read
from a break-even sweep of the same place (``configs/experiment/break_even.yaml``), or "not measured"; and
where it all comes from (``analysis.provenance``: date, model revision, place and adults, runs, parameter
sets, seeds, warm-up, the price base of every £).

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

from . import comparison, guard_rails, provenance, tables, validation
from .comparison import Comparison
from .figures import label
from .provenance import Provenance, parameter_sets_text
from .replicates import Replicates, count_text, coverage_text, replicates
from .sweep import RUN_KEYS, Sweep, SweepError, SweepWarning, open_sweep
from .wording import chance_text, counted_text, number, place_name, place_phrase, probability

BREAK_EVEN_DIR = Path("results/sweeps/break_even")  # where the break_even preset writes, from the project
BRIEF = "brief.html"  # the brief's own page in a sweep directory (the app shows it)
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))  # Debian's chromium; .ci/run installs it
# How to get a browser to print with: the one line --pdf stops with when there is none (README, "Setup").
BROWSER_INSTALL = ("sudo apt-get install chromium (Debian, Ubuntu), or .venv/bin/python -m playwright install "
                   "chromium (any system), or set CHROMIUM to a Chromium's path")
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
LONG_WAIT_WEEKS = 4.0  # a mean wait, or a waiting list at the end, of more than four weeks (of new contacts)
QUEUE_GROWTH_WEEKS = 1.0  # the waiting list longer at the end by more than a week of new contacts


def _risk_measures(steps: pl.LazyFrame) -> pl.LazyFrame:
    """Whole-run measures the flags read that the run summary (``model.summary``) does not hold, one row per run.

    ``unmet_share_rise`` and ``queue_growth_weeks`` compare the last year under the policy with the first
    (the halves of a run shorter than two years: ``guard_rails.window``); the waiting list's growth is in weeks
    of new contacts.
    """
    years = pl.len() / 52
    window = guard_rails.window()

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
    """Every run's summary (``summary.parquet``) with the risk and guard-rail measures from its weekly table
    (``guard_rails.run_measures``): the input of ``tables.summary_table`` for the report and the brief."""
    steps = sweep.scan("steps")
    return (sweep.scan("summary").join(_risk_measures(steps), on=list(RUN_KEYS), how="left")
            .join(guard_rails.run_measures(steps), on=list(RUN_KEYS), how="left"))


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
    wait, growth, held = mean(arm, "mean_wait_weeks"), mean(arm, "queue_growth_weeks"), mean(arm, "queue_weeks_end")
    growth_text = ("no new contacts to measure it by" if growth is None else
                   f"{number(growth, 'rate', signed=True)} weeks of new contacts")
    held_text = "" if held is None else f"; the waiting list ends holding {held:.1f} weeks of new contacts"
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
             "do not follow stepped-down people one by one, so this reads unmet need across the whole place)"),
        Flag("Unmet need rising", rise > UNMET_RISE,
             f"unmet need {number(rise, 'share', signed=True, decimals=2)} from the first {span} under the policy to "
             f"the last ({number(rise_base, 'share', signed=True, decimals=2)} under the status quo; flagged above "
             f"{number(UNMET_RISE, 'share', signed=True)})"),
        Flag("Long waits at the front door", max(wait, held or 0.0) > LONG_WAIT_WEEKS,
             f"mean wait of those served {wait:.1f} weeks against {mean(base, 'mean_wait_weeks'):.1f}{held_text} "
             f"(flagged above {LONG_WAIT_WEEKS:g} weeks of either)"),
        Flag("A growing waiting list", growth is not None and growth > QUEUE_GROWTH_WEEKS,
             f"the waiting list changed by {growth_text} from the first {span} to the last (flagged above "
             f"{QUEUE_GROWTH_WEEKS:g} week)"),
    ]


def _rows(place: Comparison, arm: str) -> dict[str, dict]:
    return {row["measure"]: row for row in place.summary.filter(pl.col("arm") == arm).iter_rows(named=True)}


def _scaled(row: dict, key: str, scale: float) -> float | None:
    return None if row[key] is None else row[key] * scale


def _headline_table(arm: dict[str, dict], base: dict[str, dict], name: str, versus: str, years: float) -> str:
    """The headline measures: each arm's level (mean over its runs), the paired difference (mean) and its band
    (10th to 90th percentile of the pairs); totals a year."""
    cells = []
    for measure, (title, kind, whole_period) in HEADLINE.items():
        scale = 1 / years if whole_period else 1
        levels = [number(_scaled(rows[measure], "mean", scale), kind) for rows in (base, arm)]
        mean, low, high = (_scaled(arm[measure], k, scale) for k in ("diff_mean", "diff_p10", "diff_p90"))
        decimals = 2 if kind == "share" else None
        cells.append(f"<tr><th scope='row'>{html.escape(title)}</th>"
                     + "".join(f"<td>{level}</td>" for level in levels)
                     + f"<td class='v'>{number(mean, kind, signed=True, decimals=decimals)}</td>"
                       f"<td class='band'>{number(low, kind, signed=True, decimals=decimals)} to "
                       f"{number(high, kind, signed=True, decimals=decimals)}</td></tr>")
    return (f"<table class='brief-headline'><thead><tr><th>Mean of the runs</th><th>{html.escape(versus.capitalize())}"
            f"</th><th>{html.escape(name)}</th><th>Difference</th><th>Band (10-90% of paired runs)</th></tr></thead>"
            f"<tbody>{''.join(cells)}</tbody></table>")


def _decision(cost: dict, base_cost: dict, name: str, versus: str, years: float) -> str:
    """The decision in a sentence or two: whether it costs less on average, both levels a year, the paired
    difference with its band, and how often it costs less (a probability only from enough runs)."""
    diff = cost["diff_mean"]
    verdict = "costs less than" if diff < 0 else "costs more than" if diff > 0 else "costs the same as"
    yearly = {k: _scaled(cost, k, 1 / years) for k in ("diff_mean", "diff_p10", "diff_p90")}
    return (f"<p class='decision'><b>{html.escape(name)} {verdict} {html.escape(versus)}</b> on average: "
            f"<b>{number(cost['mean'] / years, 'money')} a year against {number(base_cost['mean'] / years, 'money')}"
            f"</b>, a difference of {number(yearly['diff_mean'], 'money', signed=True)} a year "
            f"({number(yearly['diff_p10'], 'money', signed=True)} to {number(yearly['diff_p90'], 'money', signed=True)}"
            f" across the paired runs).</p><p class='probability'>{html.escape(name)} costs less than "
            f"{html.escape(versus)} {html.escape(chance_text(cost))}.</p>")


def _refusal(found: list[guard_rails.Problem], name: str, versus: str) -> str:
    """In place of the decision: why these runs cannot show whether the policy costs less, in red."""
    items = "".join(f"<li><b>{html.escape(p.title)}</b>: {html.escape(p.evidence)}.</li>" for p in found)
    return (f"<div class='refused'><p><b>No decision: these runs cannot show whether {html.escape(name)} costs less "
            f"than {html.escape(versus)}</b>, and nothing in them is a saving.</p><ul>{items}</ul></div>")


def _trust(cost: dict, rep: Replicates, trust: str | None, place: str) -> str:
    """Next to the decision: the runs behind it, the model's checks against published figures (``trust``; None
    where an arm above already gave them), and what the model is."""
    seeds = len(rep.seeds)
    runs = (f"<b>Behind it</b>: {cost['paired']} paired run{'s' if cost['paired'] != 1 else ''} over "
            f"{html.escape(parameter_sets_text(rep))} and {seeds} seed{'s' if seeds != 1 else ''}: "
            f"{html.escape(coverage_text(rep))}.")
    shared = (f"<li>{trust}</li><li><b>A model to compare policies, not a forecast</b>: its costs and caseloads are "
              f"those of {html.escape(place)} as the model builds it from published data and assumptions, not a "
              "budget.</li>" if trust is not None else
              "<li>The model's checks against published figures, and what it is: as for the policy above.</li>")
    return f"<aside class='trust'><h4>How far to trust it</h4><ul><li>{runs}</li>{shared}</ul></aside>"


def _place_html(place: Comparison, setting: provenance.Setting, trust: str | None) -> tuple[str, str | None]:
    """Every policy of one place against its status quo: the decision and how far to trust it (or why there is
    none), the headline levels and differences, the flags; and ``trust`` (the model's checks) if no policy of the
    place showed it (it is shown once, with the first policy compared: None if it already was)."""
    base = _rows(place, place.baselines[0])
    years = base["weeks"]["mean"] / 52
    span = "year" if years * 52 >= 2 * guard_rails.WINDOW_WEEKS else "half"
    where = f"{place_name(place.population)}, {label(place.scenario).lower()} scenario"
    parts = []
    for arm_name in place.others:
        arm = _rows(place, arm_name)
        name = place.names[arm_name]
        heading = f"<h3>{html.escape(where)}: {html.escape(name)} against {html.escape(place.versus)}, over {years:.1f} years</h3>"
        if not arm["cost_total"]["paired"]:  # no status-quo run shares its replicates: nothing to set it against
            parts.append(f"<div class='brief-arm'>{heading}<p class='probability'>No run of "
                         f"{html.escape(place.versus)} on the same seeds and members: nothing to compare.</p></div>")
            continue
        problems = guard_rails.problems(arm, base, name, place.versus, setting.warmup_text, span)
        lead = (_refusal(problems, name, place.versus) if problems else
                _decision(arm["cost_total"], base["cost_total"], name, place.versus, years))
        checked = flags(arm, base, span)
        seen = [f for f in checked if f.seen]
        items = "".join(f"<li class='flag {'seen' if f.seen else 'not-seen'}'><b>{'Seen' if f.seen else 'Not seen'}: "
                        f"{html.escape(f.title)}</b>: {html.escape(f.evidence)}.</li>" for f in checked)
        parts.append(
            f"<div class='brief-arm'>{heading}<div class='lead'>{lead}"
            + _trust(arm["cost_total"], place.replicates, trust, place_phrase(place.population)) + "</div>"
            + ("" if problems else _headline_table(arm, base, name, place.versus, years)
               + "<p class='note'>Levels are means over each policy's runs; the difference is paired run by run (the "
                 "same seed and parameter set under both) and its band runs from the 10th to the 90th percentile of "
                 "the pairs.</p>")
            + f"<h4>Risks checked: {len(seen)} of {len(checked)} seen</h4><ul class='flags'>{items}</ul></div>")
        trust = None
    return "".join(parts), trust


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
        """``−£0.05m a year, in 1 of 2 paired runs`` (with ``: probability 0.50`` from enough runs)."""
        chance = probability(self.cost)
        return (f"{number(self.cost['diff_mean'] / self.years, 'money', signed=True)} a year, {counted_text(self.cost)}"
                + ("" if chance is None else f": probability {chance:.2f}"))


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
        places |= set(sweep.metadata.select(*tables.PLACE).unique().rows())
        runs.append(sweep.metadata)
    if len(places) != 1:
        raise SweepError(f"{root}: a break-even sweep is run in one place; found {sorted(places)}")
    return BreakEven(Path(root), tuple(cells), places.pop(), replicates(pl.concat(runs)))


def _listed(items: list[str]) -> str:
    """``a, b and c``."""
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def _levels(values) -> str:
    return _listed([f"{v:g}" for v in sorted(set(values))])


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
    """The cells as a table: encouragement to ask down, community capacity across, each cell's mean and chance
    (a probability from enough runs, else how many of its pairs cost less)."""
    capacities = sorted({c.capacity for c in cells})
    by_level = {(c.mobilisation, c.capacity): c for c in cells}
    head = "".join(f"<th>capacity {c:g}</th>" for c in capacities)
    rows = []
    for m in sorted({c.mobilisation for c in cells}):
        row = []
        for cap in capacities:
            cell = by_level.get((m, cap))
            chance = None if cell is None else probability(cell.cost)
            row.append("<td>not run</td>" if cell is None else
                       f"<td class='{'pays' if cell.pays else 'costs'}'>"
                       f"{number(cell.cost['diff_mean'] / cell.years, 'money', signed=True)}<span class='band'>"
                       + (f"p {chance:.2f}" if chance is not None else f"{cell.cost['lower']} of {cell.cost['paired']}")
                       + "</span></td>")
        rows.append(f"<tr><th scope='row'>encouragement {m:g}</th>{''.join(row)}</tr>")
    return (f"<table class='break-even'><thead><tr><th>Cost a year against the status quo; p: probability it costs "
            f"less (or in how many paired runs it does)</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _break_even_html(found: BreakEven | None, compared: list[Comparison]) -> str:
    """What you would need to believe, for the places and policies of ``compared`` that ``found`` was run for: a
    break-even sweep says it only of its own place (and scenario), and only of the policies it ran."""
    wanted = {(place.population, place.scenario): {place.summary.filter(pl.col("arm") == arm)["policy"][0]
                                                   for arm in place.others} for place in compared}
    policies = sorted({c.policy for c in found.cells} & wanted.get(found.place, set())) if found else []
    title = "<h3>What you would need to believe</h3>"
    if not policies:
        asked = "; ".join(f"{', '.join(label(p).lower() for p in sorted(ps))} in {place_phrase(population)}"
                          for (population, _), ps in wanted.items() if ps)
        return f"{title}<p class='break-even-missing'><b>Not measured</b> for {html.escape(asked)}: no break-even " \
               "sweep of that place and policy was found.</p>"
    population, scenario = found.place
    intro = (f"<p class='note'>Community capacity: the support hours the volunteers and groups of "
             f"{html.escape(place_phrase(population))} can give, 1 = as the model builds them there, 0.25 = a quarter "
             "of that. Encouragement to ask: what a strengths-based conversation adds to a person's asking family, "
             f"friends and neighbours for help (0-1; the calibration's median is {_median_mobilisation():g}). The "
             "status quo's front door has no such conversation.</p>")
    cells = [c for c in found.cells if c.policy in policies]
    few = "" if any(probability(c.cost) is not None for c in cells) else " (too few to give a probability)"
    sentences = "".join(f"<p>{_believe([c for c in cells if c.policy == p])}</p>" for p in policies)
    grids = "".join(_grid([c for c in cells if c.policy == p]) for p in policies)
    return (f"{title}{intro}<p class='note'>From a break-even sweep of {html.escape(place_phrase(population))}, "
            f"{html.escape(label(scenario).lower())} scenario: {html.escape(count_text(found.replicates))} at each "
            f"level{few}; nothing between or beyond the levels tried was run.</p>{sentences}{grids}")


def _median_mobilisation() -> float:
    return yaml.safe_load((CONFIG_DIR / "posterior" / "median.yaml").read_text())["posterior"]["mobilisation"]


def _provenance_html(found: Provenance) -> str:
    return ("<div class='provenance'><h4>Where these numbers come from</h4><ul>"
            + "".join(f"<li>{item}</li>" for item in provenance.items(found)) + "</ul></div>")


def brief_html(found: Provenance, places: list[Comparison], break_even_dir: str | Path = BREAK_EVEN_DIR) -> str:
    """The brief, an HTML fragment (``<section class='brief'>``), of a sweep's places (``comparison.compare``, over
    ``tables.summary_table`` of :func:`run_measures`) and its provenance (``provenance.provenance``)."""
    trust = validation.trust_html(validation.load(), tuple(r for r, _ in found.revisions))
    compared = [place for place in places if place.baselines and place.others]
    parts = []
    for place in compared:
        shown, trust = _place_html(place, found.setting(place.population, place.scenario), trust)
        parts.append(shown)
    body = "".join(parts) or (
        "<p>This sweep has no policy to set against the status quo (service first), so there is nothing to brief.</p>")
    believe = _break_even_html(load_break_even(break_even_dir), compared) if compared else ""
    return (f"<section class='brief' id='brief'><h2>Decision brief</h2>{body}{believe}"
            f"{_provenance_html(found)}</section>")


def places(summary: pl.DataFrame, runs: pl.DataFrame) -> list[Comparison]:
    """Every place (population x scenario) as ``comparison.compare`` sees it, from ``summary``
    (``tables.summary_table`` of :func:`run_measures`) and ``runs`` (a row per run: ``RUN_KEYS`` and any measures)."""
    found = summary.select(tables.PLACE).unique(maintain_order=True).rows()
    return [comparison.compare(population, scenario,
                               runs.filter(pl.col("population") == population, pl.col("scenario") == scenario),
                               summary.filter(pl.col("population") == population, pl.col("scenario") == scenario))
            for population, scenario in found]


def title(compared: list[Comparison]) -> str:
    """The title of a sweep's brief and report, from what it compares: ``Community first against service first in
    Calderdale (E08000033)`` (a scenario other than the baseline named too), or what was run where nothing is
    set against the status quo: ``Service first in the market town``."""
    def policies(places: list[Comparison], arms) -> list[str]:
        return list(dict.fromkeys(label(policy) for place in places for arm in arms(place)
                                  for policy in place.summary.filter(pl.col("arm") == arm)["policy"][:1]))

    where = _listed(list(dict.fromkeys(place_phrase(place.population) + (
        "" if place.scenario == "baseline" else f" ({label(place.scenario).lower()} scenario)") for place in compared)))
    against = [place for place in compared if place.baselines and place.others]
    if against:
        return (f"{_listed(policies(against, lambda place: place.others))} against "
                f"{label(tables.BASELINE_POLICY).lower()} in {where}")
    return f"{_listed(policies(compared, lambda place: place.arms))} in {where}" if compared else "Nothing compared"


def compared(sweep: Sweep) -> list[Comparison]:
    """The places of ``sweep`` as the brief compares them (``places`` over :func:`run_measures`)."""
    runs = sweep.scan("summary").select(*RUN_KEYS).collect()
    return places(tables.summary_table(run_measures(sweep)), runs)


def brief_page(sweep: Sweep, break_even_dir: str | Path = BREAK_EVEN_DIR) -> str:
    """The brief alone as a page to open or print (two A4 pages for a place and a policy)."""
    found = compared(sweep)
    heading = html.escape(title(found))
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{heading}</title>"
            f"<style>{PAGE_CSS}{CSS}</style></head><body><main><h1>{heading}</h1>"
            f"{brief_html(provenance.provenance(sweep), found, break_even_dir)}</main></body></html>")


def write_brief(sweep_dir: str | Path, output: str | Path | None = None,
                break_even_dir: str | Path = BREAK_EVEN_DIR) -> Path:
    """Write the brief's page of ``sweep_dir`` atomically to ``output`` (default ``<sweep_dir>/brief.html``)."""
    out = Path(output) if output is not None else Path(sweep_dir) / BRIEF
    page = brief_page(open_sweep(sweep_dir), break_even_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda path: path.write_text(page, encoding="utf-8"))
    return out


def _browser(playwright) -> str:
    """The Chromium to print with: ``CHROMIUM`` (Debian's by default), else the one Playwright installed; a
    one-line ``SweepError`` naming how to install one if there is neither."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    if Path(playwright.chromium.executable_path).exists():
        return playwright.chromium.executable_path
    raise SweepError(f"printing the brief needs Chromium, found neither {CHROMIUM} nor Playwright's: {BROWSER_INSTALL}")


def write_pdf(page: Path, pdf: str | Path) -> Path:
    """Print the HTML ``page`` to ``pdf`` (A4, the page's print stylesheet) with headless Chromium."""
    try:
        from playwright.sync_api import sync_playwright  # the pdf extra: only printing needs it
    except ImportError as error:
        raise SweepError("printing the brief needs playwright: .venv/bin/python -m pip install -e '.[pdf]' "
                         "(make setup installs it)") from error
    pdf = Path(pdf)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_browser(playwright), args=CHROMIUM_ARGS)
        pdf.parent.mkdir(parents=True, exist_ok=True)
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
                        help=f"the break-even sweep to read, if it is of the same place (default: {BREAK_EVEN_DIR})")
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
.brief h2 { margin-top: 10px; } .brief h3 { margin: 14px 0 4px; } .brief h4 { margin: 10px 0 2px; font-size: 0.95em; }
.brief .decision { font-size: 1.05em; margin: 4px 0; } .brief .probability { margin: 4px 0; }
.brief aside.trust { background: #f0f4f8; border-radius: 4px; padding: 2px 10px 4px; margin: 6px 0; font-size: 0.85em; }
.brief aside.trust h4 { margin: 4px 0 2px; } .brief aside.trust ul { margin: 0; padding-left: 16px; }
.brief aside.trust li { margin: 2px 0; }
.brief .refused { border: 2px solid #b42318; background: #fdecea; color: #7a1c12; border-radius: 4px; padding: 2px 10px; }
.brief .refused p { margin: 4px 0; } .brief .refused ul { margin: 2px 0 4px; padding-left: 18px; font-size: 0.9em; }
.brief table { border-collapse: collapse; margin: 6px 0; font-size: 0.9em; }
.brief th, .brief td { padding: 3px 10px; border-bottom: 1px solid #e4e7eb; text-align: right; }
.brief th[scope=row], .brief thead th:first-child { text-align: left; font-weight: 500; }
.brief thead th { background: #f0f4f8; }
.brief td.v { font-weight: 600; font-variant-numeric: tabular-nums; } .brief .band { color: #616e7c; }
.brief td .band { display: block; font-size: 0.8em; }
.brief .note { color: #52606d; font-size: 0.88em; margin: 2px 0; }
.brief ul.flags { margin: 2px 0; padding-left: 18px; font-size: 0.9em; } .brief li.flag { margin: 2px 0; }
.brief li.seen b { color: #b42318; } .brief li.not-seen b { color: #1b7f3b; }
.brief table.break-even td.pays { background: #e3f4e8; } .brief table.break-even td.costs { background: #fdecea; }
.brief .provenance { color: #52606d; font-size: 0.8em; margin-top: 8px; }
.brief .provenance ul { margin: 0; padding-left: 16px; }
@page { size: A4; margin: 14mm 14mm 16mm; }
@media print {
  body { background: #fff; font-size: 9.5pt; } main { max-width: none; padding: 0; }
  .brief { border: none; padding: 0; margin: 0; break-after: page; }
  .brief .lead, .brief table, .brief li, .brief .provenance { break-inside: avoid; }
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
