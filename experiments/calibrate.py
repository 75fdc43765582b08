"""Calibrate the uncertain parameters by ABC-SMC (pyabc) and write the posterior ensemble to ``configs/posterior/``.

    python -m experiments.calibrate                                  # configs/calibrate.yaml
    python -m experiments.calibrate calibration.max_minutes=20       # stop sooner; run again to continue

Why approximate Bayesian computation by sequential Monte Carlo, with pyabc: the model has no likelihood,
its outputs are noisy (a seed is a town and a history of life events), and what a strategy team needs is a
set of parameter values consistent with the published figures, not one best fit.  pyabc is maintained,
samples on every core (``MulticoreEvalParallelSampler``) and keeps every generation in an SQLite database,
so a calibration that is stopped (``max_minutes``, or killed) continues from its last finished generation
when started again.

What is fitted: the figures in ``configs/figures.yaml`` whose role is ``fit``; a ``held_out`` figure is never
seen here.  Each particle draws the parameters in ``calibration.priors`` (a range and its source for each;
``log`` priors are uniform in the logarithm), runs every preset a fitted figure names on one fresh seed of the
config's town, and measures each figure over the policy weeks from ``figures.yaml``'s ``from_week``.  The
distance is the Euclidean norm of (model - reported) / tolerance over the fitted figures, so 1 is "about one
tolerance away" on the whole; pyabc lowers the acceptance threshold each generation to the median distance of
the last.  At the end (or at each stop) the last generation's weighted particles are resampled (systematic
resampling, ``sample_seed``) into ``members`` equally weighted members, written as ``member_NN.yaml`` config
files beside ``median.yaml`` (their componentwise weighted median) and ``provenance.json`` (priors, targets,
tolerances, the thresholds and effective sample size of every generation, library versions, git revision).
"""

from __future__ import annotations

import hashlib
import importlib.metadata as importlib_metadata
import json
import logging
import math
import os
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Mapping

import hydra
import numpy as np
import polars as pl
import yaml
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from analysis.evidence import FIGURES, Figure, load_figures
from experiments import store
from experiments.cli import run_app
from experiments.workers import model_pool
from model.config import CONFIG_DIR, compose_config, params_with
from model.outputs import atomic_write
from model.params import ConfigError, choice, p, validate
from model.simulation import ResilienceModel
from model.summary import summarise

log = logging.getLogger(__name__)
logging.getLogger("MESA").setLevel(logging.WARNING)

POSTERIOR = CONFIG_DIR / "posterior"
PROVENANCE = "provenance.json"
ABC_PACKAGES = ("pyabc", "scipy", "pandas", "sqlalchemy")  # what the calibration runs on beyond the model's
FAILED = 1e6  # a particle whose run gives no measure (no contact served) is as far as can be


@dataclass(frozen=True)
class Settings:
    """How the ABC-SMC run is done (``calibration.*`` apart from ``priors``)."""

    population_size: int = p(4, 100000, "particles", "accepted particles per generation")
    generations: int = p(1, 100, "generations", "most generations in all (a resumed run counts those already done)")
    min_epsilon: float = p(0.0, None, "tolerances", "stop once the acceptance threshold is at or below this distance")
    max_minutes: float = p(0.1, 10000.0, "minutes", "stop after the generation that passes this wall time (resume later)")
    workers: int = p(1, 1024, "processes", "simulations in parallel (results do not depend on it beyond chance)")
    members: int = p(2, 10000, "members", "members of the posterior ensemble written to configs/posterior/")
    sample_seed: int = p(0, 2**32 - 1, "", "seeds the resampling of the last generation into members")
    database: str = p(doc="SQLite file holding every generation; a run of the same design continues from it")
    output: str = p(doc="directory the ensemble is written to (configs/posterior in the repository)")
    diagnostics: str = p(doc="directory the posterior plots are written to (docs/img in the repository)")


@dataclass(frozen=True)
class Prior:
    """A uniform prior over a real model parameter (in its logarithm when ``scale`` is log), with its source."""

    low: float = p(doc="lowest value")
    high: float = p(doc="highest value")
    scale: str = choice(("linear", "log"), "uniform in the value or in its logarithm")
    source: str = p(doc="where the range comes from (docs/evidence.md)")


