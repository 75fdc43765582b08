"""What the calibration did and how well it fits: its waves, its emulators' validation, the posterior and the
posterior predictive check (every fitted figure's band over the ensemble beside its target).

``experiments.calibrate`` writes ``configs/posterior/provenance.json`` and runs every member once on the
calibration's town, writing each fitted figure's 10th, 50th and 90th percentiles over the members to
``configs/posterior/predictive_check.json``; a figure is within when that band overlaps the figure's own (as
``analysis.evidence`` judges every figure).  This module shows the check in the report (:func:`section`) and all of
it in ``docs/calibration.md`` (``python -m analysis.calibration`` prints the tables).
"""

from __future__ import annotations

import argparse
import html
import json
from pathlib import Path

from analysis.evidence import load_figures, shown
from model.config import CONFIG_DIR

CHECK = CONFIG_DIR / "posterior" / "predictive_check.json"
PROVENANCE = CONFIG_DIR / "posterior" / "provenance.json"


def load(path: Path = CHECK) -> list[dict] | None:
    """The check's rows (one per fitted figure), or None if the ensemble has none."""
    return json.loads(Path(path).read_text()) if Path(path).is_file() else None


def _measured_on(provenance: dict) -> str:
    town = provenance["town"]
    return (f"each of the {provenance['members']} posterior members run once (its own seed) on the calibration's town "
            f"({town['population'].replace('_', ' ')} at {town['n_neighbourhoods']} neighbourhoods, "
            f"{town['weeks']} policy weeks after a {town['warmup_weeks']}-week warm-up, measured from week "
            f"{provenance['window_from_week']}), at revision {_short(provenance['git_revision'])}")


def _short(revision: str) -> str:
    """A git revision as people quote it, keeping ``-dirty`` (code changed since that commit)."""
    return revision[:7] + (" with uncommitted changes" if revision.endswith("-dirty") else "")


def _cells(rows: list[dict]) -> list[tuple[str, str, str, str, bool]]:
    """(figure, target band, model band, verdict, within) for each row, as text."""
    figures = {f.id: f for f in load_figures().figures}
    out = []
    for row in rows:
        figure = figures[row["figure"]]
        target = f"{shown(row['target'], figure)} ({shown(row['low'], figure)} to {shown(row['high'], figure)})"
        model = f"{shown(row['median'], figure)} ({shown(row['p10'], figure)} to {shown(row['p90'], figure)})"
        out.append((figure.description, target, model, "within" if row["within"] else "outside", row["within"]))
    return out


def tally(rows: list[dict]) -> str:
    return f"{sum(r['within'] for r in rows)} of {len(rows)} fitted figures within band"


def section(rows: list[dict] | None) -> str:
    """The report's section 'Is the calibration right? The posterior predictive check'."""
    if rows is None:
        return ""
    body = "".join(f"<tr><th scope='row'>{html.escape(figure)}</th><td>{html.escape(target)}</td>"
                   f"<td>{html.escape(model)}</td><td class='verdict {verdict}'>{verdict}</td></tr>"
                   for figure, target, model, verdict, _ in _cells(rows))
    return ("<section id='predictive-check'><h2>The posterior predictive check</h2>"
            f"<p class='lead'>Does the calibrated model reproduce what it was fitted to? {html.escape(tally(rows))}: "
            "a figure is within when its 10th-90th percentile band over the posterior ensemble overlaps the figure's "
            f"own band. Measured on {html.escape(_measured_on(json.loads(PROVENANCE.read_text())))} "
            "(<code>configs/posterior/predictive_check.json</code>; "
            "<code>docs/calibration.md</code>).</p>"
            "<table class='summary evidence'><thead><tr><th>Figure</th><th>Target (band)</th>"
            "<th>Model: median (10-90%)</th><th>Verdict</th></tr></thead>"
            f"<tbody>{body}</tbody></table></section>")


def _table(head: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(map(str, r)) + " |"
                                                                          for r in rows]


def _g(value: float) -> str:
    return f"{value:.3g}"


def markdown(rows: list[dict], provenance_path: Path = PROVENANCE) -> str:
    """The waves, the emulators' validation, the posterior and the check as markdown (for ``docs/calibration.md``)."""
    provenance = json.loads(Path(provenance_path).read_text())
    waves = provenance["waves"]
    lines = ["### The waves", ""]
    lines += _table(["wave", "runs", "share of the prior not ruled out before it", "emulators fitted on (runs)",
                     "held-out runs within 2 sd (median over figures)", "worst figure's share within 2 sd"],
                    [[w["wave"], w["runs"], _g(w["share_not_ruled_out_before"]), w["training_runs"],
                      _g(sorted(v["within_2sd"] for v in w["validation"])[len(w["validation"]) // 2]),
                      _g(min(v["within_2sd"] for v in w["validation"]))] for w in waves])
    post = provenance["posterior"]
    lines += ["", f"After the last wave {_g(post['share_not_ruled_out'])} of the prior is not ruled out "
              f"({post['prior_draws']:,} draws screened). The posterior sampler: {post['walkers']} walkers, "
              f"{post['steps']} steps, acceptance {post['acceptance']}, longest integrated autocorrelation time "
              f"{post['autocorrelation_steps_max']} steps, effective sample size {post['effective_sample_size']} "
              f"(second half of the chains); {post['distinct_members']} distinct members of {post['members']}.", "",
              "### The last wave's emulators on runs they did not see", ""]
    last = waves[-1]["validation"]
    lines += _table(["figure", "held-out runs", "within 2 sd", "RMSE (half-widths of the band)", "variance explained"],
                    [[v["figure"], v["runs"], _g(v["within_2sd"]), _g(v["rmse_half_widths"]),
                      _g(v["variance_explained"])] for v in last])
    lines += ["", "### The posterior", ""]
    spread = provenance["members_10th_90th"]
    lines += _table(["parameter", "prior", "posterior median", "10th-90th percentile of the members"],
                    [[f"`{n}`", f"{'log-uniform' if p['scale'] == 'log' else 'uniform'} {p['low']:g}-{p['high']:g}",
                      _g(provenance["median"][n]), f"{_g(spread[n][0])} to {_g(spread[n][1])}"]
                     for n, p in provenance["priors"].items()])
    lines += ["", "### The posterior predictive check", "",
              f"{tally(rows).capitalize()}; measured on {_measured_on(provenance)}.", ""]
    lines += _table(["figure", "target (band)", "model: median (10th-90th percentile)", "verdict"],
                    [[figure, target, model, verdict] for figure, target, model, verdict, _ in _cells(rows)])
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the calibration's waves, validation, posterior and posterior "
                                                 "predictive check as markdown (docs/calibration.md).")
    parser.add_argument("--posterior", default=str(CHECK.parent), help="the ensemble's directory (configs/posterior)")
    args = parser.parse_args(argv)
    rows = load(Path(args.posterior) / CHECK.name)
    if rows is None:
        raise SystemExit(f"no predictive check in {args.posterior}: run python -m experiments.calibrate")
    print(markdown(rows, Path(args.posterior) / PROVENANCE.name), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
