"""Outputs are written atomically, with the mode a plain open() gives: a run that fails or is killed
midway leaves no partial Parquet, earlier complete runs stay intact, and re-running a sweep completes
only what is missing."""

from __future__ import annotations

import errno
import json
import logging
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
import yaml
from omegaconf import OmegaConf

from analysis.report import write_report
from experiments import store
from model import outputs
from model.config import compose_config, load_params
from model.params import ConfigError

from .conftest import run_model
from .sweeps import HANG_SECONDS, REPO, finish, read_until, start_controlled

TINY = ("population.n_neighbourhoods=2", "weeks=20", "warmup_weeks=5")


def _write(run_dir: Path) -> None:
    """A finished run of the tiny town into ``run_dir``, with its resolved config, as ``experiments.run`` stores it."""
    params = load_params(list(TINY))
    _, results = run_model(TINY)
    resolved = OmegaConf.to_container(compose_config(list(TINY)), resolve=True)
    store.write_run(run_dir, results, params, resolved, datetime.now(timezone.utc))


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


DAMAGE = {  # what happens to a finished run after it was written -> what the warning names
    "steps truncated": (lambda run: (run / outputs.STEPS).write_bytes((run / outputs.STEPS).read_bytes()[:500]),
                        f"{outputs.STEPS} cannot be read: ComputeError"),
    "steps deleted": (lambda run: (run / outputs.STEPS).unlink(), f"{outputs.STEPS} is missing"),
    "summary of another length": (lambda run: pl.concat([pl.read_parquet(run / outputs.SUMMARY)] * 2).write_parquet(
        run / outputs.SUMMARY), f"{outputs.SUMMARY} has 2 rows, not 1"),
    "metadata garbled": (lambda run: (run / outputs.METADATA).write_text("{"),
                         f"{outputs.METADATA} cannot be read: JSONDecodeError"),
    "metadata not a mapping": (lambda run: (run / outputs.METADATA).write_text("[]"),
                               f"{outputs.METADATA} holds list, not a mapping"),
    "metadata of another run": (lambda run: (run / outputs.METADATA).write_text(json.dumps(
        {**json.loads((run / outputs.METADATA).read_text()), "seed": 7})), f"{outputs.METADATA} names seed=7"),
    "config garbled": (lambda run: (run / outputs.CONFIG).write_text("seed: [unclosed"),
                       f"{outputs.CONFIG} cannot be read: ParserError"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_finished_run_is_named_and_not_skipped(tmp_path, caplog, damage):
    """Issue 20: a finished run is verified before it is skipped; a damaged one is named and simulated again
    (it was "skipped (already complete)" on every rerun and left out of every report, or stopped the rerun)."""
    _write(tmp_path)
    wanted = yaml.safe_load((tmp_path / outputs.CONFIG).read_text())
    labels = store.run_labels(load_params(list(TINY)))
    assert store.finished_with(tmp_path, wanted, labels)  # whole: skipped
    harm, named = DAMAGE[damage]
    harm(tmp_path)
    with caplog.at_level(logging.WARNING, logger="experiments.store"):
        assert not store.finished_with(tmp_path, wanted, labels)
    assert f"{tmp_path} is damaged ({named}" in caplog.text and "simulating it again" in caplog.text, caplog.text


def test_a_whole_finished_run_of_another_config_is_refused_and_left_alone(tmp_path):
    _write(tmp_path)
    wanted = yaml.safe_load((tmp_path / outputs.CONFIG).read_text())
    kept = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(ConfigError, match=re.escape(f"{tmp_path} already holds a finished run of another config "
                                                    f"(weeks: 20 -> 21)")):
        store.finished_with(tmp_path, {**wanted, "weeks": 21})
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == kept


def test_a_run_that_fails_leaves_no_lock_behind(tmp_path):
    """Issue 20: a run that fails while it holds its lock leaves neither the lock file nor an empty directory."""
    run_dir = tmp_path / "run"
    with pytest.raises(RuntimeError):
        with store.claim(run_dir) as claimed:
            assert claimed and (run_dir / outputs.LOCK).is_file()
            raise RuntimeError("the simulation failed")
    assert not run_dir.exists()
    with store.claim(run_dir) as claimed:  # and the run can be claimed again
        assert claimed
        _write(run_dir)
    assert outputs.is_complete(run_dir) and (run_dir / outputs.LOCK).is_file()  # a finished run keeps its lock file


def test_a_full_disk_is_named_in_one_line_whatever_the_parquet_writer_says(tmp_path, monkeypatch):
    """Issue 20: a full disk gave tracebacks whose first said "parquet: File out of specification: Invalid thrift";
    the store names the file and "No space left on device"."""
    def full(frame, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 as much as fitted")
        raise pl.exceptions.ComputeError("parquet: File out of specification: Invalid thrift: transport error")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    monkeypatch.setattr(store.os, "statvfs", lambda path: os.statvfs_result((4096, 4096, 30, 0, 0, 100, 0, 0, 0, 255)))
    with pytest.raises(OSError) as error:
        _write(tmp_path / "run")
    assert store.os_error_text(error.value) == f"{tmp_path / 'run' / outputs.STEPS}: No space left on device"
    assert not list((tmp_path / "run").iterdir())  # nothing of the run left: no partial table, no temporary file


@pytest.mark.parametrize("entry", ["report", "brief"])
def test_a_report_or_brief_that_cannot_be_written_says_so_in_one_line(tiny_sweep, entry, monkeypatch, capsys):
    """Issue 20: the report and the brief of a sweep on a read-only disk ended in tracebacks."""
    from analysis import brief, report

    module = {"report": report, "brief": brief}[entry]

    def read_only(path, write):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path.parent / f".{path.name}.0.tmp"))

    monkeypatch.setattr(module, "atomic_write", read_only)
    assert module.main([str(tiny_sweep)]) == 2
    written = tiny_sweep / ("report.html" if entry == "report" else brief.BRIEF)
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"{entry}: cannot write {written}: Read-only file system")


