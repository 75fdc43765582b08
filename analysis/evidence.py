"""How the model compares with the evidence: every published figure (``configs/figures.yaml``) measured on a sweep.

    python -m analysis.evidence results/sweeps/validation --markdown docs/validation.md

A figure names a preset (a ``configs/policy`` file), a whole-run measure of ``model.summary.summarise``,
the reported value and a tolerance; with ``versus`` it compares two presets run on the same replicates,
paired by posterior member and seed (``tables.with_reference``): ``compare: ratio`` is preset / versus,
``saving`` is versus - preset.  Each run is measured over the policy weeks from ``from_week`` to its end
(after the new practice has ramped in) by summarising its steps in that window, and a figure's value is
banded across the replicates (``tables.band``: mean, 10th and 90th percentiles).  Only runs of a preset
as it is stored count: at its own review practice, community capacity and builder coverage, so in a
factorial sweep the status quo's other arms are not taken for it.

The verdict is ``within`` when the band overlaps [value - tolerance, value + tolerance] and ``outside``
otherwise, for fitted and held-out figures alike, so a failure is shown, never hidden; how far outside is
the gap between the band and that range in tolerances (``miss``).  A figure whose
preset (or ``versus``) was not run in the sweep is ``not run``; one whose runs end before ``from_week``,
or whose measure has nothing to divide by, is ``not measured``, with the reason.  The report shows the
table (:func:`section`); this command writes it with what was run as ``docs/validation.md``
(:func:`markdown`) and, beside it, the same verdicts machine-readable (:func:`status`, ``docs/validation.json``)
with the model revision they were measured at: the decision brief shows them (``analysis.validation``).
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import sys
import warnings
from dataclasses import dataclass, fields
from pathlib import Path

import polars as pl
import yaml

from omegaconf import OmegaConf

from model.config import CONFIG_DIR, compose_config
from model.levers import RUN_LEVERS
from model.outputs import atomic_write
from model.params import ConfigError
from model.components import STEPS
from model.schema import steps_frame
from model.summary import summarise

from . import tables
from .figures import label
from .replicates import Replicates, count_text, coverage_text, replicates
from .sweep import REPLICATE, RUN_KEYS, Sweep, SweepError, SweepWarning, open_sweep
from .wording import place_name

FIGURES = CONFIG_DIR / "figures.yaml"
ROLES = {"fit": "fitted", "held_out": "held out"}  # role in figures.yaml -> how the tables say it
COMPARES = ("ratio", "saving")
WITHIN, OUTSIDE, NOT_RUN, NOT_MEASURED = "within", "outside", "not run", "not measured"  # a figure's status
MEASURES = tuple(summarise(steps_frame([], STEPS)).columns)  # what a figure can measure


@dataclass(frozen=True)
class Figure:
    """A published figure and how the model measures it (``configs/figures.yaml``)."""

    id: str
    description: str
    source: str
    role: str  # a key of ROLES
    preset: str
    measure: str  # one of MEASURES
    value: float
    tolerance: float | None = None  # how far from value still counts as 'about' (value - tolerance to + tolerance)
    band: tuple[float, float] | None = None  # or the range that counts, where it is not symmetric about value
    versus: str | None = None  # the preset compared with, on the same replicates
    compare: str | None = None  # one of COMPARES, with versus

    @property
    def presets(self) -> tuple[str, ...]:
        return (self.preset,) if self.versus is None else (self.preset, self.versus)

    @property
    def low(self) -> float:
        """The lowest value that counts as 'about' the figure."""
        return self.band[0] if self.band is not None else self.value - self.tolerance

    @property
    def high(self) -> float:
        """The highest value that counts as 'about' the figure."""
        return self.band[1] if self.band is not None else self.value + self.tolerance

    @property
    def scale(self) -> float:
        """Half the range that counts: the unit a distance from the figure is measured in (the calibration's)."""
        return (self.high - self.low) / 2


@dataclass(frozen=True)
class Figures:
    """Every published figure, and the first policy week of the window they are measured over."""

    from_week: int
    figures: tuple[Figure, ...]

    @property
    def presets(self) -> list[str]:
        """Every preset a figure names."""
        return sorted({p for figure in self.figures for p in figure.presets})


@dataclass(frozen=True)
class Evidence:
    """Every figure measured on a sweep (:func:`evaluate`)."""

    figures: Figures
    table: pl.DataFrame  # one row per figure and place: see evaluate
    runs: pl.DataFrame  # the sweep's metadata rows of the figures' presets, as stored
    measured: Replicates | None  # the replicates the measured runs span; None if no run reaches the window


def load_figures(path: str | Path = FIGURES) -> Figures:
    """The figures in ``path``, checked: a bad entry raises ``ConfigError`` naming the field and the allowed values."""
    path = Path(path)
    document = yaml.safe_load(path.read_text())
    if not isinstance(document, dict) or set(document) != {"from_week", "figures"}:
        found = ", ".join(document) if isinstance(document, dict) else type(document).__name__
        raise ConfigError(f"{path}: needs exactly the keys from_week, figures (found: {found})")
    from_week = document["from_week"]
    if not isinstance(from_week, int) or isinstance(from_week, bool) or from_week < 0:
        raise ConfigError(f"{path}: from_week: {from_week!r} is not a policy week; give a whole number, 0 or more")
    if not isinstance(document["figures"], dict) or not document["figures"]:
        raise ConfigError(f"{path}: figures: name at least one figure (id: {{description, source, ...}})")
    return Figures(from_week, tuple(_figure(path, key, entry) for key, entry in document["figures"].items()))


def _figure(path: Path, key: str, entry) -> Figure:
    """One checked entry of figures.yaml."""
    where = f"{path}: figures.{key}"
    names = [f.name for f in fields(Figure) if f.name != "id"]
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: give a mapping of {', '.join(names)}")
    unknown = sorted(set(entry) - set(names))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]} is not a field of a figure; choose from: {', '.join(names)}")
    required = [f.name for f in fields(Figure) if f.name != "id" and f.default is not None]
    missing = [name for name in required if name not in entry]
    if missing:
        raise ConfigError(f"{where}.{missing[0]} is missing; a figure needs {', '.join(required)}")
    policies = sorted(p.stem for p in (CONFIG_DIR / "policy").glob("*.yaml"))

    def one_of(name: str, allowed) -> None:
        if entry.get(name) not in allowed:
            raise ConfigError(f"{where}.{name}: {entry.get(name)!r} is not allowed; choose one of: {', '.join(allowed)}")

    one_of("role", list(ROLES))
    one_of("preset", policies)
    one_of("measure", MEASURES)
    if "versus" in entry or "compare" in entry:
        one_of("versus", [p for p in policies if p != entry["preset"]])
        one_of("compare", COMPARES)
    if ("tolerance" in entry) == ("band" in entry):
        raise ConfigError(f"{where}: give either a tolerance (value - tolerance to value + tolerance) or a band "
                          "([low, high]), not both or neither")
    numbers = [("value", entry["value"])]
    if "tolerance" in entry:
        numbers.append(("tolerance", entry["tolerance"]))
    else:
        band = entry["band"]
        if not isinstance(band, list) or len(band) != 2:
            raise ConfigError(f"{where}.band: {band!r} is not allowed; give [low, high]")
        numbers += [("band", value) for value in band]
    for name, value in numbers:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ConfigError(f"{where}.{name}: {value!r} is not a number")
    if "tolerance" in entry and entry["tolerance"] <= 0:
        raise ConfigError(f"{where}.tolerance: {entry['tolerance']!r} is not allowed; give a number above 0")
    if "band" in entry and not entry["band"][0] <= entry["value"] <= entry["band"][1] or \
            "band" in entry and entry["band"][0] == entry["band"][1]:
        raise ConfigError(f"{where}.band: {entry['band']!r} is not allowed; give [low, high] with low < high "
                          f"holding the value {entry['value']!r}")
    checked = {**entry, "value": float(entry["value"])}
    if "tolerance" in entry:
        checked["tolerance"] = float(entry["tolerance"])
    else:
        checked["band"] = (float(entry["band"][0]), float(entry["band"][1]))
    return Figure(id=key, **checked)


