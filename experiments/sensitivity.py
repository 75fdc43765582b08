"""Global sensitivity analysis of the key outcomes: Morris screening and Sobol indices (SALib).

    python -m experiments.sensitivity                    # settings in configs/sensitivity.yaml
    python -m experiments.sensitivity policy=service_first sensitivity.sobol_base_samples=512

Each uncertain parameter (``sensitivity.parameters``: section -> field -> [low, high], or [low, high, log]
to sample its logarithm; ``analysis.parameter_space``) is sampled with SALib's Morris and Sobol (Saltelli)
designs and the model is run once per sample.  Values are set in the unresolved composed config before it is
resolved (``model.config.params_with``, the calibration's rule), so ``posterior.mobilisation`` reaches the
community-first presets that take it and leaves service_first's front door without a conversation.
Every sample uses the config's seed (common random numbers), so the indices measure the parameters'
effects on one town and one history of life events, not seed noise; ``noise_seeds`` runs at the
default values with other seeds measure that noise for comparison.  The design depends only on
``sensitivity.*``, never on the policy, so two policies' experiments of one design pair sample by sample
(``analysis.sensitivity_pairs``; ``python -m experiments.sensitivity_pairs`` runs both and pairs them).

Runs are evaluated in chunks, each saved atomically as it finishes, so an experiment that is killed
and restarted with the same settings redoes only the missing chunks.  The Hydra run directory gets:

``runs.parquet``     one row per model run: method, run, seed, the sampled values and the outcomes
``morris.parquet``   per outcome and parameter: mu, mu_star (with its 95% confidence half-width), sigma
``sobol.parquet``    per outcome and parameter: S1 and ST (with their 95% confidence half-widths)
``config.yaml``, ``metadata.json``   as for every run (``experiments.store``)

The file names and the outcome columns are in ``model.outputs``, shared with ``analysis.sensitivity``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import sys
import time
from concurrent.futures import as_completed
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

import hydra
import numpy as np
import polars as pl
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from analysis.parameter_space import Axis, axes, problem
from experiments import store
from experiments.cli import run_app
from experiments.workers import model_pool
from model.config import params_with
from model.outputs import MORRIS, OUTCOMES, RUNS, SOBOL, atomic_write
from model.components import Params
from model.params import ConfigError, p, validate
from model.params import sections as section_types
from model.simulation import ResilienceModel, Results

log = logging.getLogger(__name__)
logging.getLogger("MESA").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Settings:
    """The design of a sensitivity experiment (``sensitivity.*`` apart from ``parameters``)."""

    morris_trajectories: int = p(0, 10000, "trajectories", "Morris trajectories r (runs: r x (k + 1)); 0 skips Morris")
    morris_levels: int = p(2, 64, "levels", "grid levels of the Morris design (even)")
    sobol_base_samples: int = p(0, 2**20, "samples", "Sobol base sample N, a power of two (runs: N x (k + 2)); 0 skips Sobol")
    resamples: int = p(10, 100000, "", "bootstrap resamples for the confidence intervals")
    sample_seed: int = p(0, 2**32 - 1, "", "seeds the SALib designs and bootstraps")
    noise_seeds: int = p(0, 10000, "runs", "runs at the default values with seeds seed, seed + 1, ...")
    workers: int = p(1, 1024, "processes", "model runs in parallel")
    chunk: int = p(1, 100000, "runs", "runs per checkpoint file")


@dataclass(frozen=True)
class Design:
    """A validated experiment: settings, the sampled parameters, the base parameters and the composed config."""

    settings: Settings
    space: list[Axis]
    base: Params
    config: dict  # the composed config, unresolved (interpolations kept), without ``sensitivity``

    @property
    def problem(self) -> dict:
        """The SALib problem (bounds in the sampled coordinates)."""
        return problem(self.space)


def outcomes(results: Results) -> dict[str, float]:
    """The key outcomes of one run (means over the policy weeks; cost and contacts per year)."""
    s = store.summarise(results.steps).row(0, named=True)
    adults = results.steps["residents"][0]
    years = s["weeks"] / 52
    return {
        "caseload_per_1000": 1000 * s["caseload_long_term_mean"] / adults,
        "unmet_share": s["unmet_share"],
        "isolation_rate": s["isolation_rate"],
        "cost_per_adult_year": s["cost_total"] / adults / years,
        "contacts_per_1000_per_year": s["contacts_per_1000_per_year"],
    }


def resolved(config: Mapping[str, Any]) -> dict:
    """The resolved form of a composed config: what is stored with the results and compared on a rerun."""
    return OmegaConf.to_container(OmegaConf.create(dict(config)), resolve=True)


def design(config: Mapping[str, Any]) -> Design:
    """Validate an unresolved composed sensitivity config (model values plus ``sensitivity``) into a design.

    Raises a one-line ConfigError naming the field for any bad setting or parameter range.
    """
    model_config = {k: v for k, v in config.items() if k != "sensitivity"}
    values = resolved(config)
    base = params_with(model_config, {}, values["seed"])
    block = dict(values.get("sensitivity") or {})
    ranges = block.pop("parameters", None)
    settings = validate(Settings, block, "sensitivity.")
    if settings.morris_trajectories and settings.morris_levels % 2:
        raise ConfigError(f"sensitivity.morris_levels={settings.morris_levels} must be even")
    n = settings.sobol_base_samples
    if n and n & (n - 1):
        raise ConfigError(f"sensitivity.sobol_base_samples={n} must be a power of two (e.g. {1 << n.bit_length()})")
    return Design(settings, _checked_space(ranges, model_config, base.seed), base, model_config)


def _checked_space(ranges: Any, model_config: dict, seed: int) -> list[Axis]:
    """The axes of ``sensitivity.parameters``, each a real-valued model parameter the model accepts at both ends."""
    sections = section_types(Params)
    space = axes(ranges)
    for axis in space:
        section, field_name = axis.name.split(".")
        path = f"sensitivity.parameters.{axis.name}"
        fields = {f.name: f for f in dataclasses.fields(sections[section])} if section in sections else {}
        if field_name not in fields or fields[field_name].type != "float":
            raise ConfigError(f"{path} is not a real-valued model parameter; sections: {', '.join(sections)}")
        for value in (axis.low, axis.high):
            try:
                params_with(model_config, {axis.name: value}, seed)
            except ConfigError as error:
                raise ConfigError(f"{path}: {error}") from None
    if len(space) < 2:
        raise ConfigError(f"sensitivity.parameters names {len(space)} parameter(s); at least two are needed")
    return space


def samples(d: Design) -> dict[str, np.ndarray]:
    """The SALib sample matrices in the sampled coordinates, one row per run, per method."""
    s, out = d.settings, {}
    if s.morris_trajectories:
        out["morris"] = morris_sample.sample(d.problem, s.morris_trajectories, num_levels=s.morris_levels,
                                             seed=s.sample_seed)
    if s.sobol_base_samples:
        out["sobol"] = sobol_sample.sample(d.problem, s.sobol_base_samples, calc_second_order=False,
                                           seed=s.sample_seed)
    if s.noise_seeds:
        defaults = [a.coordinate(getattr(getattr(d.base, a.name.split(".")[0]), a.name.split(".")[1]))
                    for a in d.space]
        out["noise"] = np.tile(defaults, (s.noise_seeds, 1))
    return out


def model_values(d: Design, coordinates: np.ndarray) -> np.ndarray:
    """The model values of a sample matrix in the sampled coordinates (column by column)."""
    return np.column_stack([a.value(coordinates[:, i]) for i, a in enumerate(d.space)])


def run_seed(d: Design, method: str, run: int) -> int:
    """Noise runs use successive seeds; every other run uses the config's seed (common random numbers)."""
    return d.base.seed + run if method == "noise" else d.base.seed


