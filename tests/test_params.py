"""Config validation: every bad value fails at start with one line naming field, value and allowed range."""

import subprocess
import sys

import pytest
from model.config import CONFIG_DIR, compose_config, load_params
from model.params import ConfigError, params_from_dict
from omegaconf import OmegaConf


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
        ("policy.link_groups=maybe", "policy.link_groups='maybe' must be true or false"),
        ("population.households_min=300", "population.households_min=300 exceeds population.households_max=200"),
    ],
)
def test_bad_values_give_one_line_errors(override, message):
    with pytest.raises(ConfigError) as error:
        load_params([override])
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