@functools.lru_cache(maxsize=None)
def own_levers(preset: str) -> tuple[tuple[str, object], ...]:
    """The levers (``sweep.LEVERS``) of ``preset`` as it is stored: its review practice, the town's own community
    capacity, its builder coverage, from the composed config."""
    config = OmegaConf.to_container(compose_config([f"policy={preset}"]), resolve=True)
    return tuple((lever.name, lever.value(config)) for lever in RUN_LEVERS)


def _as_stored(presets) -> pl.Expr:
    """Rows of a run of one of ``presets`` at its own levers."""
    return pl.any_horizontal([pl.all_horizontal(pl.col("policy") == preset,
                                                *[pl.col(k) == v for k, v in own_levers(preset)])
                              for preset in presets])


def window_summaries(sweep: Sweep, presets, from_week: int) -> pl.DataFrame:
    """One row per run of ``presets`` (as stored): RUN_KEYS and every ``summarise`` measure over policy weeks from
    ``from_week`` to the run's end.  Runs that end before ``from_week`` have no row."""
    steps = sweep.scan("steps").filter(_as_stored(presets), pl.col("week") >= from_week).collect()
    rows = [part.select(RUN_KEYS).head(1).hstack(summarise(part.sort("week")))
            for part in steps.partition_by(RUN_KEYS, maintain_order=True)]
    schema = {**{k: steps.schema[k] for k in RUN_KEYS}, **summarise(steps.head(0)).schema}
    return pl.concat(rows) if rows else pl.DataFrame(schema=schema)