def evaluate(config: dict, names: Sequence[str], jobs: Sequence[tuple[str, int, int, Sequence[float]]]) -> pl.DataFrame:
    """Run the model of the unresolved ``config`` for each (method, run, seed, values) job; one row of outcomes per job."""
    rows = []
    for method, run, seed, values in jobs:
        params = params_with(config, dict(zip(names, values)), seed)
        rows.append({"method": method, "run": run, "seed": seed, **outcomes(ResilienceModel(params).run())})
    return pl.DataFrame(rows)


def fingerprint(config: Mapping[str, Any]) -> str:
    """A short hash of everything that determines the runs (not ``workers`` or ``output``)."""
    relevant = {k: v for k, v in config.items() if k != "output"}
    relevant["sensitivity"] = {k: v for k, v in relevant.get("sensitivity", {}).items() if k != "workers"}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()[:16]


def evaluate_all(d: Design, x: dict[str, np.ndarray], checkpoints: Path) -> pl.DataFrame:
    """Outcomes of every run, from checkpoint files where present; missing chunks are run and saved."""
    s, names = d.settings, d.problem["names"]
    chunks = {}
    for method, coordinates in x.items():
        matrix = model_values(d, coordinates)
        for start in range(0, len(matrix), s.chunk):
            jobs = [(method, run, run_seed(d, method, run), tuple(matrix[run]))
                    for run in range(start, min(start + s.chunk, len(matrix)))]
            chunks[f"{method}-{start // s.chunk:05d}.parquet"] = jobs
    checkpoints.mkdir(parents=True, exist_ok=True)
    done, todo = {}, {}
    for name, jobs in chunks.items():
        path = checkpoints / name
        try:
            done[name] = pl.read_parquet(path) if path.exists() else None
        except Exception as error:  # noqa: BLE001 - any unreadable checkpoint is reported and redone
            log.warning("checkpoint %s is unreadable (%s): running it again", path, error)
            done[name] = None
        if done[name] is None or done[name].height != len(jobs):
            todo[name] = jobs
    total = sum(len(j) for j in chunks.values())
    log.info("%d runs in %d chunks; %d chunks already done, %d to run", total, len(chunks), len(chunks) - len(todo),
             len(todo))
    started, finished_runs = time.monotonic(), 0

    def save(name: str, frame: pl.DataFrame) -> None:
        nonlocal finished_runs
        atomic_write(checkpoints / name, frame.write_parquet)
        done[name] = frame
        finished_runs += frame.height
        left = sum(len(todo[n]) for n in todo) - finished_runs
        eta = (time.monotonic() - started) / finished_runs * left
        log.info("chunk %s done: %d runs left, about %.0f s", name, left, eta)

    if s.workers == 1:
        for name, jobs in todo.items():
            save(name, evaluate(d.config, names, jobs))
    else:
        with model_pool(s.workers) as pool:
            futures = {pool.submit(evaluate, d.config, names, jobs): name for name, jobs in todo.items()}
            for future in as_completed(futures):
                save(futures[future], future.result())
    return pl.concat([done[name] for name in chunks])