def fitted_figures(path: Path = FIGURES) -> tuple[int, dict[str, Figure]]:
    """The window's first policy week and the ``fit`` figures (id -> Figure) of ``path`` (checked by its one loader)."""
    figures = load_figures(path)
    fitted = {f.id: f for f in figures.figures if f.role == "fit"}
    for f in fitted.values():
        if f.versus is not None:
            raise ConfigError(f"{path}: figures.{f.id}: a fitted figure measures one preset (no versus)")
    if not fitted:
        raise ConfigError(f"{path} has no figure with role: fit")
    return figures.from_week, fitted


@dataclass(frozen=True)
class Design:
    """A validated calibration: settings, priors, fitted figures, the window and each preset's composed config."""

    settings: Settings
    priors: dict[str, Prior]
    figures: dict[str, Figure]
    from_week: int
    presets: dict[str, dict]  # preset -> its composed config, unresolved (interpolations kept), without hydra

    def fingerprint(self) -> str:
        """A hash of everything that decides what one generation samples: the town and presets, priors, figures and
        window, the population size and database (not how long it runs, how many workers, or what is written)."""
        kept = {k: v for k, v in asdict(self.settings).items()
                if k not in ("workers", "max_minutes", "generations", "min_epsilon", "members", "sample_seed", "output",
                             "diagnostics")}
        relevant = {"settings": kept, "priors": {k: asdict(v) for k, v in self.priors.items()},
                    "figures": {k: asdict(v) for k, v in self.figures.items()}, "from_week": self.from_week,
                    "presets": self.presets}
        return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()[:16]


def design(calibration: Mapping[str, Any], overrides: list[str]) -> Design:
    """Validate ``calibration`` (the config's block) and compose every preset's config with ``overrides``.

    Raises a one-line ConfigError naming the field for a bad setting, prior, figure or preset."""
    block = dict(calibration)
    priors_block = block.pop("priors", None) or {}
    settings = validate(Settings, block, "calibration.")
    from_week, figures = fitted_figures()
    presets = {}
    for preset in sorted({f.preset for f in figures.values()}):
        composed = compose_config([*overrides, f"policy={preset}"], config_name="calibrate")
        config = OmegaConf.to_container(composed, resolve=False)
        for key in ("hydra", "calibration"):
            config.pop(key, None)
        presets[preset] = config
    priors = {}
    any_preset = next(iter(presets.values()))
    for section, fields in priors_block.items():
        if not isinstance(fields, Mapping):
            raise ConfigError(f"calibration.priors.{section} must map fields to priors, e.g. "
                              "onset_weekly: {low: 0.001, high: 0.005, scale: log, source: ...}")
    flat = {f"{section}.{field}": values for section, fields in priors_block.items() for field, values in fields.items()}
    for name, values in flat.items():
        path = f"calibration.priors.{name}"
        prior = validate(Prior, values, f"{path}.")
        if not prior.low < prior.high or (prior.scale == "log" and prior.low <= 0):
            raise ConfigError(f"{path}: needs low < high (and low > 0 on a log scale); got [{prior.low}, {prior.high}]")
        for value in (prior.low, prior.high):  # a name or range the model refuses fails here, named
            try:
                params_with(any_preset, {name: value}, seed=0)
            except ConfigError as error:
                raise ConfigError(f"{path}: {error}") from None
        priors[name] = prior
    if not priors:
        raise ConfigError("calibration.priors is empty; name at least one parameter, e.g. needs.onset_weekly")
    return Design(settings, priors, figures, from_week, presets)


def _key(name: str) -> str:
    """pyabc parameter key for a dotted model parameter name (pyabc keys are plain identifiers)."""
    return name.replace(".", "__")


class Simulator:
    """The pyabc model: one particle's parameters -> the fitted figures, each preset run on one fresh seed."""

    def __init__(self, d: Design):
        self.d = d

    def __call__(self, particle: Mapping[str, float]) -> dict[str, float]:
        values = {name: float(particle[_key(name)]) for name in self.d.priors}
        seed = int(np.random.default_rng().integers(2**31))  # fresh entropy: chance is part of what ABC weighs
        summaries = {}
        for preset, config in self.d.presets.items():
            steps = ResilienceModel(params_with(config, values, seed)).run().steps
            summaries[preset] = summarise(steps.filter(pl.col("week") >= self.d.from_week)).row(0, named=True)
        stats = {}
        for name, figure in self.d.figures.items():
            value = summaries[figure.preset][figure.measure]
            stats[name] = FAILED if value is None or not math.isfinite(value) else float(value)
        return stats


