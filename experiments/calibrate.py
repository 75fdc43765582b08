"""Calibrate the uncertain parameters jointly to England's figures and the seeds': history matching with Gaussian-
process emulators, then the posterior on the last wave's emulators; write the ensemble to ``configs/posterior/``.

    python -m experiments.calibrate                                  # configs/calibrate.yaml
    python -m experiments.calibrate calibration.waves=[400]          # one wave only

Why this method: the model has no likelihood, a run (three presets on a town of 8,500 adults) takes a few
seconds, and some thirty parameters meet two dozen figures at once.  ABC-SMC (pyabc, issue 12) needed thousands of
runs for a posterior of a few dozen distinct points, and its multivariate-normal transition failed with a total
weight of NaN on this problem.  History matching (Vernon, Goldstein and Bower 2010; the approach of the UK
social-care ABM literature) spends a few hundred runs per wave to learn emulators of every figure
(``experiments.emulator``), rules out the parameter space where the figures are implausible, and runs the next wave
only where nothing is ruled out.  The posterior is then the prior, restricted to the space not ruled out, times the
last wave's emulators' Gaussian likelihood of the figures' targets; emcee's ensemble sampler draws from it (on the
emulators, so tens of thousands of evaluations cost minutes, not days), and each member is the last position of a
walker of its own, so no two members of an ensemble are the same.  Last, a posterior predictive check runs every
member once and sets each figure's 10th-90th percentile band beside its target.

What is fitted: the figures in ``configs/figures.yaml`` whose role is ``fit``; a ``held_out`` figure is never
seen here.  A run takes one design point, runs every preset a fitted figure names on one town (seed) and measures
each figure over the policy weeks from ``figures.yaml``'s ``from_week`` (``experiments.calibration_runs``).

Everything is kept in ``calibration.directory``: ``runs.parquet`` (every run of the waves: wave, point,
seed, values, figures), ``wave_N.json`` (each wave's design and the settings that made it), ``check_<hash>.parquet``
(the predictive check's runs of one ensemble) and a ``design`` marker.  A
calibration stopped or killed continues from there when started again; one of another design is refused.
The ensemble (``member_NNN.yaml``, ``median.yaml``), ``provenance.json`` (method, settings, priors, targets, each
wave's validation and space not ruled out, the posterior's effective sample size, library versions, git
revision) and ``predictive_check.json`` go to ``calibration.output``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as importlib_metadata
import json
import logging
import os
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import hydra
import numpy as np
import polars as pl
import yaml
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from scipy.stats import qmc

from analysis.evidence import FIGURES, Figure, load_figures
from experiments import emulator, store
from experiments.calibration_runs import Simulator, run_seed, simulate_all
from experiments.cli import run_app
from model.config import CONFIG_DIR, compose_config, params_with
from model.outputs import atomic_write
from model.params import ConfigError, choice, p, validate

log = logging.getLogger(__name__)
logging.getLogger("MESA").setLevel(logging.WARNING)

POSTERIOR = CONFIG_DIR / "posterior"
PROVENANCE = "provenance.json"
CHECK = "predictive_check.json"
RUNS = "runs.parquet"
CHECK_WAVE = 0  # the predictive check's runs (check_<members' hash>.parquet: one table per ensemble checked)
METHOD_PACKAGES = ("scikit-learn", "scipy", "joblib", "emcee")  # what the calibration runs on beyond the model's


@dataclass(frozen=True)
class Settings:
    """How the calibration is done (``calibration.*`` apart from ``priors``)."""

    waves: tuple[int, ...] = p(doc="model runs in each wave: the first over the prior, each later one in the space "
                                   "not ruled out")
    cutoff: float = p(0.5, 10.0, "standard deviations", "implausibility past which a point is ruled out")
    ignore_worst: int = p(0, 10, "figures", "figures a point may miss by more than the cut-off and still not be "
                                            "ruled out")
    band_sds: float = p(0.5, 5.0, "standard deviations", "a figure's band is this many standard deviations either "
                                                          "side of its middle")
    validation_share: float = p(0.05, 0.5, "share of runs", "runs of each wave held out to validate its emulators")
    active: int = p(1, 100, "parameters", "parameters each figure's Gaussian process sees (those with the largest "
                                          "linear effects)")
    focus_from_wave: int = p(2, 100, "wave", "from this wave on, a wave's runs are drawn from the posterior of the "
                                             "waves before it, not uniformly from the space they leave")
    candidates: int = p(1000, 10_000_000, "draws", "prior draws screened each time (a wave's design, the posterior)")
    members: int = p(2, 10000, "members", "members of the posterior ensemble, all distinct (one per walker)")
    steps: int = p(10, 1_000_000, "steps", "steps of the posterior's ensemble sampler")
    check: bool = p(doc="run every member once on the calibration's town: the posterior predictive check")
    seed: int = p(0, 2**31 - 1, "", "seeds the designs, the towns of the runs, the emulators and the draw of the "
                                    "members")
    workers: int = p(1, 1024, "processes", "simulations in parallel (results do not depend on it)")
    directory: str = p(doc="runs, designs and the design marker; a calibration of the same design continues from it")
    output: str = p(doc="directory the ensemble is written to (configs/posterior in the repository)")
    diagnostics: str = p(doc="directory the posterior plot is written to (docs/img in the repository)")


@dataclass(frozen=True)
class Prior:
    """A uniform prior over a real model parameter (in its logarithm when ``scale`` is log), with its source."""

    low: float = p(doc="lowest value")
    high: float = p(doc="highest value")
    scale: str = choice(("linear", "log"), "uniform in the value or in its logarithm")
    source: str = p(doc="where the range comes from (docs/evidence.md)")

    def value(self, u: np.ndarray) -> np.ndarray:
        """The values at ``u`` in [0, 1] of the prior's cumulative distribution."""
        if self.scale == "log":
            return np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        return self.low + u * (self.high - self.low)

    def unit(self, value: np.ndarray) -> np.ndarray:
        """Where ``value`` lies in [0, 1] of the prior (the inverse of :meth:`value`)."""
        if self.scale == "log":
            return (np.log(value) - np.log(self.low)) / (np.log(self.high) - np.log(self.low))
        return (value - self.low) / (self.high - self.low)


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
    whole: frozenset[str] = frozenset()  # parameters that take whole numbers (a drawn value is rounded)

    def fingerprint(self) -> str:
        """A hash of what decides the runs of the first wave: every preset's parameters (with the calibrated ones at
        their priors' centres, so where else a calibrated value is written does not matter), the priors, figures,
        window and seed.  (A later wave's design records the settings that made it: ``wave_N.json``.)"""
        centre = self.centre()
        presets = {name: asdict(params_with(config, centre, seed=0)) for name, config in self.presets.items()}
        for params in presets.values():
            params.pop("posterior")  # names the parameter set the config was composed with, not a value
        relevant = {"seed": self.settings.seed, "priors": {k: asdict(v) for k, v in self.priors.items()},
                    "figures": {k: asdict(v) for k, v in self.figures.items()}, "from_week": self.from_week,
                    "presets": presets}
        return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def centre(self) -> dict[str, float]:
        """Every calibrated parameter at the centre of its prior."""
        return self.values(np.full((1, len(self.priors)), 0.5))[0]

    def values(self, unit: np.ndarray) -> list[dict[str, float]]:
        """Each row of ``unit`` (points x parameters, in [0, 1]) as the parameters' values."""
        columns = [np.round(prior.value(unit[:, k])) if name in self.whole else prior.value(unit[:, k])
                   for k, (name, prior) in enumerate(self.priors.items())]
        return [{name: float(column[i]) for name, column in zip(self.priors, columns)} for i in range(len(unit))]

    def unit(self, runs: pl.DataFrame) -> np.ndarray:
        """The runs' values of the parameters as points of the unit cube."""
        return np.column_stack([prior.unit(runs[name].to_numpy()) for name, prior in self.priors.items()])

    def simulator(self) -> Simulator:
        return Simulator(self.presets, {n: (f.preset, f.measure) for n, f in self.figures.items()}, self.from_week)

    def wave_settings(self, wave: int) -> dict:
        """The settings that decide wave ``wave``'s design (recorded in its ``wave_N.json``): the first wave's is
        a Latin hypercube of its size; a later one's also depends on the waves before it and how they rule out."""
        s = self.settings
        if wave == 1:
            return {"runs": int(s.waves[0])}
        return {"runs": int(s.waves[wave - 1]), "cutoff": s.cutoff, "ignore_worst": s.ignore_worst,
                "band_sds": s.band_sds, "validation_share": s.validation_share, "active": s.active, "candidates": s.candidates,
                "focused": wave >= s.focus_from_wave, "steps": s.steps if wave >= s.focus_from_wave else None,
                "earlier_waves": [int(n) for n in s.waves[:wave - 1]]}