def _values(windowed: pl.DataFrame, figure: Figure) -> pl.DataFrame:
    """The figure's value in each place and replicate: PLACE, REPLICATE, value (paired with ``versus`` if it has one)."""
    runs = windowed.filter(pl.col("policy").is_in(figure.presets)).select(
        *tables.PLACE, *REPLICATE, "policy", pl.col(figure.measure).cast(pl.Float64).alias("value"))
    if figure.versus is None:
        return runs.drop("policy")
    paired = (tables.with_reference(runs.lazy(), pl.col("policy") == figure.versus, ["value"])
              .filter(pl.col("policy") == figure.preset, pl.col("value_reference").is_not_null()).collect())
    compared = (pl.col("value") / pl.col("value_reference") if figure.compare == "ratio"
                else pl.col("value_reference") - pl.col("value"))
    return paired.select(*tables.PLACE, *REPLICATE, compared.alias("value"))


def evaluate(sweep: Sweep, figures: Figures) -> Evidence:
    """Every figure on ``sweep``.  Its table has one row per figure and place where its presets ran (one row with no
    place if they ran nowhere), in the order of figures.yaml, with the columns figure (its id), population,
    scenario, status (WITHIN, OUTSIDE, NOT_RUN, NOT_MEASURED), note (why not measured), runs, members, seeds
    (what the band spans), mean, p10, p90.
    """
    windowed = window_summaries(sweep, figures.presets, figures.from_week)
    runs = sweep.metadata.filter(_as_stored(figures.presets))
    ran = runs.select(*tables.PLACE, "policy")
    rows = []
    for figure in figures.figures:
        places = sorted(set.intersection(*[set(ran.filter(pl.col("policy") == p).select(tables.PLACE).rows())
                                            for p in figure.presets]))
        if not places:
            rows.append({"figure": figure.id, "status": NOT_RUN})
            continue
        values = _values(windowed, figure)
        for population, scenario in places:
            where = (pl.col("population") == population) & (pl.col("scenario") == scenario)
            measured = windowed.filter(where, pl.col("policy").is_in(figure.presets))["policy"].n_unique()
            empty = (f"the runs end before policy week {figures.from_week}" if measured < len(figure.presets) else
                     f"no posterior member and seed was run under both {figure.preset} and {figure.versus}")
            rows.append({"figure": figure.id, "population": population, "scenario": scenario,
                         **_verdict(figure, values.filter(where), empty)})
    schema = {"figure": pl.String, "population": pl.String, "scenario": pl.String, "status": pl.String,
              "note": pl.String, "runs": pl.Int64, "members": pl.Int64, "seeds": pl.Int64,
              "mean": pl.Float64, "p10": pl.Float64, "p90": pl.Float64}
    return Evidence(figures, pl.DataFrame(rows, schema=schema), runs, replicates(windowed) if windowed.height else None)


