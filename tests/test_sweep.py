"""Sweeps: progress is shown, a sweep started again simulates only the runs not yet complete (and redoes the
damaged ones), two sweeps started into one directory at once split the runs between them, and a directory holds
the runs of one sweep design."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest
import yaml
from omegaconf import OmegaConf

from analysis.report import write_report
from analysis.sweep import SweepError, SweepWarning
from experiments.progress import count_jobs
from model import outputs
from model.config import CONFIG_DIR

from .sweeps import (HANG_SECONDS, REPO, TINY_WEEKS, finish, go_on, read_until, preset_config, run_sweep,
                     start_controlled, sweep_args)


def _finished(sweep_dir):
    """Completion time of every complete run, by run directory."""
    return {path.parent.relative_to(sweep_dir).as_posix(): json.loads(path.read_text())["finished"]
            for path in sweep_dir.rglob(outputs.METADATA)}


def _tally(log):
    found = re.search(r"(\d+) simulated, (\d+) skipped \(already complete\), (\d+) failed", log)
    assert found, log
    return tuple(map(int, found.groups()))


def test_restarted_sweep_skips_complete_runs(tmp_path):
    sweep_dir = tmp_path / "sweep"
    first = run_sweep(sweep_dir, "seed=0")
    assert _tally(first) == (2, 0, 0)
    assert "[1/2] simulated" in first and "[2/2] simulated" in first
    assert (sweep_dir / "report.html").is_file()  # the preset writes the sweep's report when it ends
    done = _finished(sweep_dir)
    assert sorted(done) == ["market_town/baseline/community_first/median/seed=0", "market_town/baseline/service_first/median/seed=0"]

    again = run_sweep(sweep_dir, "seed=0")
    assert _tally(again) == (0, 2, 0)
    assert _finished(sweep_dir) == done  # nothing was rewritten

    # A run killed before it finished has no metadata.json: only that run is simulated again.
    interrupted = "market_town/baseline/community_first/median/seed=0"
    (sweep_dir / interrupted / outputs.METADATA).unlink()
    resumed = run_sweep(sweep_dir, "seed=0")
    assert _tally(resumed) == (1, 1, 0)
    assert re.search(rf"simulated +{re.escape(interrupted)}", resumed)
    after = _finished(sweep_dir)
    assert after.keys() == done.keys()
    untouched = "market_town/baseline/service_first/median/seed=0"
    assert after[untouched] == done[untouched]


RUNS = [f"market_town/baseline/{policy}/median/seed={seed}" for policy in ("service_first", "community_first")
        for seed in (0, 1)]


def _outcomes(log):
    """What a sweep did with each run, from its job lines: run -> simulated, skipped or elsewhere."""
    return {run: outcome for outcome, run in re.findall(r"\[\d+/\d+\] (simulated|skipped|elsewhere) +([^\s,]+)", log)}


def _two_sweeps_until_the_second_waits(sweep_dir):
    """Start a sweep paused inside its first run, then a second into the same directory, and read the
    second's log until it waits, at its end, for the run the first holds: (first, second, held run, log)."""
    first = start_controlled("--pause-before", "1", *sweep_args(sweep_dir, "seed=0,1"))
    paused = read_until(first, "paused before simulating job 1: ")
    held = os.path.relpath(paused.splitlines()[-1].split(": ", 1)[1], sweep_dir)
    second = start_controlled(*sweep_args(sweep_dir, "seed=0,1"))
    return first, second, held, read_until(second, f"waiting for {sweep_dir / held}: another process is writing it")


def test_two_sweeps_into_one_directory_simulate_each_run_once(tmp_path):
    sweep_dir = tmp_path / "sweep"
    first, second, held, second_log = _two_sweeps_until_the_second_waits(sweep_dir)
    go_on(first)
    first_log = finish(first)
    second_log = finish(second, second_log)
    assert first.returncode == 0, first_log
    assert second.returncode == 0, second_log

    # Each run simulated exactly once: the run the first sweep held by the first, the others by the second.
    assert _outcomes(first_log) == {run: "simulated" if run == held else "skipped" for run in RUNS}, first_log
    assert _outcomes(second_log) == {run: "elsewhere" if run == held else "simulated" for run in RUNS}, second_log
    assert _tally(first_log) == (1, 3, 0) and _tally(second_log) == (3, 0, 0)
    assert f"{sweep_dir / held} is complete: written by another process" in second_log
    assert "1 run(s) left to another process writing them: 1 complete, 0 incomplete" in second_log
    assert len(_finished(sweep_dir)) == 4
    assert "left out" not in (sweep_dir / "report.html").read_text(encoding="utf-8")  # every run in the report