def design(calibration: Mapping[str, Any], overrides: list[str]) -> Design:
    """Validate ``calibration`` (the config's block) and compose every preset's config with ``overrides``.

    Raises a one-line ConfigError naming the field for a bad setting, prior, figure or preset."""
    block = dict(calibration)
    priors_block = block.pop("priors", None) or {}
    waves = block.get("waves")
    if not isinstance(waves, (list, tuple)) or not waves or not all(isinstance(n, int) and n >= 10 for n in waves):
        raise ConfigError(f"calibration.waves must be a list of run counts of at least 10 each, e.g. [400, 250]; got {waves!r}")
    block["waves"] = tuple(waves)
    settings = validate(Settings, block, "calibration.")
    from_week, figures = fitted_figures()
    presets = {}
    for preset in sorted({f.preset for f in figures.values()}):
        composed = compose_config([*overrides, f"policy={preset}"], config_name="calibrate")
        config = OmegaConf.to_container(composed, resolve=False)
        for key in ("hydra", "calibration"):
            config.pop(key, None)
        presets[preset] = config
    for section, fields in priors_block.items():
        if not isinstance(fields, Mapping):
            raise ConfigError(f"calibration.priors.{section} must map fields to priors, e.g. "
                              "onset_weekly: {low: 0.001, high: 0.005, scale: log, source: ...}")
    flat = {f"{section}.{field}": values for section, fields in priors_block.items() for field, values in fields.items()}
    if not flat:
        raise ConfigError("calibration.priors is empty; name at least one parameter, e.g. needs.onset_weekly")
    priors = {}
    for name, values in flat.items():
        path = f"calibration.priors.{name}"
        prior = validate(Prior, values, f"{path}.")
        if not prior.low < prior.high or (prior.scale == "log" and prior.low <= 0):
            raise ConfigError(f"{path}: needs low < high (and low > 0 on a log scale); got [{prior.low}, {prior.high}]")
        priors[name] = prior
    any_preset = next(iter(presets.values()))
    held = OmegaConf.create(any_preset)
    for name in priors:
        if OmegaConf.select(held, name) is None:
            raise ConfigError(f"calibration.priors.{name}: not a model parameter")
    whole = frozenset(name for name in priors if isinstance(OmegaConf.select(held, name), int))
    d = Design(settings, priors, figures, from_week, presets, whole)
    # Each prior's ends checked with the others at their centres (a calibrated value may be set nowhere else).
    centre = d.centre()
    for name, prior in priors.items():
        for value in (prior.low, prior.high):  # a name or range the model refuses fails here, named
            try:
                params_with(any_preset, {**centre, name: value}, seed=0)
            except ConfigError as error:
                raise ConfigError(f"calibration.priors.{name}: {error}") from None
    return d


