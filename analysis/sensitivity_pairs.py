"""Paired differences between two policies' sensitivity experiments, and which parameters decide their sign.

    python -m analysis.sensitivity_pairs results/sensitivity/market_town/baseline/service_first \\
        results/sensitivity/market_town/baseline/community_first [-o OUT_DIR]

Two experiments of one design (same parameters, ranges and SALib settings, same seed, town, scenario and
horizon; only the policy differs) ran sample k on the same parameter set, the same town and the same history
of life events, so their outcomes pair by (method, run): the difference policy - base of each outcome at
sample k is the policy's effect at that parameter set, with chance largely cancelled (common random numbers).

Per outcome of ``model.outputs.OUTCOMES``:

``difference_summary.parquet``  the share of samples (Morris and Sobol runs) in which the difference is negative
                                (the policy gives less), its mean and range, and its spread across parameters
                                against its spread across seeds at the default values (the noise runs)
``difference_morris.parquet``   per parameter: Morris mu* (with its 95% confidence half-width), mu and sigma
                                of the difference (SALib ``morris.analyze`` on the paired Morris runs)
``difference_sign.parquet``     per parameter: the share negative among samples in the lowest third and in the
                                highest third of its range (in its sampled scale, ``analysis.parameter_space``),
                                and ``flip``, highest minus lowest: a parameter with a large flip decides the sign
                                (what one would need to believe about it for the policy to give more, or less)
``difference_bands.parquet``    per parameter and sixth of its range: the share negative there (where the
                                sign turns, to within a sixth of the range)
``differences.parquet``         per paired run: method, run, seed, the sampled values and each difference

are written to OUT_DIR (default: ``<policy>_minus_<base>`` beside the two) and the findings are printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import polars as pl
from SALib.analyze import morris as morris_analyze

from analysis.parameter_space import Axis, axes, problem
from analysis.sensitivity import Sensitivity, SensitivityError, load
from model.outputs import OUTCOMES, atomic_write

SUMMARY, MORRIS_DIFFERENCE, SIGN, BANDS, DIFFERENCES, PAIR = (
    "difference_summary.parquet", "difference_morris.parquet", "difference_sign.parquet", "difference_bands.parquet",
    "differences.parquet", "pair.json")
SIXTHS = 6  # bands of difference_bands.parquet: one Morris level each on the default 6-level grid
SAMPLED = ("morris", "sobol")  # methods whose runs sample the parameter space (noise runs sit at the defaults)
# What only the policy may change between the two experiments: its preset, its review practice, and how the
# runs were spread over processes and checkpoints.
POLICY_KEYS = ("policy", "review")
PROCESS_KEYS = ("workers", "chunk")


@dataclass(frozen=True)
class Pair:
    """Two experiments of one design, their sampled parameters and the differences policy - base per paired run."""

    base: Sensitivity
    policy: Sensitivity
    space: list[Axis]
    differences: pl.DataFrame


def differences(base: pl.DataFrame, policy: pl.DataFrame, names: Sequence[str]) -> pl.DataFrame:
    """Per (method, run) present in both ``runs`` frames: method, run, seed, the values of ``names`` and
    policy - base of every outcome.  Samples that do not match (another seed or parameter value) are refused
    in one line naming the first: they are not the same experiment twice."""
    keys = ["method", "run"]
    if base.select(keys).sort(keys).rows() != policy.select(keys).sort(keys).rows():
        raise SensitivityError(f"the two experiments hold different runs ({base.height} and {policy.height}); "
                               "run both with the same sensitivity settings")
    joined = base.join(policy, on=keys, how="inner", suffix="|policy", validate="1:1").sort(keys)
    for column in ("seed", *names):
        mismatch = joined.filter(pl.col(column) != pl.col(f"{column}|policy"))
        if mismatch.height:
            method, run = mismatch.row(0, named=True)["method"], mismatch.row(0, named=True)["run"]
            raise SensitivityError(f"{method} run {run} has {column}={mismatch[column][0]!r} in one experiment and "
                                   f"{mismatch[f'{column}|policy'][0]!r} in the other: not the same design")
    return joined.select(*keys, "seed", *names,
                         *[(pl.col(f"{o}|policy") - pl.col(o)).alias(o) for o in OUTCOMES])


def morris_of_difference(diff: pl.DataFrame, space: Sequence[Axis], levels: int, resamples: int,
                         seed: int) -> pl.DataFrame:
    """Morris mu, mu* (with its 95% confidence half-width) and sigma of each outcome's difference, per parameter.

    SALib's analysis of the paired Morris runs, whose values are turned back into the sampled coordinates;
    elementary effects are in outcome units per Morris step of the sampled coordinate."""
    runs = diff.filter(pl.col("method") == "morris").sort("run")
    x = np.column_stack([a.coordinate(runs[a.name].to_numpy()) for a in space])
    rows = []
    for outcome in OUTCOMES:
        y = runs[outcome].to_numpy().astype(float)
        result = morris_analyze.analyze(problem(space), x, y, num_resamples=resamples, num_levels=levels, seed=seed)
        for i, axis in enumerate(space):
            rows.append({"outcome": outcome, "parameter": axis.name, "mu": float(result["mu"][i]),
                         "mu_star": float(result["mu_star"][i]), "mu_star_conf": float(result["mu_star_conf"][i]),
                         "sigma": float(result["sigma"][i])})
    return pl.DataFrame(rows)


def sign_by_band(diff: pl.DataFrame, space: Sequence[Axis], bands: int) -> pl.DataFrame:
    """Per outcome, parameter and band (the range cut into ``bands`` equal parts of its sampled coordinate):
    the values the band spans, its sampled runs and the share of them with a negative difference."""
    sampled = diff.filter(pl.col("method").is_in(SAMPLED))
    rows = []
    for axis in space:
        band = np.minimum(np.floor(axis.position(sampled[axis.name].to_numpy()) * bands), bands - 1).astype(int)
        low, high = axis.bounds
        edges = axis.value(low + (high - low) * np.arange(bands + 1) / bands)
        for outcome in OUTCOMES:
            negative = sampled[outcome].to_numpy() < 0
            for b in range(bands):
                inside = band == b
                rows.append({"outcome": outcome, "parameter": axis.name, "band": b, "from": float(edges[b]),
                             "to": float(edges[b + 1]), "runs": int(inside.sum()),
                             "share_negative": float(negative[inside].mean()) if inside.any() else float("nan")})
    return pl.DataFrame(rows)


def sign_by_third(diff: pl.DataFrame, space: Sequence[Axis]) -> pl.DataFrame:
    """Per outcome and parameter: the share of sampled runs with a negative difference among those whose value
    lies in the lowest third of the parameter's range, and in the highest third; ``flip`` is high - low."""
    thirds = sign_by_band(diff, space, 3)
    low = thirds.filter(pl.col("band") == 0).select("outcome", "parameter", share_negative_low="share_negative",
                                                   runs_low="runs")
    high = thirds.filter(pl.col("band") == 2).select("outcome", "parameter", share_negative_high="share_negative",
                                                    runs_high="runs")
    return (low.join(high, on=["outcome", "parameter"], maintain_order="left")
            .with_columns(flip=pl.col("share_negative_high") - pl.col("share_negative_low"))
            .select("outcome", "parameter", "share_negative_low", "share_negative_high", "flip", "runs_low",
                    "runs_high"))


