"""A tiny SALib experiment end to end: designs, runs, indices, checkpoints, validation and the report."""

from __future__ import annotations

import logging
import subprocess
import sys

import numba
import numpy as np
import polars as pl
import pytest
from omegaconf import OmegaConf

from analysis import sensitivity as report
from analysis import sensitivity_pairs as pairs
from experiments import sensitivity, sensitivity_pairs
from model import outputs
from model.config import compose_config, params_with
from model.params import ConfigError

# A small town over a short horizon, four parameters: one sampled in its logarithm, and the strengths-based
# conversation's posterior.mobilisation, which the service-first front door (the default here) never takes.
TINY = [
    "population.n_neighbourhoods=6", "weeks=26", "warmup_weeks=13",
    "~sensitivity.parameters",
    "+sensitivity.parameters.needs.onset_weekly=[0.00035,0.0008]",
    "+sensitivity.parameters.network.helper_hours=[1.0,6.0]",
    "+sensitivity.parameters.posterior.mobilisation=[0.3,0.9]",
    "+sensitivity.parameters.support.asking_return=[0.005,0.2,log]",
    "sensitivity.morris_trajectories=4", "sensitivity.morris_levels=4", "sensitivity.sobol_base_samples=8",
    "sensitivity.noise_seeds=2", "sensitivity.resamples=50", "sensitivity.workers=1", "sensitivity.chunk=8",
]
RUNS = 4 * (4 + 1) + 8 * (4 + 2) + 2  # Morris r (k + 1), Sobol N (k + 2), noise
CHUNKS = 3 + 6 + 1


def _config(*overrides: str, policy: str = "service_first") -> dict:
    """The composed config, unresolved (as the experiment takes it)."""
    composed = compose_config([f"policy={policy}", *TINY, *overrides], config_name="sensitivity")
    return OmegaConf.to_container(composed, resolve=False)


