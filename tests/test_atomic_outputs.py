"""Outputs are written atomically, with the mode a plain open() gives: a run that fails or is killed
midway leaves no partial Parquet, earlier complete runs stay intact, and re-running a sweep completes
only what is missing."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from analysis.report import write_report
from experiments import store
from model import outputs
from model.config import load_params
from model.params import ConfigError

from .conftest import run_model
from .sweeps import HANG_SECONDS, REPO, finish, read_until, start_controlled

TINY = ("population.n_neighbourhoods=2", "weeks=20", "warmup_weeks=5")


def _write(run_dir: Path) -> None:
    params = load_params(list(TINY))
    _, results = run_model(TINY)
    store.write_run(run_dir, results, params, {"seed": params.seed}, datetime.now(timezone.utc))


def _assert_parquet_whole(run_dir: Path) -> None:
    """Every Parquet file present under its final name reads back whole."""
    for path in run_dir.glob("*.parquet"):
        pl.read_parquet(path)


def _assert_no_partial_files(run_dir: Path) -> None:
    """Every Parquet file present reads back whole, and no temporary file is left behind."""
    assert not list(run_dir.glob(".*.tmp"))
    _assert_parquet_whole(run_dir)


def test_failure_between_files_leaves_an_incomplete_run_and_no_partial_file(tmp_path, monkeypatch):
    real_write = pl.DataFrame.write_parquet
    calls = []

    def fail_on_second_table(frame, path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            Path(path).write_bytes(b"PAR1 half a file")  # the failure strikes mid-write
            raise OSError("disk full")
        return real_write(frame, path, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", fail_on_second_table)
    with pytest.raises(OSError, match="disk full"):
        _write(tmp_path)
    assert not outputs.is_complete(tmp_path)
    assert [p.name for p in tmp_path.glob("*.parquet")] == [outputs.STEPS]  # only the table written in full
    _assert_no_partial_files(tmp_path)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", real_write)
    _write(tmp_path)  # running again completes the run
    assert outputs.is_complete(tmp_path)
    assert {p.name for p in tmp_path.glob("*.parquet")} == {outputs.STEPS, outputs.HOODS, outputs.SUMMARY}


def test_temporary_files_of_a_killed_write_are_cleared_on_the_next_attempt(tmp_path):
    (tmp_path / f".{outputs.STEPS}.abc123.tmp").write_bytes(b"left by a killed process")
    _write(tmp_path)
    assert outputs.is_complete(tmp_path)
    _assert_no_partial_files(tmp_path)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_outputs_get_the_mode_a_plain_open_gives(tiny_sweep, tmp_path, umask, mode):
    """A run's files, its lock and the report: 0666 less the umask, as open() makes them (not mkstemp's 0600)."""
    run_dir = tmp_path / "run"
    before = os.umask(umask)
    try:
        with store.claim(run_dir):
            _write(run_dir)
        report = write_report(tiny_sweep, tmp_path / "report.html")
    finally:
        os.umask(before)
    files = [*run_dir.iterdir(), report]
    assert {path.name for path in files} >= {outputs.STEPS, outputs.HOODS, outputs.SUMMARY, outputs.CONFIG,
                                             outputs.METADATA, outputs.LOCK, "report.html"}
    modes = {path.name: oct(stat.S_IMODE(path.stat().st_mode)) for path in files}
    assert modes == {path.name: oct(mode) for path in files}


def _sweep(sweep_dir: Path) -> list[str]:
    """Arguments of a three-seed sweep of a small town (each run well under a second)."""
    return ["--multirun", "seed=0,1,2", *TINY, f"hydra.sweep.dir={sweep_dir}"]


KILLS = {  # where the sweep is killed; either way while its second run (seed=1) is in progress
    "before simulating": ["--pause-before", "2"],  # the test kills it there, holding the run's lock
    "while writing a table": ["--kill-on-write", "5"],  # the first run writes 3 tables: the second run's second
}


@pytest.mark.parametrize("kill", KILLS)
def test_sweep_killed_midway_resumes_with_only_the_missing_runs(tmp_path, kill):
    runs = {seed: tmp_path / "market_town" / "baseline" / "community_first" / "median" / f"seed={seed}" for seed in range(3)}
    first = start_controlled(*KILLS[kill], *_sweep(tmp_path))
    if kill == "before simulating":
        log = read_until(first, f"paused before simulating job 2: {runs[1]}")
        os.killpg(first.pid, signal.SIGKILL)
    else:
        log = ""
    log = finish(first, log)
    assert first.returncode == -signal.SIGKILL, log

    writing = kill == "while writing a table"
    assert outputs.is_complete(runs[0]) and not outputs.is_complete(runs[1]) and not runs[2].exists(), log
    assert {path.name for path in runs[1].glob("*.parquet")} == ({outputs.STEPS} if writing else set())
    assert len(list(runs[1].glob(f".{outputs.HOODS}.*.tmp"))) == writing  # a kill mid-write leaves its temporary file
    for run_dir in runs.values():
        if run_dir.exists():  # never a partial table under its final name
            _assert_parquet_whole(run_dir)
    finished_first = (runs[0] / outputs.METADATA).read_bytes()

    again = subprocess.run([sys.executable, "-m", "experiments.run", *_sweep(tmp_path)], cwd=REPO,
                           capture_output=True, text=True, timeout=HANG_SECONDS)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "2 simulated, 1 skipped (already complete), 0 failed" in again.stdout, again.stdout[-2000:]
    for k, outcome in ((1, "skipped"), (2, "simulated"), (3, "simulated")):
        assert re.search(rf"\[{k}/3\] {outcome} +market_town/baseline/community_first/median/seed={k - 1} ", again.stdout)
    assert all(outputs.is_complete(run_dir) for run_dir in runs.values())
    assert (runs[0] / outputs.METADATA).read_bytes() == finished_first  # the complete run was not redone
    for run_dir in runs.values():
        _assert_no_partial_files(run_dir)

    results = tmp_path / "market_town"
    before = {path: path.read_bytes() for path in results.rglob("*") if path.is_file()}
    changed = subprocess.run([sys.executable, "-m", "experiments.run", *_sweep(tmp_path), "weeks=21"], cwd=REPO,
                             capture_output=True, text=True, timeout=HANG_SECONDS)
    assert changed.returncode != 0  # finished runs of another config are neither reported as this one's nor lost
    assert "weeks: 20 -> 21" in changed.stderr and "its own directory" in changed.stderr, changed.stderr[-2000:]
    assert {path: path.read_bytes() for path in results.rglob("*") if path.is_file()} == before


def test_sweep_scanner_names_a_complete_run_with_a_missing_table(tiny_sweep, tmp_path):
    """A file deleted after the run finished is reported by name and the run left out, never dropped silently."""
    from analysis.sweep import SweepWarning, open_sweep

    sweep_dir = tmp_path / "sweep"
    shutil.copytree(tiny_sweep, sweep_dir)
    damaged = sorted(sweep_dir.rglob(outputs.METADATA))[0].parent
    (damaged / outputs.HOODS).unlink()
    with pytest.warns(SweepWarning, match=re.escape(str(damaged / outputs.HOODS))):
        sweep = open_sweep(sweep_dir)
    assert damaged not in sweep.runs and len(sweep.runs) == 3


def test_a_finished_run_with_a_corrupt_config_is_named_and_left_alone(tmp_path):
    _write(tmp_path)
    (tmp_path / outputs.CONFIG).write_text("seed: [unclosed")
    kept = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(ConfigError, match=re.escape(f"{tmp_path} holds a finished run whose {outputs.CONFIG}")):
        store.finished_with(tmp_path, {"seed": 0})
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == kept