def _verdict(figure: Figure, values: pl.DataFrame, empty: str) -> dict:
    """Status, band and what it spans of one figure's ``values`` (PLACE, REPLICATE, value) in one place; ``empty``
    says why there is no value if there is none."""
    if values.is_empty():
        return {"status": NOT_MEASURED, "note": empty}
    undefined = values.filter(~pl.col("value").is_finite()).height
    if undefined:
        return {"status": NOT_MEASURED,
                "note": f"the measure has nothing to divide by in {undefined} of {values.height} runs"}
    band = values.select(tables.band()).row(0, named=True)
    spanned = replicates(values)
    status = WITHIN if miss(figure, band["p10"], band["p90"]) == 0 else OUTSIDE
    return {"status": status, **band, "members": len(spanned.members), "seeds": len(spanned.seeds)}


def miss(figure: Figure, p10: float, p90: float) -> float:
    """How far the model's band (``p10`` to ``p90``) lies from the figure's range (``low`` to ``high``), in half
    its width (``scale``; for a tolerance, in tolerances): 0 when they overlap (the figure is within)."""
    return max(figure.low - p90, p10 - figure.high, 0.0) / figure.scale


# How a figure's numbers are shown: measures that are shares of contacts, and money.
_SHARES = {"statutory_per_contact", "unmet_share", "isolation_rate", "recontact_12w_share", "recontact_26w_share"}


def shown(value: float, figure: Figure, tolerance: bool = False) -> str:
    """A figure's number as people read it: shares in percent (a tolerance in points), money in GBP, ratios plain."""
    if figure.compare == "ratio":
        return f"{value:.2f}"
    if figure.measure.startswith("share_") or figure.measure.endswith("_share") or figure.measure in _SHARES:
        return f"{100 * value:.1f}{' pp' if tolerance else '%'}"
    if figure.measure.startswith("cost_") or figure.measure.endswith("_per_adult_year"):
        return f"£{value:,.0f}" if abs(value) >= 100 else f"£{value:,.1f}"
    return f"{value:,.1f}"


@dataclass(frozen=True)
class _Row:
    """One row of the table, as text (escaped for the page it goes on by the caller)."""

    where: str
    figure: str  # the description
    how: str  # its id and the presets it is measured on
    source: str
    role: str
    reported: str
    model: str
    runs: str
    verdict: str
    status: str


def _rows(evidence: Evidence, not_run: str) -> list[_Row]:
    by_id = {figure.id: figure for figure in evidence.figures.figures}
    rows = []
    for e in evidence.table.iter_rows(named=True):
        figure = by_id[e["figure"]]
        where = f"{place_name(e['population'])}, {label(e['scenario']).lower()}" if e["population"] else ""
        reported = (f"{shown(figure.value, figure)} ± {shown(figure.tolerance, figure, tolerance=True)}"
                    if figure.band is None else
                    f"{shown(figure.value, figure)} ({shown(figure.low, figure)} to {shown(figure.high, figure)})")
        if e["status"] in (WITHIN, OUTSIDE):
            model = f"{shown(e['mean'], figure)} ({shown(e['p10'], figure)} to {shown(e['p90'], figure)})"
            seeds = f"{e['seeds']} seed{'s' if e['seeds'] != 1 else ''}"
            runs = f"{e['runs']} runs: " + (f"{e['members']} members x {seeds}" if e["members"] > 1 else seeds)
            verdict = f"{e['status']} ({ROLES[figure.role]})"
        else:
            model, runs = "–", ""
            verdict = not_run if e["status"] == NOT_RUN else f"not measured: {e['note']}"
        how = f"{figure.id}: {figure.preset}" + (
            f" {'/' if figure.compare == 'ratio' else 'saving over'} {figure.versus}" if figure.versus else "")
        rows.append(_Row(where, figure.description, how, figure.source, ROLES[figure.role], reported, model, runs,
                         verdict, e["status"]))
    return rows