def _prior(d: Design):
    import pyabc

    rvs = {}
    for name, prior in d.priors.items():
        if prior.scale == "log":
            rvs[_key(name)] = pyabc.RV("loguniform", prior.low, prior.high)
        else:
            rvs[_key(name)] = pyabc.RV("uniform", prior.low, prior.high - prior.low)
    return pyabc.Distribution(**rvs)


def _sampler(workers: int):
    """pyabc's sampler over ``experiments.workers.model_pool`` (spawned single-threaded workers; pyabc's own
    multicore samplers fork), one simulation per worker at a time."""
    import pyabc

    return pyabc.sampler.ConcurrentFutureSampler(cfuture_executor=model_pool(workers), client_max_jobs=workers)


def calibrate(d: Design) -> "pyabc.History":  # noqa: F821 - pyabc is imported lazily (it is slow to import)
    """Run (or continue) the ABC-SMC of ``d`` in its database; returns the history."""
    import pyabc

    db = Path(d.settings.database).resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    marker = db.with_name(db.name + ".design")
    abc = pyabc.ABCSMC(
        Simulator(d), _prior(d),
        distance_function=pyabc.PNormDistance(p=2, fixed_weights={n: 1 / f.scale for n, f in d.figures.items()}),
        population_size=d.settings.population_size,
        eps=pyabc.QuantileEpsilon(alpha=0.5),
        sampler=_sampler(d.settings.workers),
    )
    if db.exists():
        stored = marker.read_text().strip() if marker.exists() else "unknown"
        if stored != d.fingerprint():
            raise ConfigError(f"calibration.database={db} holds a calibration of another design ({stored}, "
                              f"this one is {d.fingerprint()}); give this one its own calibration.database")
        history = abc.load(f"sqlite:///{db}", 1)
        log.info("continuing %s after generation %d", db, history.max_t)
        if history.max_t + 1 >= d.settings.generations:
            return history
    else:
        abc.new(f"sqlite:///{db}", {n: f.value for n, f in d.figures.items()})
        atomic_write(marker, lambda path: Path(path).write_text(d.fingerprint() + "\n"))
    done = abc.history.max_t + 1 if abc.history.max_t is not None and abc.history.max_t >= 0 else 0
    return abc.run(minimum_epsilon=d.settings.min_epsilon, max_nr_populations=d.settings.generations - done,
                   max_walltime=timedelta(minutes=d.settings.max_minutes))