def summary(diff: pl.DataFrame) -> pl.DataFrame:
    """Per outcome: share of sampled runs with a negative difference, its mean, range and spread across the
    parameters, and its spread across seeds at the default values (when there are noise runs)."""
    sampled, noise = diff.filter(pl.col("method").is_in(SAMPLED)), diff.filter(pl.col("method") == "noise")
    rows = []
    for outcome in OUTCOMES:
        values = sampled[outcome]
        rows.append({"outcome": outcome, "runs": values.len(), "share_negative": float((values < 0).mean()),
                     "mean": values.mean(), "min": values.min(), "max": values.max(),
                     "sd_parameters": values.std(),
                     "mean_at_defaults": noise[outcome].mean() if noise.height else None,
                     "sd_seeds": noise[outcome].std() if noise.height > 1 else None})
    return pl.DataFrame(rows)


def pair(base: Sensitivity, policy: Sensitivity) -> Pair:
    """Pair two loaded experiments after checking that only the policy differs between their configs."""
    if base.config["policy"]["name"] == policy.config["policy"]["name"]:
        raise SensitivityError(f"both experiments ran policy {base.config['policy']['name']}: nothing to compare")
    difference = _first_difference(_design(base.config), _design(policy.config))
    if difference:
        raise SensitivityError(f"the experiments differ in {difference}, not only in the policy: they do not pair")
    space = axes(base.config["sensitivity"]["parameters"])
    return Pair(base, policy, space, differences(base.runs, policy.runs, [a.name for a in space]))


def _design(config: dict) -> dict:
    """A config without what only the policy (or how the runs were spread) may change."""
    kept = {k: v for k, v in config.items() if k not in POLICY_KEYS}
    kept["sensitivity"] = {k: v for k, v in config["sensitivity"].items() if k not in PROCESS_KEYS}
    return kept


