"""Calibrate community parameters to the seed figures: a Hydra app swept by the Optuna sweeper.

    python -m experiments.calibrate --multirun     # the sweep in configs/calibrate.yaml
    python -m experiments.calibrate                # one evaluation of the values in the configs

One evaluation runs every preset named in ``calibration.targets`` (each a ``configs/policy`` file,
with ``calibration.policy`` values set on top) on the config's town, for ``calibration.seeds`` seeds,
and measures the run-summary outcomes (``experiments.store.summarise``) over the policy weeks from
``calibration.from_week``.  It returns the loss the sweeper minimises::

    sum over presets and outcomes of ((mean over seeds - reported value) / tolerance) ** 2

The reported values are the seed figures (Shropshire, Calderdale); they are targets the emergent
outcomes are scored against, never inputs.  Each evaluation writes ``trial.parquet`` (one row per
preset and seed: the parameters under search, the outcomes) with the resolved config and provenance
into its job directory (``experiments.store.write_result``); at the end of a sweep
``trials.parquet`` in the sweep directory gathers every trial with its loss, and Optuna's
``optimization_results.yaml`` holds the best parameters.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import hydra
import polars as pl
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from experiments import store
from experiments.cli import run_app
from model.config import CONFIG_DIR, compose_config
from model.outputs import atomic_write
from model.params import ConfigError, Params, p, params_from_dict, validate, with_overrides
from model.simulation import ResilienceModel

log = logging.getLogger(__name__)
logging.getLogger("MESA").setLevel(logging.WARNING)

TRIAL, TRIALS = "trial.parquet", "trials.parquet"


@dataclass(frozen=True)
class Settings:
    """How each calibration trial is run (``calibration.*`` apart from ``policy`` and ``targets``)."""

    seeds: int = p(1, 1000, "runs", "runs per preset, with seeds seed, seed + 1, ...")
    from_week: int = p(0, 5200, "weeks", "first policy week of the measurement window")


@dataclass(frozen=True)
class Target:
    """A reported figure an outcome is scored against."""

    value: float = p(doc="reported value")
    tolerance: float = p(1e-6, None, "", "difference from the reported value that adds 1 to the loss")


def targets_from(values: Mapping[str, Any], outcomes: set[str]) -> dict[str, dict[str, Target]]:
    """Validate ``calibration.targets`` (preset -> outcome -> {value, tolerance}); ``outcomes``: the valid outcomes."""
    checked = {}
    for preset, wanted in values.items():
        if not (CONFIG_DIR / "policy" / f"{preset}.yaml").is_file():
            options = sorted(f.stem for f in (CONFIG_DIR / "policy").glob("*.yaml"))
            raise ConfigError(f"calibration.targets.{preset} is not a policy; choose one of: {', '.join(options)}")
        checked[preset] = {}
        for outcome, target in wanted.items():
            if outcome not in outcomes:
                raise ConfigError(f"calibration.targets.{preset}.{outcome} is not an outcome of the run summary; "
                                  f"choose one of: {', '.join(sorted(outcomes))}")
            checked[preset][outcome] = validate(Target, target, f"calibration.targets.{preset}.{outcome}.")
    if not checked:
        raise ConfigError("calibration.targets is empty; name at least one preset and outcome")
    return checked


def summary_outcomes(params: Params) -> set[str]:
    """Names of the run-summary outcomes, from a one-week run (cheap), so a misnamed target fails at start."""
    return set(store.summarise(ResilienceModel(with_overrides(params, weeks=1, warmup_weeks=0)).run().steps).columns)


def preset_params(base: Mapping[str, Any], preset: str, policy: Mapping[str, Any]) -> Params:
    """Validated parameters of ``base`` with the policy ``preset`` and the non-null ``policy`` values set on it."""
    values = dict(base)
    chosen = {name: value for name, value in policy.items() if value is not None}
    composed = OmegaConf.to_container(compose_config([f"policy={preset}"]).policy, resolve=True)  # with its review
    values["policy"] = {**composed, **chosen}
    return params_from_dict(values)


def evaluate(resolved: Mapping[str, Any]) -> tuple[float, pl.DataFrame]:
    """Loss and per-run outcomes of one calibration trial (``resolved``: the full resolved config)."""
    calibration = resolved["calibration"]
    settings = validate(Settings, {k: v for k, v in calibration.items() if k not in ("policy", "targets")},
                        "calibration.")
    targets = targets_from(calibration["targets"], summary_outcomes(params_from_dict(resolved)))
    rows = []
    for preset in targets:
        params = preset_params(resolved, preset, calibration["policy"])
        for seed in range(params.seed, params.seed + settings.seeds):
            steps = ResilienceModel(with_overrides(params, seed=seed)).run().steps
            summary = store.summarise(steps.filter(pl.col("week") >= settings.from_week))
            rows.append({"preset": preset, "seed": seed, **summary.row(0, named=True)})
    runs = pl.DataFrame(rows)
    means = runs.group_by("preset").mean()
    loss = 0.0
    for preset, wanted in targets.items():
        achieved = means.filter(pl.col("preset") == preset)
        for outcome, target in wanted.items():
            value = achieved[outcome].item()
            if value != value:
                raise ConfigError(f"{preset} gives no {outcome}: no contacts were served from calibration.from_week "
                                  f"to weeks={resolved['weeks']}; lengthen the run or enlarge the town")
            loss += ((value - target.value) / target.tolerance) ** 2
            log.info("%s %s = %.4f (target %.4f)", preset, outcome, value, target.value)
    log.info("loss %.3f", loss)
    return loss, runs


@hydra.main(version_base=None, config_path="../configs", config_name="calibrate")
def main(cfg: DictConfig) -> float:
    started = datetime.now(timezone.utc)
    hydra_cfg = HydraConfig.get()
    resolved = OmegaConf.to_container(cfg, resolve=True)
    resolved.pop("hydra", None)
    try:
        loss, runs = evaluate(resolved)
    except ConfigError as error:
        sys.exit(f"config error: {error}")
    names = list(hydra_cfg.sweeper.get("params") or {})
    trial = runs.select(
        pl.lit(hydra_cfg.job.get("num", 0), dtype=pl.Int64).alias("trial"),
        *[pl.lit(OmegaConf.select(cfg, name)).alias(name) for name in names],
        pl.lit(loss).alias("loss"),
        pl.all(),
    )
    store.write_result(Path(hydra_cfg.runtime.output_dir), {TRIAL: trial}, resolved,
                       {"calibration_loss": loss, "seed": cfg.seed}, started)
    return loss


class CollectTrials(Callback):
    """At the end of a calibration sweep, gather every trial's ``trial.parquet`` into ``trials.parquet``."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        found = sorted(sweep_dir.glob(f"*/{TRIAL}"))
        if not found:
            return
        trials = pl.concat([pl.read_parquet(path) for path in found], how="diagonal").sort("trial", "preset", "seed")
        atomic_write(sweep_dir / TRIALS, trials.write_parquet)
        best = trials.sort("loss").row(0, named=True)
        log.info("best trial %d: loss %.3f; all trials in %s", best["trial"], best["loss"], sweep_dir / TRIALS)


if __name__ == "__main__":
    run_app(main)