def _systematic(weights: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Indices of ``n`` draws by systematic resampling of ``weights`` (each particle kept about n x weight times)."""
    positions = (np.random.default_rng(seed).random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(weights / weights.sum()), positions), len(weights) - 1)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][np.searchsorted(cumulative, 0.5)])


def _member_config(name: str, member: int, values: Mapping[str, float]) -> str:
    """A posterior config file: ``# @package _global_`` and each value under its section."""
    nested: dict[str, dict[str, Any]] = {"posterior": {"name": name, "member": member}}
    for dotted, value in values.items():
        section, field = dotted.split(".")
        nested.setdefault(section, {})[field] = float(f"{value:.6g}")
    header = ("# @package _global_\n"
              f"# {'Componentwise weighted median of' if member < 0 else f'Member {member} of'} the ABC-SMC posterior "
              "ensemble, written by experiments.calibrate (docs/calibration.md; provenance.json beside it).\n")
    return header + yaml.safe_dump(nested, sort_keys=False)


def generations(history) -> list[dict]:
    """Per generation: threshold, simulations, acceptance rate and effective sample size."""
    import pyabc

    populations = history.get_all_populations()
    rows = []
    for _, row in populations[populations["t"] >= 0].iterrows():
        t = int(row["t"])
        _, w = history.get_distribution(m=0, t=t)
        rows.append({"generation": t, "epsilon": float(row["epsilon"]), "simulations": int(row["samples"]),
                     "particles": int(len(w)), "acceptance_rate": len(w) / max(int(row["samples"]), 1),
                     "effective_sample_size": float(pyabc.weighted_statistics.effective_sample_size(w))})
    return rows


def _wall_minutes(history) -> float:
    """Minutes from the calibration's start to the end of its last generation (including any pause before a resume)."""
    populations = history.get_all_populations()
    return round((populations["population_end_time"].max() - history.get_abc().start_time).total_seconds() / 60, 1)


def write_ensemble(d: Design, history, seconds: float) -> dict:
    """Resample the last generation into members; write them, the median and the provenance to ``d.settings.output``.
    Returns the provenance."""
    out = Path(d.settings.output)
    out.mkdir(parents=True, exist_ok=True)
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    names = list(d.priors)
    values = np.column_stack([frame[_key(n)].to_numpy(dtype=float) for n in names])
    chosen = _systematic(np.asarray(weights, dtype=float), d.settings.members, d.settings.sample_seed)
    width = max(2, len(str(d.settings.members - 1)))
    written = set()
    for member, index in enumerate(chosen):
        name = f"member_{member:0{width}d}"
        text = _member_config(name, member, dict(zip(names, values[index])))
        atomic_write(out / f"{name}.yaml", lambda path, text=text: Path(path).write_text(text))
        written.add(f"{name}.yaml")
    median = {n: _weighted_median(values[:, i], np.asarray(weights, dtype=float)) for i, n in enumerate(names)}
    text = _member_config("median", -1, median)
    atomic_write(out / "median.yaml", lambda path: Path(path).write_text(text))
    for stale in out.glob("member_*.yaml"):
        if stale.name not in written:
            stale.unlink()
    town = next(iter(d.presets.values()))  # every preset runs on the same town
    provenance = {
        "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_revision": store.git_revision(),
        "packages": {**store.package_versions(), **{name: importlib_metadata.version(name) for name in ABC_PACKAGES}},
        "method": "ABC-SMC (pyabc): uniform priors, Euclidean distance in tolerances, median-quantile thresholds, "
                  "multivariate normal perturbation; last generation resampled systematically into members",
        "design": d.fingerprint(),
        "settings": asdict(d.settings),
        "town": {"weeks": town["weeks"], "warmup_weeks": town["warmup_weeks"], "population": town["population"]["name"],
                 "n_neighbourhoods": town["population"]["n_neighbourhoods"]},
        "window_from_week": d.from_week,
        "priors": {n: asdict(pr) for n, pr in d.priors.items()},
        "targets": {n: asdict(f) for n, f in d.figures.items()},
        "generations": generations(history),
        "wall_minutes": _wall_minutes(history),
        "seconds_this_start": round(seconds, 1),
        "members": d.settings.members,
        "distinct_particles_in_members": int(len(set(chosen.tolist()))),
        "median": median,
        "posterior_mean": {n: float(np.average(values[:, i], weights=weights)) for i, n in enumerate(names)},
    }
    atomic_write(out / PROVENANCE, lambda path: Path(path).write_text(json.dumps(provenance, indent=2) + "\n"))
    return provenance


def diagnostics(d: Design, history, out_dir: Path) -> list[Path]:
    """Marginal and pairwise posterior densities and the threshold by generation, as PNG files (pyabc's plots)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pyabc.visualization as vis

    out_dir.mkdir(parents=True, exist_ok=True)
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    frame = frame.rename(columns={_key(n): n for n in d.priors})
    limits = {n: (pr.low, pr.high) for n, pr in d.priors.items()}
    axes = vis.plot_kde_matrix(frame, weights, limits=limits)
    figure = np.asarray(axes).flat[0].figure
    pairs = out_dir / "posterior_pairs.png"
    figure.set_size_inches(14, 14)
    figure.savefig(pairs, dpi=70)
    plt.close("all")
    axis = vis.plot_epsilons(history)
    thresholds = out_dir / "posterior_thresholds.png"
    np.asarray(axis).flat[0].figure.savefig(thresholds, dpi=80)
    plt.close("all")
    return [pairs, thresholds]


@hydra.main(version_base=None, config_path="../configs", config_name="calibrate")
def main(cfg: DictConfig) -> None:
    overrides = list(HydraConfig.get().overrides.task)
    try:
        d = design(OmegaConf.to_container(cfg.calibration, resolve=True), overrides)
    except ConfigError as error:
        sys.exit(f"config error: {error}")
    log.info("calibrating %d parameters to %d figures (%s); database %s", len(d.priors), len(d.figures),
             ", ".join(d.figures), d.settings.database)
    started = time.monotonic()
    history = calibrate(d)
    seconds = time.monotonic() - started
    provenance = write_ensemble(d, history, seconds)
    for path in diagnostics(d, history, Path(d.settings.diagnostics)):
        log.info("wrote %s", path)
    log.info("wrote the ensemble to %s after %.0f s (generation %d, threshold %.3f)", d.settings.output, seconds,
             history.max_t, provenance["generations"][-1]["epsilon"])


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    run_app(main)