def _first_difference(a: Any, b: Any, prefix: str = "") -> str | None:
    """The dotted key and both values of the first leaf where two nested configs differ, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys(), key=str):
            found = _first_difference(a.get(key), b.get(key), f"{prefix}.{key}" if prefix else str(key))
            if found:
                return found
        return None
    return None if a == b else f"{prefix} ({a!r} and {b!r})"


def write(p: Pair, out_dir: Path) -> dict[str, pl.DataFrame]:
    """Compute the tables of a pair and write them, each atomically, with ``pair.json`` (the two sources) last."""
    settings = p.base.config["sensitivity"]
    tables = {SUMMARY: summary(p.differences), SIGN: sign_by_third(p.differences, p.space),
              BANDS: sign_by_band(p.differences, p.space, SIXTHS), DIFFERENCES: p.differences}
    if settings["morris_trajectories"]:
        tables[MORRIS_DIFFERENCE] = morris_of_difference(p.differences, p.space, settings["morris_levels"],
                                                         settings["resamples"], settings["sample_seed"])
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        atomic_write(out_dir / name, frame.write_parquet)
    sources = {"base": str(p.base.root), "policy": str(p.policy.root),
               "policies": [p.base.config["policy"]["name"], p.policy.config["policy"]["name"]],
               "git_revisions": [p.base.metadata["git_revision"], p.policy.metadata["git_revision"]],
               "population": p.base.config["population"]["name"], "runs": p.differences.height}
    atomic_write(out_dir / PAIR, lambda path: path.write_text(json.dumps(sources, indent=2) + "\n"))
    return tables


def findings(p: Pair, tables: dict[str, pl.DataFrame], top: int = 3) -> str:
    """The findings in plain text: per outcome, how often the policy gives less, what moves the difference
    most (mu*), which parameters flip its sign and, for the one that flips it most, where."""
    names = p.base.config["policy"]["name"], p.policy.config["policy"]["name"]
    lines = [f"{p.base.config['population']['name']}: {names[1]} - {names[0]}, {p.differences.height} paired runs"]
    sign = tables[SIGN]
    for row in tables[SUMMARY].iter_rows(named=True):
        outcome = row["outcome"]
        lines.append(f"  {OUTCOMES[outcome]}: lower under {names[1]} in {row['share_negative']:.0%} of samples "
                     f"(difference {row['mean']:.4g} on average, {row['min']:.4g} to {row['max']:.4g}; "
                     f"sd {row['sd_parameters']:.3g} across parameters, {_number(row['sd_seeds'])} across seeds)")
        if MORRIS_DIFFERENCE in tables:
            ranked = tables[MORRIS_DIFFERENCE].filter(pl.col("outcome") == outcome).sort("mu_star", descending=True)
            lines.append("    largest mu*: " + ", ".join(f"{r['parameter']} {r['mu_star']:.3g} (mu {r['mu']:.3g})"
                                                        for r in ranked.head(top).iter_rows(named=True)))
        flips = sign.filter(pl.col("outcome") == outcome).sort(pl.col("flip").abs(), descending=True)
        lines.append("    share lower, lowest -> highest third: " + ", ".join(
            f"{r['parameter']} {r['share_negative_low']:.0%} -> {r['share_negative_high']:.0%}"
            for r in flips.head(top).iter_rows(named=True)))
        bands = tables[BANDS].filter((pl.col("outcome") == outcome) & (pl.col("parameter") == flips["parameter"][0]))
        lines.append(f"    share lower by {flips['parameter'][0]}: " + ", ".join(
            f"{r['from']:.3g}-{r['to']:.3g} {r['share_negative']:.0%}" for r in bands.iter_rows(named=True)))
    return "\n".join(lines)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.sensitivity_pairs", description=__doc__.splitlines()[0])
    parser.add_argument("base", help="directory of the base policy's sensitivity experiment (e.g. service_first)")
    parser.add_argument("policy", help="directory of the other policy's experiment, of the same design")
    parser.add_argument("-o", "--output", help="directory for the tables (default: <policy>_minus_<base> beside them)")
    args = parser.parse_args(argv)
    try:
        p = pair(load(args.base), load(args.policy))
        out = Path(args.output) if args.output else (
            Path(args.policy).parent / f"{p.policy.config['policy']['name']}_minus_{p.base.config['policy']['name']}")
        tables = write(p, out)
    except SensitivityError as error:
        print(f"sensitivity pairs: {error}", file=sys.stderr)
        return 2
    print(findings(p, tables))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