@pytest.fixture
def small_disk(tmp_path):
    """Mount a file system of 120 KB at a new directory (root only; skipped where mount is not allowed): yields a
    function that mounts it (``options``: e.g. ``ro``) and returns the directory; it is unmounted after the test."""
    mounted = []

    def mount(options: str = "rw") -> Path:
        where = tmp_path / f"disk{len(mounted)}"
        where.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"{options},size=120k", "tmpfs", str(where)],
                              capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot mount a small file system here: {done.stderr.strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", str(where)], check=True)


def _sweep_on(sweep_dir: Path, launcher: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "experiments.run", "--multirun", "+experiment=policy_comparison_chance",
                           "seed=0,1", "posterior=median", *TINY, f"hydra/launcher={launcher}",
                           f"hydra.sweep.dir={sweep_dir}"], cwd=REPO, capture_output=True, text=True,
                          timeout=HANG_SECONDS)


@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_a_full_or_read_only_disk_ends_a_sweep_in_one_line(small_disk, launcher):
    """Issue 20, on real file systems: a read-only sweep directory gave a 30-line Hydra traceback, a full disk 8
    tracebacks in 239 lines.  Each now ends the sweep with one line naming the path and the system's reason."""
    read_only = small_disk("ro")
    done = _sweep_on(read_only / "sweep", launcher)
    assert (done.returncode, done.stderr) == (1, f"error: {read_only / 'sweep'}: Read-only file system\n")

    full = small_disk()
    done = _sweep_on(full / "sweep", launcher)
    log = done.stdout + done.stderr
    assert done.returncode == 1 and "Traceback" not in log and "Logging error" not in log, log
    failed = re.fullmatch(rf"error: ({re.escape(str(full))}/sweep/\S+): No space left on device",
                          done.stderr.strip().splitlines()[-1])
    assert failed, log
    if launcher == "basic":  # (joblib kills the jobs still running when one fails: they leave what a kill leaves)
        assert not list(full.rglob(".*.tmp"))  # no half-written file anywhere
        # the run that did not fit left no lock (the runs before it that fitted are complete and keep theirs)
        assert all(store.is_complete(lock.parent) for lock in full.rglob(outputs.LOCK))
        run_dir = next((d for d in Path(failed.group(1)).parents if d.name.startswith("seed=")), None)
        assert run_dir is None or not (run_dir / outputs.LOCK).exists()
