"""Fit the status quo to England: search the status quo's uncertain parameters for a town within the national bands.

    python -m experiments.fit_status_quo                          # configs/fit_status_quo.yaml
    python -m experiments.fit_status_quo fit.trials=50 fit.sampler=tpe

Why a point search as well as the calibration: England's figures (``configs/figures.yaml``, the ``fit`` figures on
the ``service_first`` preset) speak to some thirty parameters of the status quo at once (need, carers, the hospital
route, care homes, the front door's ladder, reviews).  The search finds one set of values where the status quo
looks like England: they are the configs' values (each cited to ``docs/calibration.md``), used where no posterior
member is named, and the centre the calibration's priors were drawn around.  The calibration
(``experiments/calibrate.py``) then fits 28 of them jointly with the conversation's, as a posterior.  optuna does the search (a maintained library with the
samplers this needs: CMA-ES for a noisy continuous space, TPE to explore; a resumable journal file).

The objective of a trial is the mean over ``fit.seeds`` of the distance of each figure from its band, in half
the band's width (:func:`distance`, as ``analysis.evidence.miss`` measures a band), squared and summed, plus a
twentieth of the squared distance from the figure's own value (so that within the band the centre is preferred):
a figure within its band costs almost nothing, one outside costs in proportion to how far.  The seeds are fixed
(common random numbers: every trial sees the same towns and life events), so trials differ by their parameters
alone.  What is searched is ``fit.space`` (section.field -> low, high, scale, source; ``also`` names other keys
that take the same value, as the warm-up's status quo takes the policy's eligibility).
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import hydra
import numpy as np
import polars as pl
import yaml
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from analysis.evidence import Figure
from experiments.calibrate import Prior, fitted_figures
from experiments.cli import run_app
from model.config import compose_config, params_with
from model.outputs import atomic_write
from model.params import ConfigError, choice, p, validate
from model.simulation import ResilienceModel
from model.summary import summarise

log = logging.getLogger(__name__)
STATUS_QUO = "service_first"
CENTRE_WEIGHT = 0.05  # the squared distance from the figure's value, in half-bands, that a trial also pays


@dataclass(frozen=True)
class Settings:
    """How the search is run (``fit.*`` apart from ``seeds``, the towns every trial is measured on, and ``space``)."""

    trials: int = p(1, 100000, "trials", "trials to run (a resumed search counts those already in its journal)")
    sampler: str = choice(("cmaes", "tpe"), "optuna's sampler: CMA-ES from the configs' values, or TPE")
    sigma: float = p(0.001, 1.0, "share of each range", "CMA-ES's first step, as a share of each parameter's range")
    journal: str = p(doc="optuna's journal file: a search of the same name continues from it")
    output: str = p(doc="where the best trial's values are written (YAML, with every figure it measured)")


def distance(figure: Figure, value: float) -> float:
    """The trial's cost of one figure: (how far ``value`` lies outside the band)^2 + CENTRE_WEIGHT x (how far from
    the figure's value)^2, both in half the band's width; 1e6 for no value (nothing to divide by)."""
    if value is None or not math.isfinite(value):
        return 1e6
    outside = (value - min(max(value, figure.low), figure.high)) / figure.scale
    return outside ** 2 + CENTRE_WEIGHT * ((value - figure.value) / figure.scale) ** 2


@dataclass
class Search:
    """A validated search: settings, space, the status quo's fitted figures, their window and its composed config."""

    settings: Settings
    seeds: tuple[int, ...]
    space: dict[str, Prior]
    also: dict[str, tuple[str, ...]]  # searched parameter -> the other keys that take its value
    figures: dict[str, Figure]
    from_week: int
    config: dict

    def values(self, suggested: Mapping[str, float]) -> dict[str, float]:
        """Every key a trial sets: each searched parameter (rounded where the config holds a whole number) and the
        keys that take its value."""
        out = {}
        for name, value in suggested.items():
            whole = isinstance(OmegaConf.select(OmegaConf.create(self.config), name), int)
            for key in (name, *self.also[name]):
                out[key] = float(round(value)) if whole else value
        return out

    def measure(self, suggested: Mapping[str, float]) -> tuple[float, dict[str, float]]:
        """The trial's objective and each figure's mean over the seeds."""
        per_seed = []
        for seed in self.seeds:
            steps = ResilienceModel(params_with(self.config, self.values(suggested), seed)).run().steps
            per_seed.append(summarise(steps.filter(pl.col("week") >= self.from_week)).row(0, named=True))
        means = {name: float(np.mean([row[f.measure] if row[f.measure] is not None else np.nan for row in per_seed]))
                 for name, f in self.figures.items()}
        return sum(distance(f, means[name]) for name, f in self.figures.items()), means