def morris_indices(d: Design, x: np.ndarray, runs: pl.DataFrame) -> pl.DataFrame:
    """Morris mu, mu* (with its confidence half-width) and sigma, per outcome and parameter.

    Elementary effects are in outcome units per Morris step (levels / (2 (levels - 1)) of a range, in the
    sampled coordinate: of the logarithm's range for a log parameter).
    """
    s, rows = d.settings, []
    for outcome in _varying(runs, "morris"):
        y = runs.filter(pl.col("method") == "morris").sort("run")[outcome].to_numpy()
        result = morris_analyze.analyze(d.problem, x, y, num_resamples=s.resamples, num_levels=s.morris_levels,
                                        seed=s.sample_seed)
        for i, name in enumerate(d.problem["names"]):
            rows.append({"outcome": outcome, "parameter": name, "mu": result["mu"][i], "mu_star": result["mu_star"][i],
                         "mu_star_conf": result["mu_star_conf"][i], "sigma": result["sigma"][i]})
    return pl.DataFrame(rows)


def sobol_indices(d: Design, runs: pl.DataFrame) -> pl.DataFrame:
    """Sobol first-order (S1) and total (ST) indices with confidence half-widths, per outcome and parameter."""
    s, rows = d.settings, []
    for outcome in _varying(runs, "sobol"):
        y = runs.filter(pl.col("method") == "sobol").sort("run")[outcome].to_numpy()
        result = sobol_analyze.analyze(d.problem, y, calc_second_order=False, num_resamples=s.resamples,
                                       seed=s.sample_seed)
        for i, name in enumerate(d.problem["names"]):
            rows.append({"outcome": outcome, "parameter": name, "S1": result["S1"][i],
                         "S1_conf": result["S1_conf"][i], "ST": result["ST"][i], "ST_conf": result["ST_conf"][i]})
    return pl.DataFrame(rows)


def _varying(runs: pl.DataFrame, method: str) -> list[str]:
    """Outcomes that vary across a method's runs (indices of a constant outcome are undefined)."""
    subset = runs.filter(pl.col("method") == method)
    varying = [o for o in OUTCOMES if subset[o].n_unique() > 1]
    for outcome in sorted(set(OUTCOMES) - set(varying)):
        log.warning("%s is the same in every %s run: no indices", outcome, method)
    return varying


def run(config: Mapping[str, Any], out_dir: Path, skip_complete: bool = True) -> Path:
    """Validate the unresolved composed ``config``, run (or resume) the experiment and store its tables in ``out_dir``."""
    d = design(config)
    stored_config = resolved(config)
    if skip_complete and store.finished_with(out_dir, stored_config):
        log.info("already complete, skipped: %s", out_dir)
        return out_dir
    started = datetime.now(timezone.utc)
    x = samples(d)
    checkpoints = Path(out_dir) / f".checkpoints-{fingerprint(stored_config)}"
    outputs = evaluate_all(d, x, checkpoints)
    values = pl.concat([pl.DataFrame({"method": [m] * len(mx), "run": np.arange(len(mx))}).hstack(
                            pl.DataFrame(model_values(d, mx), schema=d.problem["names"], orient="row"))
                        for m, mx in x.items()])
    runs = values.join(outputs, on=["method", "run"], how="inner", validate="1:1").select(
        "method", "run", "seed", *d.problem["names"], *OUTCOMES)
    tables = {RUNS: runs}
    if "morris" in x:
        tables[MORRIS] = morris_indices(d, x["morris"], runs)
    if "sobol" in x:
        tables[SOBOL] = sobol_indices(d, runs)
    labels = {"experiment": "sensitivity", "seed": d.base.seed, "population": d.base.population.name,
              "scenario": d.base.scenario.name, "policy": d.base.policy.name, "runs": runs.height}
    store.write_result(out_dir, tables, stored_config, labels, started)
    for done in Path(out_dir).glob(".checkpoints-*"):  # this design's, and any left by a design given up
        shutil.rmtree(done)
    log.info("wrote %s", out_dir)
    return Path(out_dir)


@hydra.main(version_base=None, config_path="../configs", config_name="sensitivity")
def main(cfg: DictConfig) -> None:
    config = OmegaConf.to_container(cfg, resolve=False)
    config.pop("hydra", None)
    try:
        run(config, Path(HydraConfig.get().runtime.output_dir), skip_complete=cfg.output.skip_complete)
    except ConfigError as error:
        sys.exit(f"config error: {error}")


if __name__ == "__main__":
    run_app(main)
