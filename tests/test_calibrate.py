"""The calibration (experiments/calibrate.py, experiments/emulator.py) and the posterior ensemble it wrote
(configs/posterior/)."""

import html
import json
import subprocess
import sys

import numpy as np
import polars as pl
import pytest
import yaml
from omegaconf import OmegaConf

from analysis import calibration
from analysis.evidence import load_figures
from experiments import emulator
from experiments.calibrate import design
from model.config import CONFIG_DIR, compose_config, load_params
from model.params import ConfigError

POSTERIOR = CONFIG_DIR / "posterior"
MEMBERS = sorted(POSTERIOR.glob("member_*.yaml"))
# A tiny town (6 neighbourhoods, ~1,700 adults), short warm-up; the window (from week 104) still holds 26 weeks.
# Its figures are far from England's, so the cut-off is loose enough for something to stay in.
TINY = ["population.n_neighbourhoods=6", "weeks=130", "warmup_weeks=26", "calibration.members=4",
        "calibration.steps=30", "calibration.candidates=2000", "calibration.cutoff=10", "calibration.ignore_worst=6",
        "calibration.workers=2"]


def _provenance():
    return json.loads((POSTERIOR / "provenance.json").read_text())


def _value(params, dotted):
    section, field = dotted.split(".")
    return getattr(getattr(params, section), field)


def test_the_ensemble_has_at_least_200_distinct_members_and_its_provenance():
    provenance = _provenance()
    assert len(MEMBERS) >= 200 and len(MEMBERS) == provenance["members"]
    sets = {tuple(sorted((s, f, v) for s, fields in yaml.safe_load(path.read_text()).items() if s != "posterior"
                         for f, v in fields.items()))
            for path in MEMBERS}
    assert len(sets) == len(MEMBERS)  # no two members are the same parameter set
    fitted = {f.id for f in load_figures().figures if f.role == "fit"}
    assert set(provenance["targets"]) == fitted  # held-out figures were never calibration targets
    assert provenance["git_revision"] and provenance["packages"]["scikit-learn"] and provenance["packages"]["emcee"]
    assert provenance["waves"] and all(w["validation"] for w in provenance["waves"])
    assert provenance["posterior"]["effective_sample_size"] >= len(MEMBERS)


def test_every_member_lies_inside_its_priors_and_a_few_load_as_runs_use_them():
    provenance = _provenance()
    for path in MEMBERS:
        values = yaml.safe_load(path.read_text())
        assert values["posterior"]["name"] == path.stem and values["posterior"]["member"] == int(path.stem.split("_")[1])
        for name, prior in provenance["priors"].items():
            section, field = name.split(".")
            assert prior["low"] <= values[section][field] <= prior["high"], (path.stem, name)
    for path in [MEMBERS[0], MEMBERS[-1], POSTERIOR / "median.yaml"]:
        values = yaml.safe_load(path.read_text())
        community, status_quo = (load_params([f"posterior={path.stem}", f"policy={p}"]) for p in
                                 ("community_first", "service_first"))
        for name in provenance["priors"]:
            section, field = name.split(".")
            if section != "posterior":
                for params in (community, status_quo):
                    assert values[section][field] == _value(params, name)  # the member's value is the one runs use
        assert community.policy.mobilisation == values["posterior"]["mobilisation"]
        assert status_quo.policy.mobilisation == 0.0  # the status quo has no strengths-based conversation


def test_no_sweep_names_a_member_twice_or_one_that_is_not_there():
    for path in sorted((CONFIG_DIR / "experiment").glob("*.yaml")):
        params = yaml.safe_load(path.read_text()).get("hydra", {}).get("sweeper", {}).get("params", {})
        if "posterior" in params:
            named = [m.strip() for m in str(params["posterior"]).split(",")]
            assert len(named) == len(set(named)), path.name
            assert all((POSTERIOR / f"{m}.yaml").is_file() for m in named), path.name


def test_the_predictive_check_covers_every_fitted_figure_and_nine_in_ten_are_within_band():
    check = json.loads((POSTERIOR / "predictive_check.json").read_text())
    fitted = {f.id: f for f in load_figures().figures if f.role == "fit"}
    assert {row["figure"] for row in check} == set(fitted)
    for row in check:
        assert row["runs"] >= 200 and row["p10"] <= row["median"] <= row["p90"]
        assert row["within"] == (row["p10"] <= fitted[row["figure"]].high and row["p90"] >= fitted[row["figure"]].low)
    assert sum(row["within"] for row in check) >= 0.9 * len(check)


def test_the_report_and_the_doc_show_the_check_and_the_doc_is_current():
    rows = calibration.load()
    html_text = calibration.section(rows)
    fitted = [f for f in load_figures().figures if f.role == "fit"]
    assert "The posterior predictive check" in html_text and calibration.tally(rows) in html_text
    assert all(html.escape(f.description) in html_text for f in fitted)
    assert calibration.section(None) == ""  # an ensemble without a check shows none
    # docs/calibration.md holds the tables python -m analysis.calibration prints for this ensemble
    assert calibration.markdown(rows) in (CONFIG_DIR.parent / "docs" / "calibration.md").read_text()


