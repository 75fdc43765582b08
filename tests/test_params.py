"""Config validation: every bad value fails at start with one line naming field, value and allowed range."""

import dataclasses
import subprocess
import sys

import pytest
import yaml
from model.config import CONFIG_DIR, compose_config, load_params
from model.components import Params, params_from_dict
from model.params import APP_KEYS, ConfigError
from omegaconf import OmegaConf

MODEL_KEYS = [f.name for f in dataclasses.fields(Params)]
UNKNOWN_FOO = f"unknown field foo; allowed: {', '.join(MODEL_KEYS + list(APP_KEYS))}"


def test_default_config_is_valid_and_complete():
    params = load_params()
    assert params.policy.mode == "community_first"
    assert params.warmup_policy.mode == "service_first"
    assert params.population.households_min <= params.population.households_max


@pytest.mark.parametrize(
    "override, message",
    [
        ("policy.mobilisation=3", "policy.mobilisation=3.0 is out of range; allowed [0.0, 1.0]"),
        ("needs.onset_weekly=-0.1", "needs.onset_weekly=-0.1 is out of range; allowed [0.0, 0.2]"),
        ("policy.mode=magic", "policy.mode='magic' is not allowed; choose one of: service_first, community_first"),
        ("weeks=2.5", "weeks=2.5 must be a whole number"),
        ("policy.reablement_first=maybe", "policy.reablement_first='maybe' must be true or false"),
        ("+programme@policy.programmes.outreach=outreach policy.programmes.outreach.weekly=2",
         "policy.programmes.outreach.weekly=2.0 is out of range; allowed [0.0, 1.0]"),
        ("population.households_min=300", "population.households_min=300 exceeds population.households_max=200"),
        ("+policy.programmes.befriending.weekly=1", "unknown programme policy.programmes.befriending; choose from: "
         "builders, group_linking, outreach, personal_budgets, referral"),
    ],
)
def test_bad_values_give_one_line_errors(override, message):
    with pytest.raises(ConfigError) as error:
        load_params(override.split(" "))
    assert str(error.value) == message
    assert "\n" not in str(error.value)


def test_missing_and_unknown_fields_are_named():
    values = OmegaConf.to_container(compose_config(), resolve=True)
    del values["needs"]["acute_weekly"]
    with pytest.raises(ConfigError, match=r"^missing field needs\.acute_weekly$"):
        params_from_dict(values)
    values = OmegaConf.to_container(compose_config(), resolve=True)
    values["costs"]["gold_plating"] = 1
    with pytest.raises(ConfigError, match=r"^unknown field costs\.gold_plating; allowed: home_care_hour"):
        params_from_dict(values)


def test_unknown_top_level_key_is_named_with_the_allowed_ones():
    """A key added with + that nothing reads (a typo, or a value meant for a section) is refused, not ignored."""
    for overrides in (["+foo=1"], ["+foo.onset_weekly=0.002", "seed=3"]):
        with pytest.raises(ConfigError) as error:
            load_params(overrides)
        assert str(error.value) == UNKNOWN_FOO
    values = OmegaConf.to_container(compose_config(), resolve=True)
    values["foo"] = 1
    with pytest.raises(ConfigError, match=rf"^{UNKNOWN_FOO}$"):
        params_from_dict(values)


def _configs_top_level_keys() -> set[str]:
    """Top-level keys the configs set: the primary configs' and the presets' that write at the top (experiment/)."""
    primary = [path for path in CONFIG_DIR.glob("*.yaml") if path.name != "figures.yaml"]  # data (analysis/evidence.py)
    files = [*primary,
             *(path for path in CONFIG_DIR.rglob("*.yaml") if path.read_text().startswith("# @package _global_"))]
    return {key for path in files for key in yaml.safe_load(path.read_text()) if key != "defaults"}


def test_the_top_level_keys_beyond_the_model_are_those_the_configs_use():
    """APP_KEYS is every other top-level key of configs/, and only those: each app's config loads."""
    assert _configs_top_level_keys() - set(MODEL_KEYS) == set(APP_KEYS)
    for config_name in ("config", "sensitivity", "calibrate"):
        params_from_dict(OmegaConf.to_container(compose_config(config_name=config_name), resolve=True))
    load_params(["+experiment=policy_comparison"])  # a preset writes at the top level, adding no key of its own


def test_cli_rejects_an_unknown_top_level_key_in_one_line(tmp_path):
    run_dir = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "experiments.run", "+foo=1", f"hydra.run.dir={run_dir}"],
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert done.stderr.strip() == f"config error: {UNKNOWN_FOO}"
    assert not list(run_dir.glob("*.parquet"))


def _not_an_option(group: str, option: str) -> str:
    options = ", ".join(sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml")))
    return f"{group}={option} is not an option; choose one of: {options}"


def test_unknown_policy_lists_the_valid_ones():
    with pytest.raises(ConfigError) as error:
        compose_config(["policy=magic"])
    assert str(error.value) == _not_an_option("policy", "magic")
    assert {"community_first", "service_first"} <= set(str(error.value).split("choose one of: ")[1].split(", "))


@pytest.mark.parametrize(
    "override, message",
    [
        ("scenario=calm", _not_an_option("scenario", "calm")),
        ("policy@warmup_policy=magic", _not_an_option("policy", "magic")),
        ("needs.bogus=3", "Could not override 'needs.bogus': Key 'bogus' is not in struct"),
    ],
)
def test_cli_composition_errors_are_one_line(tmp_path, override, message):
    done = subprocess.run(
        [sys.executable, "-m", "experiments.run", override, f"hydra.run.dir={tmp_path / 'run'}"],
        capture_output=True, text=True,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == f"config error: {message}"
    assert not (tmp_path / "run").exists()


def test_cli_rejects_bad_value_without_writing_results(tmp_path):
    run_dir = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "experiments.run", "policy.mobilisation=3", f"hydra.run.dir={run_dir}"],
        capture_output=True, text=True,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == "config error: policy.mobilisation=3.0 is out of range; allowed [0.0, 1.0]"
    assert not list(run_dir.glob("*.parquet"))