def search(fit: Mapping[str, Any], overrides: list[str]) -> Search:
    """Validate ``fit`` (the config's block) and compose the status quo's config with ``overrides``.

    Raises a one-line ConfigError naming the field for a bad setting or dimension."""
    block = dict(fit)
    space_block = block.pop("space", None) or {}
    seeds = block.pop("seeds", None)
    if not isinstance(seeds, list) or not seeds or not all(isinstance(k, int) and k >= 0 for k in seeds):
        raise ConfigError(f"fit.seeds={seeds!r} must be a non-empty list of seeds (whole numbers, 0 or more)")
    settings = validate(Settings, block, "fit.")
    from_week, fitted = fitted_figures()
    figures = {name: f for name, f in fitted.items() if f.preset == STATUS_QUO}
    composed = compose_config([*overrides, f"policy={STATUS_QUO}"], config_name="fit_status_quo")
    config = OmegaConf.to_container(composed, resolve=False)
    for key in ("hydra", "fit"):
        config.pop(key, None)
    space, also = {}, {}
    for section, fields in space_block.items():
        for name, values in (fields or {}).items():
            path = f"fit.space.{section}.{name}"
            values = dict(values)
            keys = values.pop("also", []) or []
            if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
                raise ConfigError(f"{path}.also must be a list of config keys, e.g. [warmup_policy.eligibility_hours]")
            dim = validate(Prior, values, f"{path}.")
            if not dim.low < dim.high or (dim.scale == "log" and dim.low <= 0):
                raise ConfigError(f"{path}: needs low < high (and low > 0 on a log scale); got [{dim.low}, {dim.high}]")
            for value in (dim.low, dim.high):
                try:
                    params_with(config, {key: value for key in (f"{section}.{name}", *keys)}, seed=0)
                except ConfigError as error:
                    raise ConfigError(f"{path}: {error}") from None
            space[f"{section}.{name}"], also[f"{section}.{name}"] = dim, tuple(keys)
    if not space:
        raise ConfigError("fit.space is empty; name at least one parameter, e.g. needs.heavy_share")
    return Search(settings, tuple(seeds), space, also, figures, from_week, config)


def run(s: Search, study_name: str) -> "optuna.Study":  # noqa: F821 - optuna is imported lazily
    """Run (or continue) the search's trials in its journal; returns the study."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    journal = Path(s.settings.journal)
    journal.parent.mkdir(parents=True, exist_ok=True)
    storage = JournalStorage(JournalFileBackend(str(journal)))
    if s.settings.sampler == "cmaes":
        config = OmegaConf.create(s.config)  # the search starts from the configs' values, within its ranges
        start = {name: min(max(float(OmegaConf.select(config, name)), dim.low), dim.high) for name, dim in s.space.items()}
        with warnings.catch_warnings():  # x0 and sigma0 are deprecated for optuna 6 (pinned below it in pyproject)
            warnings.simplefilter("ignore", FutureWarning)
            sampler = optuna.samplers.CmaEsSampler(x0=start, sigma0=s.settings.sigma, seed=0)
    else:
        sampler = optuna.samplers.TPESampler(multivariate=True, seed=0)
    study = optuna.create_study(study_name=study_name, storage=storage, load_if_exists=True, sampler=sampler)

    def objective(trial) -> float:
        suggested = {name: trial.suggest_float(name, dim.low, dim.high, log=dim.scale == "log")
                     for name, dim in s.space.items()}
        value, means = s.measure(suggested)
        trial.set_user_attr("figures", means)
        trial.set_user_attr("within", sum(s.figures[n].low <= v <= s.figures[n].high for n, v in means.items()))
        return value

    done = sum(t.state.is_finished() for t in study.trials)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study.optimize(objective, n_trials=max(0, s.settings.trials - done))
    return study


def write_best(s: Search, study) -> dict:
    """Write the best trial's values and figures to ``fit.output`` (YAML) and return them."""
    best = study.best_trial
    result = {"objective": best.value, "trial": best.number, "trials": len(study.trials),
              "seeds": list(s.seeds), "within": int(best.user_attrs["within"]), "of": len(s.figures),
              "values": s.values(best.params), "figures": best.user_attrs["figures"]}
    text = yaml.safe_dump(result, sort_keys=False)
    atomic_write(Path(s.settings.output), lambda path: path.write_text(text))
    return result


@hydra.main(version_base=None, config_path="../configs", config_name="fit_status_quo")
def main(cfg: DictConfig) -> None:
    overrides = list(HydraConfig.get().overrides.task)
    try:
        s = search(OmegaConf.to_container(cfg.fit, resolve=True), overrides)
    except ConfigError as error:
        sys.exit(f"config error: {error}")
    log.info("searching %d parameters for %d figures of the status quo on seeds %s", len(s.space), len(s.figures),
             list(s.seeds))
    study = run(s, Path(s.settings.journal).stem)
    result = write_best(s, study)
    log.info("best trial %d of %d: objective %.3f, %d of %d figures within band; wrote %s", result["trial"],
             result["trials"], result["objective"], result["within"], result["of"], s.settings.output)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    run_app(main)