@pytest.fixture(scope="module")
def one_thread():
    """Many short runs go faster on one numba thread (as the experiment's workers use); results are the same."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(threads)


@pytest.fixture(scope="module")
def experiment(tmp_path_factory, one_thread):
    """The tiny experiment, killed after three chunks, one checkpoint then corrupted, and run again."""
    out = tmp_path_factory.mktemp("sensitivity")
    config, real = _config(), sensitivity.evaluate
    calls = []

    def killed_after_three(*args):
        if len(calls) == 3:
            raise Killed
        calls.append(args)
        return real(*args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sensitivity, "evaluate", killed_after_three)
        with pytest.raises(Killed):
            sensitivity.run(config, out)
    interrupted = {p.name for p in out.glob("*.parquet")}
    checkpoints = sorted(out.glob(".checkpoints-*/*.parquet"))
    checkpoints[0].write_bytes(b"not parquet")

    resumed, warnings = [], _Records(logging.WARNING)
    logging.getLogger(sensitivity.__name__).addHandler(warnings)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(sensitivity, "evaluate", lambda *args: resumed.append(args) or real(*args))
            sensitivity.run(config, out)
    finally:
        logging.getLogger(sensitivity.__name__).removeHandler(warnings)
    return out, interrupted, checkpoints, resumed, warnings.messages


class Killed(Exception):
    """Stands for the process being killed between two chunks."""


class _Records(logging.Handler):
    def __init__(self, level):
        super().__init__(level)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_killed_experiment_resumes_with_only_the_missing_chunks(experiment):
    out, interrupted, checkpoints, resumed, warnings = experiment
    assert interrupted == set() and len(checkpoints) == 3
    assert any(str(checkpoints[0]) in message and "unreadable" in message for message in warnings)
    assert len(resumed) == CHUNKS - 2  # the corrupted checkpoint and the five never run
    assert outputs.is_complete(out)
    assert not list(out.glob(".checkpoints-*"))  # removed once the tables are written


def test_tables_hold_every_run_and_index(experiment):
    out, *_ = experiment
    runs = pl.read_parquet(out / outputs.RUNS)
    assert runs.height == RUNS
    assert runs.group_by("method").len().sort("method").rows() == [("morris", 20), ("noise", 2), ("sobol", 48)]
    outcomes = runs.select(*outputs.OUTCOMES)
    assert np.isfinite(outcomes.to_numpy()).all()
    assert (runs.filter(pl.col("method") != "noise")["seed"] == 0).all()  # common random numbers
    assert runs.filter(pl.col("method") == "noise")["seed"].to_list() == [0, 1]
    for name, (low, high) in {"needs.onset_weekly": (0.00035, 0.0008), "network.helper_hours": (1.0, 6.0)}.items():
        assert runs[name].min() >= low and runs[name].max() <= high
    # The log-scale parameter's Morris levels are evenly spaced in its logarithm, not in its value.
    levels = np.sort(runs.filter(pl.col("method") == "morris")["support.asking_return"].unique().to_numpy())
    np.testing.assert_allclose(levels, np.geomspace(0.005, 0.2, 4))
    morris = pl.read_parquet(out / outputs.MORRIS)
    sobol = pl.read_parquet(out / outputs.SOBOL)
    assert set(morris.columns) >= {"outcome", "parameter", "mu", "mu_star", "mu_star_conf", "sigma"}
    assert set(sobol.columns) >= {"outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf"}


def test_indices_find_the_parameter_without_effect_and_the_direction_of_help(experiment):
    out, *_ = experiment
    morris = pl.read_parquet(out / outputs.MORRIS)
    sobol = pl.read_parquet(out / outputs.SOBOL)
    # Under service_first the strengths-based conversation never happens and posterior.mobilisation does not
    # reach its front door: with common random numbers it changes nothing at all, so every index is exactly zero.
    idle = morris.filter(pl.col("parameter") == "posterior.mobilisation")
    assert idle.height and (idle["mu_star"] == 0).all() and (idle["sigma"] == 0).all()
    idle = sobol.filter(pl.col("parameter") == "posterior.mobilisation")
    assert idle.height and (idle["ST"] == 0).all()
    # More need onsets bring more contacts and cost more.  (Not the unmet share: most new needs start small
    # and are met by people's own resources and networks, so over half a year the share can fall as need
    # grows.  Nor informal help hours: in a tiny service-first town their effect on unmet need is within
    # noise, since more informal capacity also makes fewer people eligible for services.)
    effect = {(o, p): mu for o, p, mu in morris.select("outcome", "parameter", "mu").iter_rows()}
    assert effect["cost_per_adult_year", "needs.onset_weekly"] > 0
    assert effect["contacts_per_1000_per_year", "needs.onset_weekly"] > 0


def test_report_section_has_a_figure_per_method_and_outcome(experiment, tmp_path):
    out, *_ = experiment
    loaded = report.load(out)
    html = report.section(loaded)
    varying = set(loaded.sobol["outcome"])
    assert html.count("-sobol-") >= len(varying) and html.count("-morris-") >= len(set(loaded.morris["outcome"]))
    noise = report.noise_check(loaded)
    assert noise.height == len(outputs.OUTCOMES) and noise["sd_parameters"].min() >= 0
    page = report.write_report(out, tmp_path / "page.html")
    assert "Sensitivity to uncertain parameters" in page.read_text()


def test_comparison_report_can_include_the_sensitivity_section(tiny_sweep, experiment, tmp_path):
    from analysis.report import write_report

    out, *_ = experiment
    page = write_report(tiny_sweep, tmp_path / "report.html", sensitivity_dir=out).read_text()
    assert "The front-door funnel" in page  # the comparison itself
    assert "Sensitivity to uncertain parameters" in page and "-sobol-" in page and "-morris-" in page


def test_report_names_an_incomplete_or_unreadable_experiment(experiment, tmp_path):
    with pytest.raises(report.SensitivityError, match="no complete sensitivity experiment"):
        report.load(tmp_path)
    out, *_ = experiment
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in out.iterdir():
        if path.is_file():
            (broken / path.name).write_bytes(path.read_bytes())
    (broken / outputs.SOBOL).write_bytes(b"PAR1 truncated")
    with pytest.raises(report.SensitivityError, match=r"sobol\.parquet: unreadable"):
        report.load(broken)


@pytest.mark.parametrize(
    "override, message",
    [
        ("sensitivity.parameters.needs.onset_weekly=[0.1,0.5]",
         "sensitivity.parameters.needs.onset_weekly: needs.onset_weekly=0.5 is out of range; allowed [0.0, 0.2]"),
        ("sensitivity.parameters.needs.onset_weekly=[0.003,0.001]",
         "sensitivity.parameters.needs.onset_weekly=[0.003, 0.001] must be [low, high] or [low, high, log] with low < high"),
        ("sensitivity.parameters.support.asking_return=[0.0,0.2,log]",
         "sensitivity.parameters.support.asking_return=[0.0, 0.2, 'log'] must be [low, high] or [low, high, log]"),
        ("sensitivity.parameters.support.asking_return=[0.005,0.2,cubic]",
         "sensitivity.parameters.support.asking_return=[0.005, 0.2, 'cubic'] must be [low, high] or [low, high, log]"),
        ("+sensitivity.parameters.needs.magic=[0.1,0.2]",
         "sensitivity.parameters.needs.magic is not a real-valued model parameter; sections: "),
        ("+sensitivity.parameters.network.burnout_weeks=[4,20]",
         "sensitivity.parameters.network.burnout_weeks is not a real-valued model parameter; sections: "),
        ("sensitivity.sobol_base_samples=100", "sensitivity.sobol_base_samples=100 must be a power of two (e.g. 128)"),
        ("sensitivity.workers=0", "sensitivity.workers=0 is out of range; allowed [1, 1024]"),
    ],
)
def test_bad_settings_give_one_line_errors(override, message):
    with pytest.raises(ConfigError) as error:
        sensitivity.design(_config(override))
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_both_policies_run_with_one_design_and_pair(tmp_path, one_thread, capsys):
    morris_only = [o for o in TINY if not o.startswith(("sensitivity.sobol", "sensitivity.noise"))]
    argv = ["--towns", "market_town", "--root", str(tmp_path), *morris_only, "sensitivity.sobol_base_samples=0",
            "sensitivity.noise_seeds=0"]
    assert sensitivity_pairs.main(argv) == 0
    town = tmp_path / "market_town" / "baseline"
    base, policy = (pl.read_parquet(town / name / outputs.RUNS) for name in ("service_first", "community_first"))
    names = ["needs.onset_weekly", "network.helper_hours", "posterior.mobilisation", "support.asking_return"]
    assert base.select("run", "seed", *names).equals(policy.select("run", "seed", *names))  # one design
    out = town / "community_first_minus_service_first"
    diff = pl.read_parquet(out / pairs.DIFFERENCES)
    assert diff.height == 4 * (4 + 1)
    np.testing.assert_allclose(diff["contacts_per_1000_per_year"],
                               policy["contacts_per_1000_per_year"] - base["contacts_per_1000_per_year"])
    assert pl.read_parquet(out / pairs.MORRIS_DIFFERENCE).height == len(outputs.OUTCOMES) * len(names)
    assert "market_town: community_first - service_first, 20 paired runs" in capsys.readouterr().out
    html = report.section(report.load(town / "community_first"))  # a Morris-only experiment's report section
    assert "-morris-" in html and "-sobol-" not in html and "0.005 to 0.2 (log scale)" in html


@pytest.mark.parametrize("policy, expected", [("community_first", 0.9), ("service_first", 0.0)])
def test_a_sampled_posterior_value_reaches_only_the_presets_that_take_it(policy, expected):
    d = sensitivity.design(_config(policy=policy))
    params = params_with(d.config, {"posterior.mobilisation": 0.9}, seed=0)
    assert params.posterior.mobilisation == 0.9
    assert params.policy.mobilisation == expected  # the status quo has no strengths-based conversation
    assert params.warmup_policy.mobilisation == 0.0


def test_cli_rejects_bad_settings_in_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "experiments.sensitivity", "sensitivity.morris_levels=3", f"hydra.run.dir={tmp_path}"],
        capture_output=True, text=True,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "config error: sensitivity.morris_levels=3 must be even"