def test_an_emulator_predicts_a_known_function_with_honest_uncertainty_and_rules_out_far_points():
    rng = np.random.default_rng(0)
    truth = lambda x: 3 * x[:, 0] + np.sin(6 * x[:, 1])  # noqa: E731 - the function emulated
    x = rng.random((150, 3))
    y = truth(x) + rng.normal(0, 0.1, len(x))
    fitted = emulator.fit(x, {"f": y}, {"f": 2.0}, {"f": 0.1}, {"f": 1.0}, seed=0, workers=1, active=3)
    test = rng.random((200, 3))
    rows = emulator.validate(fitted, test, {"f": truth(test) + rng.normal(0, 0.1, len(test))})
    assert rows[0]["within_2sd"] > 0.85 and rows[0]["variance_explained"] > 0.95
    near = np.array([[0.5, np.arcsin(0.5) / 6, 0.5]])  # 3 * 0.5 + sin(6 * x1) = 2.0: the target itself
    far = np.array([[0.0, 0.9, 0.5]])  # about -0.8, 28 standard deviations from the target
    assert fitted.implausibility(near)[0, 0] < 1 < 3 < fitted.implausibility(far)[0, 0]
    assert emulator.worst_but(np.array([[5.0, 1.0, 4.0]]), 1)[0] == 4.0  # the worst figure is ignored
    two = emulator.Emulators({"f": fitted.figures["f"], "g": fitted.figures["f"]}, {"f": 2.0, "g": -0.8},
                             {"f": 0.1, "g": 0.1})
    points = rng.random((300, 3))
    for ignore in (0, 1):  # the figure-at-a-time rule-out is the worst-but rule
        assert (two.not_ruled_out(points, 3.0, ignore)
                == (emulator.worst_but(two.implausibility(points), ignore) <= 3.0)).all()


def _calibrate(tmp_path, *extra):
    return subprocess.run(
        [sys.executable, "-m", "experiments.calibrate", *TINY, f"calibration.directory={tmp_path}/cal",
         f"calibration.output={tmp_path}/posterior", f"calibration.diagnostics={tmp_path}/img",
         f"hydra.run.dir={tmp_path}/log", *extra], capture_output=True, text=True)


def test_a_calibration_stopped_continues_from_its_runs_and_writes_distinct_members_and_a_check(tmp_path):
    first = _calibrate(tmp_path, "calibration.waves=[14]")
    assert first.returncode == 0, first.stderr[-2000:]
    runs = pl.read_parquet(tmp_path / "cal" / "runs.parquet")
    assert runs.height == 14 and runs["wave"].unique().to_list() == [1]
    again = _calibrate(tmp_path, "calibration.waves=[14,10]")
    assert again.returncode == 0, again.stderr[-2000:]
    both = pl.read_parquet(tmp_path / "cal" / "runs.parquet")
    assert both.filter(pl.col("wave") == 1).equals(runs)  # wave 1's runs kept, not run again
    assert both.filter(pl.col("wave") == 2).height == 10
    provenance = json.loads((tmp_path / "posterior" / "provenance.json").read_text())
    assert [w["wave"] for w in provenance["waves"]] == [1, 2]
    members = sorted((tmp_path / "posterior").glob("member_*.yaml"))
    assert [p.name for p in members] == [f"member_0{k}.yaml" for k in range(4)]
    assert len({p.read_text().split("\n", 2)[2].split("\n", 3)[3] for p in members}) == 4  # distinct values
    check = json.loads((tmp_path / "posterior" / "predictive_check.json").read_text())
    assert len(check) == len(provenance["targets"]) and all(1 <= row["runs"] <= 4 for row in check)
    assert next(row for row in check if row["figure"] == "england_requests")["runs"] == 4  # a run without a
    # measure of some figure (no reablement in so small a town, say) leaves it out of that figure's band only
    assert (tmp_path / "img" / "posterior_members.png").stat().st_size > 0
    for name, prior in provenance["priors"].items():
        assert prior["low"] <= provenance["median"][name] <= prior["high"]
    # The same directory with another design is refused, not mixed into.
    other = _calibrate(tmp_path, "calibration.waves=[14]", "calibration.priors.services.crowd_out.high=0.5")
    assert other.returncode != 0 and "holds a calibration of another design" in other.stdout + other.stderr
    # A later wave designed with other settings is refused too.
    moved = _calibrate(tmp_path, "calibration.waves=[14,10]", "calibration.cutoff=9")
    assert moved.returncode != 0 and "wave_2.json was designed with" in moved.stdout + moved.stderr


@pytest.mark.parametrize("override, message", [
    ("+calibration.priors.needs.magic={low: 0, high: 1, scale: linear, source: x}",
     "calibration.priors.needs.magic: not a model parameter"),
    ("calibration.priors.support.asking_return.low=0.5", "calibration.priors.support.asking_return: needs low < high"),
    ("calibration.priors.posterior.mobilisation.high=2.0", "calibration.priors.posterior.mobilisation: policy.mobilisation=2.0 is out of range; allowed [0.0, 1.0]"),
    ("calibration.priors.needs=3", "calibration.priors.needs must map fields to priors"),
    ("calibration.priors.needs.onset_weekly.scale=cubic", "calibration.priors.needs.onset_weekly.scale='cubic' is not allowed"),
    ("calibration.waves=[400,5]", "calibration.waves must be a list of run counts of at least 10 each"),
    ("calibration.cutoff=0", "calibration.cutoff=0"),
])
def test_a_bad_setting_or_prior_is_a_one_line_error(override, message):
    cfg = compose_config([override], config_name="calibrate")
    with pytest.raises(ConfigError) as error:
        design(OmegaConf.to_container(cfg.calibration, resolve=True), [override])
    assert str(error.value).startswith(message) and "\n" not in str(error.value)