def _tally(evidence: Evidence) -> str:
    """``9 comparisons of 9 figures: fitted 3 within, 1 outside; held out 1 within, 2 outside; 2 not run.``"""
    roles = {figure.id: figure.role for figure in evidence.figures.figures}
    counts = evidence.table.with_columns(pl.col("figure").replace_strict(roles).alias("role"))
    parts = []
    for role, name in ROLES.items():
        mine = counts.filter(pl.col("role") == role)
        shown = [f"{mine.filter(pl.col('status') == s).height} {s}" for s in (WITHIN, OUTSIDE)]
        parts.append(f"{name} {', '.join(shown)}")
    other = [f"{counts.filter(pl.col('status') == s).height} {s}" for s in (NOT_MEASURED, NOT_RUN)
             if counts.filter(pl.col("status") == s).height]
    return (f"{counts.height} comparisons of {len(evidence.figures.figures)} figures: "
            + "; ".join(parts + other) + ".")


_ABOUT = ("Fitted figures were targets of the calibration: its parameters were chosen to come close to them, so "
          "agreement there is expected and says little on its own. Held-out figures were never used to fit "
          "anything: they test the model. A figure is within when the model's band (10th to 90th percentile "
          "across runs) overlaps the reported value give or take its tolerance, and outside otherwise; every "
          "figure is shown, whether it passes or fails.")


def _window_text(figures: Figures) -> str:
    return (f"every figure is measured from policy week {figures.from_week} to the end of each run, after the new "
            "practice has ramped in")


def _spans(evidence: Evidence) -> str:
    measured = evidence.measured
    return f" The model's values are across {count_text(measured)}: {coverage_text(measured)}." if measured else ""


def section(evidence: Evidence) -> str:
    """The report's section 'How the model compares with the evidence': every figure, pass or fail."""
    rows = _rows(evidence, "not run in this comparison: see docs/validation.md")
    places = len({row.where for row in rows if row.where}) > 1
    head = "".join(f"<th>{name}</th>" for name in (["Where"] if places else []) + [
        "Figure", "Source", "Fitted or held out", "Reported value", "Model value (mean; 10-90%)", "Verdict"])
    body = "".join(
        "<tr>" + (f"<td>{html.escape(row.where)}</td>" if places else "")
        + f"<th scope='row'>{html.escape(row.figure)}<span class='band'>{html.escape(row.how)}</span></th>"
        f"<td class='source'>{html.escape(row.source)}</td>"
        f"<td>{row.role}</td><td>{html.escape(row.reported)}</td>"
        f"<td><span class='v'>{html.escape(row.model)}</span><span class='band'>{html.escape(row.runs)}</span></td>"
        f"<td class='verdict {row.status.replace(' ', '-')}'>{html.escape(row.verdict)}</td></tr>" for row in rows)
    return (f"<section id='evidence'><h2>How the model compares with the evidence</h2>"
            f"<p class='lead'>Every published figure the model is compared with (<code>configs/figures.yaml</code>). "
            f"{_window_text(evidence.figures).capitalize()}.{_spans(evidence)} {_ABOUT}</p>"
            f"<p class='note'>{html.escape(_tally(evidence))}</p>"
            f"<table class='summary evidence'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>")


def markdown(sweep: Sweep, evidence: Evidence, command: str) -> str:
    """``docs/validation.md``: what was run, then every figure with its verdict; ``command`` is how it was made."""
    rows = _rows(evidence, "not run in this sweep")
    places = len({row.where for row in rows if row.where}) > 1
    cells = [(["Where"] if places else []) + ["Figure", "Source", "Fitted or held out", "Reported value",
                                              "Model value (mean; 10-90%)", "Verdict"]]
    cells += [([row.where] if places else []) + [f"{row.figure}<br>`{row.how}`", row.source, row.role, row.reported,
                                                 f"{row.model}<br>{row.runs}" if row.runs else row.model, row.verdict]
              for row in rows]
    table = "\n".join("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in
                      [cells[0], ["---"] * len(cells[0]), *cells[1:]])
    return "\n".join([
        "# How the model compares with the evidence",
        "",
        f"Generated by `{command}`; do not edit by hand: run the command again on a new sweep.",
        "",
        "## What was run",
        "",
        *_what_was_run(sweep, evidence),
        "",
        "## The figures",
        "",
        _tally(evidence),
        "",
        table,
        "",
        _ABOUT,
        "",
    ])


