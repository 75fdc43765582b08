"""Config validation: every bad value fails at start with one line naming field, value and allowed range."""

import dataclasses
import subprocess
import sys

import pytest
import yaml
from experiments.run import checked
from model.config import CONFIG_DIR, compose_config, load_params
from model import params as params_module
from model.components import Params, params_from_dict
from model.params import APP_KEYS, ConfigError
from omegaconf import OmegaConf

MODEL_KEYS = [f.name for f in dataclasses.fields(Params)]
NAME_RULE = ("1 to 255 letters, digits, '_', '.', '+' or '-', starting with a letter or digit "
             "(it names a directory of results)")
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
        # Values that used to pass validation and fail later with a traceback (issue 20):
        ("population.adults_per_household=[nan,1]", "population.adults_per_household=[nan, 1] must be a non-empty list "
                                                    "of non-negative numbers with a positive sum"),
        ("population.adults_per_household=[0.5,inf]", "population.adults_per_household=[0.5, inf] must be a non-empty "
                                                      "list of non-negative numbers with a positive sum"),
        (f"policy.name={'x' * 300}", f"policy.name={'x' * 50!r}... (300 characters) must be {NAME_RULE}"),
        ("policy.name=../../outside", f"policy.name='../../outside' must be {NAME_RULE}"),
        ("population.n_neighbourhoods=20000", "population.n_neighbourhoods=20000: a town of about 5,670,000 adults; "
                                              "the engine takes fewer than 2,097,152 (its random draws are keyed by "
                                              "pairs of residents)"),
    ],
)
def test_bad_values_give_one_line_errors(override, message):
    with pytest.raises(ConfigError) as error:
        load_params(override.split(" "))
    assert str(error.value) == message
    assert "\n" not in str(error.value)


def test_a_town_too_big_for_the_machine_is_refused_before_it_is_built(monkeypatch):
    """The memory a town needs (about 1.4 KB an adult, benchmarks/results.md) is checked against the machine's
    before anything is built, in one line naming the field that sets the town's size."""
    monkeypatch.setattr(params_module, "machine_memory", lambda: 64 * 2**20)  # a machine of 64 MiB
    with pytest.raises(ConfigError) as error:
        load_params(["population.n_neighbourhoods=300"])
    assert str(error.value) == ("population.n_neighbourhoods=300: a town of about 85,050 adults needs about 116 MiB "
                                "of memory; this machine has 64 MiB")
    load_params(["population.n_neighbourhoods=30"])  # about 8,500 adults: 12 MiB


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


@pytest.mark.parametrize("override, message", [
    ("+output.nonsense=1", "unknown field output.nonsense; allowed: hood_every, skip_complete, share_warmup, numba_threads"),
    ("output.skip_complete=maybe", "output.skip_complete='maybe' must be true or false"),
    ("output.hood_every=0", "output.hood_every=0 is out of range; allowed [1, 5200]"),
    ("output.hood_every=-1", "output.hood_every=-1 is out of range; allowed [1, 5200]"),
    ("output.hood_every=abc", "output.hood_every='abc' must be a number"),
    ("weeks=${oc.env:NO_SUCH_VARIABLE}",
     "weeks: KeyError raised while resolving interpolation: \"Environment variable 'NO_SUCH_VARIABLE' not found\""),
])
def test_bad_settings_of_how_a_run_is_run_give_one_line_errors(override, message):
    """Issue 20: output.hood_every=0 or abc ended in a traceback; +output.nonsense=1, output.skip_complete=maybe and
    output.hood_every=-1 were accepted without a word."""
    with pytest.raises(ConfigError) as error:
        checked(compose_config([override]))
    assert str(error.value) == message


def test_a_neighbourhoods_table_too_big_for_the_machine_is_refused(monkeypatch):
    monkeypatch.setattr(params_module, "machine_memory", lambda: 2 * 2**20)  # 2 MiB: the town (5 KiB) fits
    with pytest.raises(ConfigError) as error:
        checked(compose_config(["population.n_neighbourhoods=2", "population.households_min=1",
                                "population.households_max=1", "weeks=5200", "output.hood_every=1"]))
    assert str(error.value) == ("output.hood_every=1: a neighbourhoods table of 10,400 rows (2 neighbourhoods, 5,200 "
                                "weeks) needs about 4 MiB of memory; this machine has 2 MiB")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "experiments.run", *args], capture_output=True, text=True)


def test_a_refused_run_or_sweep_leaves_nothing_behind(tmp_path):
    """Issue 20: a config error left an empty run directory (and a sweep's multirun.yaml); a key added to Hydra's own
    settings was accepted without a word."""
    done = _cli("weeks=-1", f"hydra.run.dir={tmp_path / 'run'}")
    assert done.stderr.splitlines()[-1] == "config error: weeks=-1 is out of range; allowed [1, 5200]"
    done = _cli("+hydra.nonsense=1", f"hydra.run.dir={tmp_path / 'run'}")
    assert done.stderr.splitlines()[-1].startswith("config error: unknown field hydra.nonsense; allowed: defaults, mode")
    done = _cli("--multirun", "weeks=-1", "seed=0,1", f"hydra.sweep.dir={tmp_path / 'sweep'}")
    assert done.stderr.splitlines()[-1] == "config error: weeks=-1 is out of range; allowed [1, 5200]"
    assert list(tmp_path.iterdir()) == []

    # A swept value the sweep's first job does not have is refused by its own job, which clears what Hydra made for it.
    sweep = tmp_path / "sweep"
    done = _cli("--multirun", "seed=0,-1", "population.n_neighbourhoods=1", "weeks=2", "warmup_weeks=1",
                f"hydra.sweep.dir={sweep}")
    assert done.returncode == 1 and done.stderr.splitlines()[-1] == (
        f"config error: seed=-1 is out of range; allowed [0, {2**63 - 1}]")
    assert sorted(path.name for path in (sweep / "market_town/baseline/community_first/median").iterdir()) == ["seed=0"]
