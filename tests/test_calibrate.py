"""The calibration (experiments/calibrate.py) and the posterior ensemble it wrote (configs/posterior/)."""

import json
import subprocess
import sys

import pytest
import yaml
from omegaconf import OmegaConf

from analysis.evidence import load_figures
from experiments.calibrate import design
from model.config import CONFIG_DIR, compose_config, load_params
from model.params import ConfigError

POSTERIOR = CONFIG_DIR / "posterior"
MEMBERS = sorted(POSTERIOR.glob("member_*.yaml"))

def _provenance():
    return json.loads((POSTERIOR / "provenance.json").read_text())
# A tiny town (6 neighbourhoods, ~1,700 adults), short warm-up; the window (from week 104) still holds 26 weeks.
TINY = ["population.n_neighbourhoods=6", "weeks=130", "warmup_weeks=26", "calibration.population_size=6",
        "calibration.members=4", "calibration.workers=2"]


def _value(params, dotted):
    section, field = dotted.split(".")
    return getattr(getattr(params, section), field)


def test_the_ensemble_has_at_least_50_members_and_its_provenance():
    provenance = _provenance()
    assert len(MEMBERS) >= 50 and len(MEMBERS) == provenance["members"]
    fitted = {f.id for f in load_figures().figures if f.role == "fit"}
    assert set(provenance["targets"]) == fitted  # held-out figures were never calibration targets
    assert provenance["git_revision"] and provenance["packages"]["pyabc"] and provenance["wall_minutes"] > 0
    assert provenance["generations"] and all(g["effective_sample_size"] > 0 for g in provenance["generations"])


@pytest.mark.parametrize("path", [*MEMBERS, POSTERIOR / "median.yaml"], ids=lambda path: path.stem)
def test_every_member_loads_validates_and_lies_inside_its_priors(path):
    provenance = _provenance()
    values = yaml.safe_load(path.read_text())
    assert values["posterior"]["name"] == path.stem
    assert values["posterior"]["member"] == (-1 if path.stem == "median" else int(path.stem.split("_")[1]))
    community, status_quo = (load_params([f"posterior={path.stem}", f"policy={p}"]) for p in
                             ("community_first", "service_first"))
    for name, prior in provenance["priors"].items():
        section, field = name.split(".")
        for params in (community, status_quo):
            assert values[section][field] == _value(params, name)  # the member's value is the one the run uses
            assert prior["low"] <= _value(params, name) <= prior["high"]
    assert community.policy.mobilisation == values["posterior"]["mobilisation"]
    assert status_quo.policy.mobilisation == 0.0  # the status quo has no strengths-based conversation


def _calibrate(tmp_path, *extra):
    return subprocess.run(
        [sys.executable, "-m", "experiments.calibrate", *TINY, f"calibration.database={tmp_path}/abc.db",
         f"calibration.output={tmp_path}/posterior", f"calibration.diagnostics={tmp_path}/img",
         f"hydra.run.dir={tmp_path}/log", *extra], capture_output=True, text=True)


def test_a_calibration_stopped_continues_from_its_database_and_writes_the_ensemble(tmp_path):
    first = _calibrate(tmp_path, "calibration.generations=1")
    assert first.returncode == 0, first.stderr[-2000:]
    again = _calibrate(tmp_path, "calibration.generations=2")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "continuing" in again.stdout + again.stderr and "after generation 0" in again.stdout + again.stderr
    provenance = json.loads((tmp_path / "posterior" / "provenance.json").read_text())
    assert [g["generation"] for g in provenance["generations"]] == [0, 1]
    assert sorted(p.name for p in (tmp_path / "posterior").glob("member_*.yaml")) == [f"member_0{k}.yaml" for k in range(4)]
    assert (tmp_path / "img" / "posterior_pairs.png").stat().st_size > 0
    for name, prior in provenance["priors"].items():
        assert prior["low"] <= provenance["median"][name] <= prior["high"]
    # The same database with another design is refused, not mixed into.
    other = _calibrate(tmp_path, "calibration.generations=3", "calibration.priors.services.crowd_out.high=0.5")
    assert other.returncode != 0 and "holds a calibration of another design" in other.stdout + other.stderr


@pytest.mark.parametrize("override, message", [
    ("+calibration.priors.needs.magic={low: 0, high: 1, scale: linear, source: x}",
     "calibration.priors.needs.magic: not a model parameter"),
    ("calibration.priors.support.asking_return.low=0.5", "calibration.priors.support.asking_return: needs low < high"),
    ("calibration.priors.posterior.mobilisation.high=2.0", "calibration.priors.posterior.mobilisation: policy.mobilisation=2.0 is out of range; allowed [0.0, 1.0]"),
    ("calibration.priors.needs=3", "calibration.priors.needs must map fields to priors"),
    ("calibration.priors.needs.onset_weekly.scale=cubic", "calibration.priors.needs.onset_weekly.scale='cubic' is not allowed"),
])
def test_a_bad_prior_is_a_one_line_error(override, message):
    cfg = compose_config([override], config_name="calibrate")
    with pytest.raises(ConfigError) as error:
        design(OmegaConf.to_container(cfg.calibration, resolve=True), [override])
    assert str(error.value).startswith(message) and "\n" not in str(error.value)