def test_a_run_whose_other_sweep_died_is_named_incomplete_and_done_by_the_next(tmp_path):
    sweep_dir = tmp_path / "sweep"
    first, second, held, second_log = _two_sweeps_until_the_second_waits(sweep_dir)
    os.killpg(first.pid, signal.SIGKILL)  # the kernel releases its lock: the second stops waiting
    finish(first)
    second_log = finish(second, second_log)
    assert second.returncode == 0, second_log
    assert f"{sweep_dir / held} is incomplete: the process writing it stopped" in second_log
    assert re.search(rf"1 run\(s\) left to another process writing them: 0 complete, 1 incomplete .*{re.escape(held)}",
                     second_log), second_log
    assert "1 run(s) left out" in (sweep_dir / "report.html").read_text(encoding="utf-8")
    assert sorted(_finished(sweep_dir)) == sorted(set(RUNS) - {held})

    resumed = run_sweep(sweep_dir, "seed=0,1")
    assert _tally(resumed) == (1, 3, 0)
    assert _outcomes(resumed) == {run: "simulated" if run == held else "skipped" for run in RUNS}, resumed
    assert "left out" not in (sweep_dir / "report.html").read_text(encoding="utf-8")


def _config(params, task):
    return OmegaConf.create({"hydra": {"sweeper": {"params": params}, "overrides": {"task": task}}})


def test_count_jobs_multiplies_sweep_axes():
    params = {"policy": "service_first,community_first", "seed": "range(5)"}
    assert count_jobs(_config(params, ["+experiment=policy_comparison", "weeks=26"])) == 10
    assert count_jobs(_config(params, ["scenario=baseline,pandemic,austerity"])) == 30
    assert count_jobs(_config(params, ["seed=0,1"])) == 4  # the command line overrides the preset's axis


def test_count_jobs_unknown_for_glob_sweeps():
    assert count_jobs(_config({"policy": "glob(*)"}, [])) is None


FIRST_80_MEMBERS = [f"member_{k:03d}" for k in range(80)]


def test_the_main_job_runs_both_policies_over_80_distinct_posterior_members_and_one_seed():
    """Issue 22: 80 members, each a parameter set of its own (docs/calibration.md says how 80 was found enough)."""
    config = preset_config("policy_comparison")
    params = config.hydra.sweeper.params
    assert params.policy == "service_first,community_first" and params.posterior.split(",") == FIRST_80_MEMBERS
    assert params.seed == "range(1)" and count_jobs(config) == 2 * 80 * 1
    assert config.hydra.sweep.dir == "results/sweeps/policy_comparison" and config.weeks == 260


PRESETS = sorted(path.stem for path in (CONFIG_DIR / "experiment").glob("*.yaml"))


@pytest.mark.parametrize("experiment", PRESETS)
def test_every_preset_runs_one_single_threaded_job_per_core_the_policy_first(experiment):
    """configs/launch/cores.yaml: joblib's workers, one per core, each on one numba thread, sharing warm-ups; the
    policy is the first axis, so every run of the first policy is handed out before any of the second and the
    warm-ups it writes are there for the others."""
    config = preset_config(experiment)
    assert config.hydra.launcher._target_.endswith("JoblibLauncher") and config.hydra.launcher.n_jobs == -1
    assert config.output.numba_threads == 1 and config.output.share_warmup
    assert next(iter(config.hydra.sweeper.params)) == "policy"


def test_chance_alone_runs_the_median_over_ten_seeds_into_its_own_directory():
    config = preset_config("policy_comparison_chance")
    assert config.hydra.sweeper.params.posterior == "median" and count_jobs(config) == 2 * 10
    assert config.hydra.sweep.dir == "results/sweeps/policy_comparison_chance"
    assert config.weeks == preset_config("policy_comparison").weeks and config.population.name == "market_town"