# --- the waves -------------------------------------------------------------------------------------------------

class Waves:
    """The emulators of the waves fitted so far, the space none of them rules out, and samples from it."""

    def __init__(self, d: Design):
        self.d = d
        self.emulators: list[emulator.Emulators] = []
        self.validation: list[list[dict]] = []

    def not_ruled_out(self, unit: np.ndarray, waves: list[emulator.Emulators] | None = None) -> np.ndarray:
        """Which rows of ``unit`` no wave's emulators (or none of ``waves``' emulators) rule out."""
        keep = np.ones(len(unit), dtype=bool)
        for emulators in self.emulators if waves is None else waves:
            rows = np.flatnonzero(keep)
            keep[rows] = emulators.not_ruled_out(unit[rows], self.d.settings.cutoff, self.d.settings.ignore_worst)
        return keep

    def screen(self, rng: np.random.Generator, wanted: int, rounds: int = 20) -> tuple[np.ndarray, int]:
        """Prior draws no wave rules out, ``candidates`` at a time until ``wanted`` are found or ``rounds`` rounds
        are drawn.  Returns them and how many were drawn."""
        kept, found, drawn = [], 0, 0
        while drawn == 0 or (found < wanted and drawn < rounds * self.d.settings.candidates):
            unit = rng.random((self.d.settings.candidates, len(self.d.priors)))
            kept.append(unit[self.not_ruled_out(unit)])
            found, drawn = found + len(kept[-1]), drawn + len(unit)
        return np.concatenate(kept), drawn

    def _log_posterior(self, z: np.ndarray) -> np.ndarray:
        """Log posterior density at ``z``, the logit of a point of the unit cube (so the sampler has no boundary to
        fall off): the last wave's likelihood of the targets over the space no wave rules out, plus the logit's
        Jacobian (so that the prior stays uniform on the cube)."""
        unit = 1 / (1 + np.exp(-z))
        out = np.full(len(z), -np.inf)
        earlier = self.not_ruled_out(unit, self.emulators[:-1])
        if earlier.any():
            last = self.emulators[-1]
            mean, sd = last.predict(unit[earlier])
            implausibility, log_likelihood = last.implausibility_and_log_likelihood(mean, sd)
            ok = emulator.worst_but(implausibility, self.d.settings.ignore_worst) <= self.d.settings.cutoff
            kept = np.abs(z[earlier])
            jacobian = -np.sum(kept + 2 * np.log1p(np.exp(-kept)), axis=1)  # log u + log(1 - u), stable in z
            out[np.flatnonzero(earlier)] = np.where(ok, log_likelihood + jacobian, -np.inf)
        return out

    def sample_posterior(self, n: int, seed: int, steps: int) -> tuple[np.ndarray, dict]:
        """``n`` distinct draws from the posterior: the last positions of ``n`` walkers of emcee's ensemble sampler
        (differential-evolution moves, emcee's advice for many dimensions) run ``steps`` steps from points no
        wave rules out (each walker's own position, so no two are the same), and a record of the run: acceptance,
        the longest integrated autocorrelation time, the effective sample size of the second half, and the share of
        the prior draws screened for the walkers' start that no wave rules out."""
        import emcee

        rng = np.random.default_rng(seed)
        walkers = max(n, 2 * len(self.d.priors) + 2)  # the ensemble sampler needs more than twice the dimensions
        found, drawn = self.screen(rng, walkers)
        if len(found) < walkers:
            raise ConfigError(f"calibration: only {len(found)} prior draws found that no wave rules out, fewer than the "
                              f"{walkers} walkers calibration.members={n} needs; raise calibration.cutoff or "
                              "calibration.ignore_worst")
        start = found[rng.choice(len(found), size=walkers, replace=False)]
        moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]
        sampler = emcee.EnsembleSampler(walkers, start.shape[1], self._log_posterior, moves=moves, vectorize=True)
        sampler.random_state = np.random.RandomState(seed % 2**32).get_state()
        sampler.run_mcmc(np.log(start) - np.log1p(-start), steps, progress=False)
        tau = float(np.max(sampler.get_autocorr_time(discard=steps // 2, quiet=True)))
        record = {"prior_draws": drawn, "share_not_ruled_out": len(found) / drawn, "walkers": walkers, "steps": steps,
                  "acceptance": round(float(np.mean(sampler.acceptance_fraction)), 3),
                  "autocorrelation_steps_max": round(tau, 1),
                  "effective_sample_size": round(walkers * (steps - steps // 2) / tau, 1) if np.isfinite(tau) else None}
        end = sampler.get_chain()[-1][rng.choice(walkers, size=n, replace=False)]
        return 1 / (1 + np.exp(-end)), record

    def fit(self, runs: pl.DataFrame, seed: int) -> None:
        """Fit the next wave's emulators on ``runs`` (validated first on a held-out share of them)."""
        s, d = self.d.settings, self.d
        unit = d.unit(runs)
        y = {n: runs[n].to_numpy().astype(float) for n in d.figures}
        middle = {n: (f.low + f.high) / 2 for n, f in d.figures.items()}
        own = {n: f.scale / s.band_sds for n, f in d.figures.items()}
        scale = {n: f.scale for n, f in d.figures.items()}
        held = np.random.default_rng(seed).random(len(unit)) < s.validation_share
        trial = emulator.fit(unit[~held], {n: v[~held] for n, v in y.items()}, middle, own, scale, seed, s.workers,
                             s.active)
        self.validation.append(emulator.validate(trial, unit[held], {n: v[held] for n, v in y.items()}))
        self.emulators.append(emulator.fit(unit, y, middle, own, scale, seed, s.workers, s.active, like=trial))


def _wave_design(d: Design, waves: Waves, wave: int, directory: Path) -> tuple[np.ndarray, dict]:
    """Wave ``wave``'s design points (unit cube), made once and kept in ``wave_N.json`` with the settings that made
    it; a stored design made with other settings is refused."""
    path = directory / f"wave_{wave}.json"
    settings = d.wave_settings(wave)
    if path.is_file():
        stored = json.loads(path.read_text())
        if stored["settings"] != settings:
            raise ConfigError(f"calibration: {path} was designed with {stored['settings']}, not {settings}; "
                              f"remove it and the waves after it, or give this calibration its own calibration.directory")
        return np.array(stored["unit"]), stored
    rng = np.random.default_rng([d.settings.seed, wave])
    if wave == 1:
        unit, share, drawn = qmc.LatinHypercube(d=len(d.priors), seed=rng).random(settings["runs"]), 1.0, 0
    elif settings["focused"]:  # where the posterior of the waves so far lies, so the emulators learn it best
        unit, sampled = waves.sample_posterior(settings["runs"], d.settings.seed + 100 * wave, d.settings.steps)
        share, drawn = sampled["share_not_ruled_out"], sampled["prior_draws"]
    else:
        found, drawn = waves.screen(rng, settings["runs"])
        share = len(found) / drawn
        if len(found) == 0:
            raise ConfigError(f"calibration: wave {wave - 1} rules out all of {drawn} prior draws; raise "
                              f"calibration.cutoff ({d.settings.cutoff}) or calibration.ignore_worst ({d.settings.ignore_worst})")
        unit = found[rng.choice(len(found), size=min(len(found), settings["runs"]), replace=False)]
    stored = {"settings": settings, "prior_draws": drawn, "share_not_ruled_out": share, "unit": unit.tolist()}
    atomic_write(path, lambda tmp: Path(tmp).write_text(json.dumps(stored)))
    return unit, stored


def _check_directory(d: Design, directory: Path) -> None:
    """Refuse a directory holding a calibration of another design; mark a new one."""
    marker = directory / "design"
    if marker.is_file():
        stored = marker.read_text().strip()
        if stored != d.fingerprint():
            raise ConfigError(f"calibration.directory={directory} holds a calibration of another design ({stored}, "
                              f"this one is {d.fingerprint()}); give this one its own calibration.directory")
    else:
        directory.mkdir(parents=True, exist_ok=True)
        atomic_write(marker, lambda tmp: Path(tmp).write_text(d.fingerprint() + "\n"))


def history_match(d: Design) -> tuple[Waves, list[dict]]:
    """Run (or continue) every wave: design, runs, emulators.  Returns the waves and each wave's record."""
    directory = Path(d.settings.directory)
    _check_directory(d, directory)
    waves, records = Waves(d), []
    simulator = d.simulator()
    for wave in range(1, len(d.settings.waves) + 1):
        started = time.monotonic()
        unit, stored = _wave_design(d, waves, wave, directory)
        points = [((wave, i, run_seed(d.settings.seed, wave, i)), values) for i, values in enumerate(d.values(unit))]
        log.info("wave %d: %d runs (%.3g of the prior not ruled out)", wave, len(points), stored["share_not_ruled_out"])
        runs = simulate_all(simulator, points, directory / RUNS, d.settings.workers,
                            progress=lambda done, total: log.info("wave %d: %d of %d runs", wave, done, total))
        training = runs.filter(pl.col("wave") <= wave)
        training = training.filter(pl.Series(waves.not_ruled_out(d.unit(training))))
        waves.fit(training, d.settings.seed + wave)
        records.append({"wave": wave, "runs": len(points), "prior_draws": stored["prior_draws"],
                        "share_not_ruled_out_before": stored["share_not_ruled_out"],
                        "training_runs": len(training),
                        "validation": waves.validation[-1],
                        "minutes_this_start": round((time.monotonic() - started) / 60, 1)})
        log.info("wave %d: emulators fitted on %d runs; held-out runs within 2 sd: median %.2f", wave, len(training),
                 float(np.median([v["within_2sd"] for v in waves.validation[-1]])))
    return waves, records


# --- the posterior ---------------------------------------------------------------------------------------------

def posterior(d: Design, waves: Waves) -> tuple[list[dict[str, float]], dict[str, float], dict]:
    """The members (distinct draws from the posterior), every parameter's median over them and a record of the draw."""
    unit, record = waves.sample_posterior(d.settings.members, d.settings.seed + 1000, d.settings.steps)
    members = d.values(unit)
    median = {n: float(np.median([m[n] for m in members])) for n in d.priors}
    record = {**record, "members": len(members), "distinct_members": len({tuple(m.values()) for m in members})}
    log.info("posterior: %.3g of the prior not ruled out; %s", record["share_not_ruled_out"], record)
    return members, median, record


def predictive_check(d: Design, members: list[dict[str, float]]) -> list[dict]:
    """Run every member once (each on its own town) and set each figure's 10th-90th percentile band beside its
    target band; a figure passes when the two overlap (as ``analysis.evidence`` judges a figure)."""
    ensemble = hashlib.sha256(json.dumps(members, sort_keys=True).encode()).hexdigest()[:12]
    points = [((CHECK_WAVE, i, run_seed(d.settings.seed, CHECK_WAVE, i)), values) for i, values in enumerate(members)]
    check = simulate_all(d.simulator(), points, Path(d.settings.directory) / f"check_{ensemble}.parquet",
                         d.settings.workers, progress=lambda done, total: log.info("predictive check: %d of %d runs",
                                                                                  done, total))
    rows = []
    for name, figure in d.figures.items():
        values = check[name].drop_nans().drop_nulls().to_numpy()
        p10, p50, p90 = (float(np.percentile(values, q)) for q in (10, 50, 90))
        rows.append({"figure": name, "description": figure.description, "target": figure.value, "low": figure.low,
                     "high": figure.high, "p10": p10, "median": p50, "p90": p90, "runs": len(values),
                     "within": bool(p10 <= figure.high and p90 >= figure.low)})
    return rows


# --- writing ---------------------------------------------------------------------------------------------------

def _member_config(name: str, member: int, values: Mapping[str, float], whole: frozenset[str]) -> str:
    """A posterior config file: ``# @package _global_`` and each value under its section (``whole`` ones as integers)."""
    nested: dict[str, dict[str, Any]] = {"posterior": {"name": name, "member": member}}
    for dotted, value in values.items():
        section, field = dotted.split(".")
        nested.setdefault(section, {})[field] = int(round(value)) if dotted in whole else float(f"{value:.6g}")
    header = ("# @package _global_\n"
              f"# {'Componentwise median of the members of' if member < 0 else f'Member {member} of'} the posterior "
              "ensemble, written by experiments.calibrate (docs/calibration.md; provenance.json beside it).\n")
    return header + yaml.safe_dump(nested, sort_keys=False)


def write_ensemble(d: Design, members: list[dict[str, float]], median: dict[str, float], provenance: dict) -> None:
    """Write the members, the median and the provenance to ``d.settings.output`` (each file atomically; members of
    an earlier, larger ensemble removed)."""
    out = Path(d.settings.output)
    out.mkdir(parents=True, exist_ok=True)
    width = max(2, len(str(len(members) - 1)))
    written = set()
    for member, values in enumerate(members):
        name = f"member_{member:0{width}d}"
        text = _member_config(name, member, values, d.whole)
        atomic_write(out / f"{name}.yaml", lambda path, text=text: Path(path).write_text(text))
        written.add(f"{name}.yaml")
    text = _member_config("median", -1, median, d.whole)
    atomic_write(out / "median.yaml", lambda path: Path(path).write_text(text))
    for stale in out.glob("member_*.yaml"):
        if stale.name not in written:
            stale.unlink()
    atomic_write(out / PROVENANCE, lambda path: Path(path).write_text(json.dumps(provenance, indent=2) + "\n"))


def provenance(d: Design, records: list[dict], draw: dict, median: dict, members: list[dict], seconds: float) -> dict:
    town = next(iter(d.presets.values()))  # every preset runs on the same town
    matrix = np.array([[m[n] for n in d.priors] for m in members])
    return {
        "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_revision": store.git_revision(),
        "packages": {**store.package_versions(), **{name: importlib_metadata.version(name) for name in METHOD_PACKAGES}},
        "method": "history matching with Gaussian-process emulators (scikit-learn); later waves and the posterior sampled "
                  "by emcee's ensemble sampler over the space not ruled out (posterior: times the last wave's likelihood)",
        "design": d.fingerprint(),
        "settings": {**asdict(d.settings), "waves": list(d.settings.waves)},
        "town": {"weeks": town["weeks"], "warmup_weeks": town["warmup_weeks"], "population": town["population"]["name"],
                 "n_neighbourhoods": town["population"]["n_neighbourhoods"]},
        "window_from_week": d.from_week,
        "priors": {n: asdict(pr) for n, pr in d.priors.items()},
        "targets": {n: asdict(f) for n, f in d.figures.items()},
        "waves": records,
        "posterior": draw,
        "seconds_this_start": round(seconds, 1),
        "members": len(members),
        "median": median,
        "members_10th_90th": {n: [float(np.percentile(matrix[:, k], 10)), float(np.percentile(matrix[:, k], 90))]
                              for k, n in enumerate(d.priors)},
    }


def diagnostics(d: Design, members: list[dict[str, float]], out_dir: Path) -> Path:
    """Each parameter's members against its prior, as one PNG of histograms on the prior's own scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    columns = 6
    rows = -(-len(d.priors) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3 * columns, 2.2 * rows))
    for axis, (name, prior) in zip(np.asarray(axes).flat, d.priors.items()):
        axis.hist(prior.unit(np.array([m[name] for m in members])), bins=12, range=(0, 1), color="#3b6ea5")
        axis.set_title(name, fontsize=8)
        axis.set_xticks([0, 1], [f"{prior.low:g}", f"{prior.high:g}"], fontsize=7)
        axis.set_yticks([])
    for axis in list(np.asarray(axes).flat)[len(d.priors):]:
        axis.set_visible(False)
    figure.suptitle("Posterior members over each prior's range (uniform prior: a flat histogram)", fontsize=10)
    figure.tight_layout()
    path = out_dir / "posterior_members.png"
    figure.savefig(path, dpi=70)
    plt.close(figure)
    return path


@hydra.main(version_base=None, config_path="../configs", config_name="calibrate")
def main(cfg: DictConfig) -> None:
    overrides = list(HydraConfig.get().overrides.task)
    try:
        d = design(OmegaConf.to_container(cfg.calibration, resolve=True), overrides)
        log.info("calibrating %d parameters to %d figures in %s", len(d.priors), len(d.figures), d.settings.directory)
        started = time.monotonic()
        waves, records = history_match(d)
        members, median, draw = posterior(d, waves)
    except ConfigError as error:
        sys.exit(f"config error: {error}")
    record = provenance(d, records, draw, median, members, time.monotonic() - started)
    write_ensemble(d, members, median, record)
    log.info("wrote %d members to %s", len(members), d.settings.output)
    log.info("wrote %s", diagnostics(d, members, Path(d.settings.diagnostics)))
    if d.settings.check:
        rows = predictive_check(d, members)
        out = Path(d.settings.output) / CHECK
        atomic_write(out, lambda path: Path(path).write_text(json.dumps(rows, indent=2) + "\n"))
        log.info("predictive check: %d of %d figures within band; wrote %s", sum(r["within"] for r in rows), len(rows), out)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    run_app(main)