def status(evidence: Evidence, command: str) -> dict:
    """The verdicts machine-readable (``docs/validation.json``, read by ``analysis.validation``): ``command``,
    ``revisions`` (git revision -> runs of the figures' presets made at it), and ``figures``, one per row of the
    table: id, description, preset, versus, role, population, scenario, status, note, value, tolerance, mean,
    p10, p90, ``miss`` (:func:`miss`; null unless measured) and the values as the table shows them (``reported``,
    ``model`` with its band, ``model_mean`` without; null unless measured)."""
    by_id = {figure.id: figure for figure in evidence.figures.figures}
    figures = []
    for row, text in zip(evidence.table.iter_rows(named=True), _rows(evidence, NOT_RUN)):
        figure = by_id[row["figure"]]
        measured = row["status"] in (WITHIN, OUTSIDE)
        figures.append({
            "id": figure.id, "description": figure.description, "preset": figure.preset, "versus": figure.versus,
            "role": figure.role, "population": row["population"], "scenario": row["scenario"], "status": row["status"],
            "note": row["note"], "value": figure.value, "tolerance": figure.tolerance,
            **{k: row[k] for k in ("mean", "p10", "p90")},
            "miss": miss(figure, row["p10"], row["p90"]) if measured else None,
            "reported": text.reported, "model": text.model if measured else None,
            "model_mean": shown(row["mean"], figure) if measured else None,
        })
    revisions = evidence.runs.group_by("git_revision").len().sort("len", descending=True).rows()
    return {"command": command, "revisions": dict(revisions), "figures": figures}


def _what_was_run(sweep: Sweep, evidence: Evidence) -> list[str]:
    """Bullets: revision, presets and their runs, members and seeds, places, horizon, window and packages."""
    runs, figures = evidence.runs, evidence.figures
    revisions = runs.group_by("git_revision").len().sort("len", descending=True).rows()
    counts = runs.group_by("policy").len().sort("policy").rows()
    lines = [f"- Model revision: {'; '.join(f'`{r}` ({n} runs)' for r, n in revisions) or 'no run of a figure preset'}.",
             f"- Presets: {', '.join(f'{p} ({n} runs)' for p, n in counts) or 'none'}."]
    if runs.height:
        spanned = replicates(runs)
        members = ", ".join(map(str, spanned.members))
        config = sweep.config(runs["run_dir"][0])
        places = sorted(set(runs.select(tables.PLACE).rows()))
        lines += [f"- Replicates: each preset on {count_text(spanned)} (members {members}; seeds "
                  f"{', '.join(map(str, spanned.seeds))}): {coverage_text(spanned)}.",
                  f"- Where: {', '.join(f'{place_name(p)}, {label(s).lower()} scenario' for p, s in places)}; "
                  f"{config['warmup_weeks']} weeks of warm-up under the status quo, then {config['weeks']} policy weeks.",
                  f"- Window: {_window_text(figures)} (policy weeks {figures.from_week} to {config['weeks'] - 1})."]
    lines.append(f"- Packages: {', '.join(f'{k} {v}' for k, v in sweep.packages.items())}.")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.evidence", description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", help="directory of a sweep (the validation preset's: results/sweeps/validation)")
    parser.add_argument("--markdown", metavar="FILE", help="write the table as Markdown to FILE (docs/validation.md) "
                        "and the verdicts as JSON beside it (docs/validation.json); without it, print it")
    parser.add_argument("--figures", metavar="FILE", default=str(FIGURES), help="the figures (default: %(default)s)")
    args = parser.parse_args(argv)
    command = " ".join(["python -m analysis.evidence", args.sweep_dir]
                       + ([f"--markdown {args.markdown}"] if args.markdown else []))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SweepWarning)
            sweep = open_sweep(args.sweep_dir)
            found = evaluate(sweep, load_figures(args.figures))
            text = markdown(sweep, found, command)
    except (SweepError, ConfigError) as error:
        print(f"evidence: {error}", file=sys.stderr)
        return 2
    for warning in caught:
        print(f"evidence: warning: {warning.message}", file=sys.stderr)
    if args.markdown is None:
        print(text, end="")
        return 0
    out, verdicts = Path(args.markdown), Path(args.markdown).with_suffix(".json")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda path: path.write_text(text, encoding="utf-8"))
    document = json.dumps(status(found, command), indent=2, ensure_ascii=False) + "\n"
    atomic_write(verdicts, lambda path: path.write_text(document, encoding="utf-8"))
    print(f"wrote {out} and {verdicts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
