"""The calibration app (experiments/calibrate.py): one evaluation, the Optuna sweep, and config errors."""

import subprocess
import sys

import polars as pl
import pytest
import yaml
from omegaconf import OmegaConf

from experiments.calibrate import TRIAL, TRIALS, evaluate, preset_params
from model.config import CONFIG_DIR, compose_config
from model.params import ConfigError

# A tiny town (6 neighbourhoods, ~1,700 adults), one seed per preset: a trial takes a second.
TINY = ["population.n_neighbourhoods=6", "weeks=52", "warmup_weeks=26", "calibration.seeds=1",
        "calibration.from_week=13"]


def _resolved(overrides=()):
    return OmegaConf.to_container(compose_config(TINY + list(overrides), config_name="calibrate"), resolve=True)


def test_one_evaluation_scores_every_preset_and_seed_against_its_targets():
    resolved = _resolved(["calibration.seeds=2"])
    loss, runs = evaluate(resolved)
    targets = resolved["calibration"]["targets"]
    assert sorted(runs["preset"].unique()) == sorted(targets)
    assert runs.height == 2 * len(targets) and sorted(runs["seed"].unique()) == [0, 1]
    expected = 0.0
    for preset, wanted in targets.items():
        achieved = runs.filter(pl.col("preset") == preset)
        for outcome, target in wanted.items():
            expected += ((achieved[outcome].mean() - target["value"]) / target["tolerance"]) ** 2
    assert loss == pytest.approx(expected)


def test_null_trial_values_keep_each_preset_as_stored():
    base = _resolved()
    stored = yaml.safe_load((CONFIG_DIR / "policy" / "shropshire.yaml").read_text())
    kept = preset_params(base, "shropshire", {"mobilisation": None, "plan_support_hours": None})
    assert kept.policy.mobilisation == stored["mobilisation"]
    assert kept.policy.plan_support_hours == stored["plan_support_hours"]
    tried = preset_params(base, "shropshire", {"mobilisation": 0.25, "plan_support_hours": None})
    assert tried.policy.mobilisation == 0.25 and tried.policy.name == "shropshire"


@pytest.mark.parametrize("target, message", [
    ("shropshire.share_magic", "calibration.targets.shropshire.share_magic is not an outcome of the run summary; "
                               "choose one of: "),
    ("atlantis.statutory_per_contact", "calibration.targets.atlantis is not a policy; choose one of: "),
])
def test_misnamed_target_is_a_one_line_error(target, message):
    resolved = _resolved()
    preset, outcome = target.split(".")
    resolved["calibration"]["targets"][preset] = {outcome: {"value": 0.5, "tolerance": 0.1}}
    with pytest.raises(ConfigError) as error:
        evaluate(resolved)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_cli_misnamed_target_exits_with_one_line_and_writes_nothing(tmp_path):
    run_dir = tmp_path / "check"
    done = subprocess.run(
        [sys.executable, "-m", "experiments.calibrate", *TINY,
         "+calibration.targets.calderdale.share_magic={value: 0.5, tolerance: 0.1}", f"hydra.run.dir={run_dir}"],
        capture_output=True, text=True,
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("config error: calibration.targets.calderdale.share_magic is not an outcome")
    assert not list(run_dir.glob("*.parquet"))


def test_optuna_sweep_writes_every_trial_and_the_best_parameters(tmp_path):
    sweep_dir = tmp_path / "sweep"
    done = subprocess.run(
        [sys.executable, "-m", "experiments.calibrate", "--multirun", *TINY, "hydra.sweeper.n_trials=2",
         f"hydra.sweep.dir={sweep_dir}"],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    trials = pl.read_parquet(sweep_dir / TRIALS)
    assert sorted(trials["trial"].unique()) == [0, 1]
    assert sorted(trials["preset"].unique()) == ["calderdale", "shropshire"]
    assert all((sweep_dir / f"trial_{k}" / TRIAL).is_file() for k in range(2))
    # each trial's searched values are recorded with its loss; Optuna's best is the lowest loss
    per_trial = trials.group_by("trial").agg(pl.col("loss").first(), pl.col("calibration.policy.mobilisation").first())
    assert per_trial["calibration.policy.mobilisation"].is_between(0.2, 1.0).all()
    best = yaml.safe_load((sweep_dir / "optimization_results.yaml").read_text())
    assert best["best_value"] == pytest.approx(per_trial["loss"].min())


def test_community_first_presets_share_the_calibrated_practice_values():
    presets = [yaml.safe_load(path.read_text()) for path in sorted((CONFIG_DIR / "policy").glob("*.yaml"))]
    practice = {(p["mobilisation"], p["plan_support_hours"]) for p in presets if p["mode"] == "community_first"}
    assert len(practice) == 1, f"community-first presets disagree on the calibrated values: {practice}"