def test_a_sweep_of_another_design_is_refused_while_the_first_runs(tmp_path):
    """Issue 20: two sweeps of different configs into one directory both exited 0 and left runs of both (the report
    said "N weeks" of one).  The second is refused at once, in one line naming the first key that differs, and
    writes nothing; the first goes on to its end."""
    sweep_dir = tmp_path / "sweep"
    first = start_controlled("--pause-before", "1", *sweep_args(sweep_dir, "seed=0,1"))
    read_until(first, "paused before simulating job 1: ")
    before = sorted(path.relative_to(sweep_dir) for path in sweep_dir.rglob("*"))
    other = subprocess.run([sys.executable, "-m", "experiments.run", *sweep_args(sweep_dir, "seed=0,1", "weeks=27")],
                           cwd=REPO, capture_output=True, text=True, timeout=HANG_SECONDS)
    assert other.returncode == 1 and other.stderr.splitlines() == [
        f"config error: {sweep_dir} holds the runs of another sweep design (weeks: {TINY_WEEKS} -> 27); give this "
        f"sweep its own directory (hydra.sweep.dir=...) or move that sweep's runs and its design.yaml away"]
    assert sorted(path.relative_to(sweep_dir) for path in sweep_dir.rglob("*")) == before  # nothing written
    go_on(first)
    log = finish(first)
    assert first.returncode == 0 and _tally(log) == (4, 0, 0), log
    assert {yaml.safe_load((sweep_dir / run / outputs.CONFIG).read_text())["weeks"] for run in RUNS} == {TINY_WEEKS}


def test_a_sweep_with_more_seeds_and_damaged_runs_redoes_them_by_name(tiny_sweep, tmp_path):
    """Issue 20: a truncated steps.parquet was "skipped (already complete)" on every rerun and left out of every
    report; garbage in one run's metadata.json or config.yaml stopped the whole rerun.  Each damaged run is named and
    simulated again, none stops the others, and the same sweep with a further seed extends the directory."""
    sweep_dir = tmp_path / "sweep"
    shutil.copytree(tiny_sweep, sweep_dir)
    truncated, garbled, unparsable, whole = RUNS
    steps = sweep_dir / truncated / outputs.STEPS
    steps.write_bytes(steps.read_bytes()[: steps.stat().st_size // 2])
    (sweep_dir / garbled / outputs.METADATA).write_text("{")
    (sweep_dir / unparsable / outputs.CONFIG).write_text("weeks: [")
    log = run_sweep(sweep_dir, "seed=0,1,2")
    assert _tally(log) == (5, 1, 0), log
    for run, named in ((truncated, f"{outputs.STEPS} cannot be read"), (garbled, f"{outputs.METADATA} cannot be read"),
                       (unparsable, f"{outputs.CONFIG} cannot be read")):
        assert f"{sweep_dir / run} is damaged ({named}" in log, log
    assert _outcomes(log)[whole] == "skipped"
    assert "left out" not in (sweep_dir / "report.html").read_text(encoding="utf-8")
    assert len(_finished(sweep_dir)) == 6


def test_the_report_refuses_to_mix_runs_of_two_designs(tiny_sweep, tmp_path):
    """Issue 20: a run of another design in a sweep's directory (here a run at another horizon) is named, with the
    key that differs, and the report refuses to mix it in."""
    from analysis.report import main as report_main

    sweep_dir = tmp_path / "sweep"
    shutil.copytree(tiny_sweep, sweep_dir)
    config = sweep_dir / RUNS[1] / outputs.CONFIG
    config.write_text(config.read_text().replace(f"weeks: {TINY_WEEKS}\n", "weeks: 52\n"))
    with pytest.raises(SweepError) as refused:
        write_report(sweep_dir)
    assert str(refused.value) == (f"{sweep_dir} mixes runs of different designs: {sweep_dir / RUNS[1]} has weeks=52 "
                                  f"where the sweep's design.yaml has {TINY_WEEKS}; give each design a directory of "
                                  f"its own")
    assert report_main([str(sweep_dir)]) == 2


def test_a_run_whose_config_cannot_be_read_is_named_and_left_out_of_the_report(tiny_sweep, tmp_path):
    """Issue 20: garbage in a config.yaml the report reads crashed it with a traceback."""
    sweep_dir = tmp_path / "sweep"
    shutil.copytree(tiny_sweep, sweep_dir)
    damaged = sweep_dir / "market_town/baseline/community_first/median/seed=0"  # the first run the report reads
    (damaged / outputs.CONFIG).write_text("seed: [unclosed")
    with pytest.warns(SweepWarning, match=re.escape(f"{damaged}: unreadable: {outputs.CONFIG}: ParserError")):
        write_report(sweep_dir)
    assert "1 run(s) left out" in (sweep_dir / "report.html").read_text(encoding="utf-8")
