"""Results store: one directory per run, written atomically, with full provenance.

A run directory holds the files named in ``model.outputs``: ``steps.parquet`` (per week),
``neighbourhoods.parquet`` (per neighbourhood every few weeks), ``summary.parquet`` (one row),
``config.yaml`` (the fully resolved config) and ``metadata.json`` (seed, package versions, git
revision, host, numba threads, how the warm-up was got, timings).  Every file is written to a temporary name and renamed into
place, and ``metadata.json`` is written last: a run is complete exactly when it exists, so a killed run
leaves no partial Parquet and a restarted sweep redoes only what is missing.  A process simulates and
writes a run only while it holds the run's lock (:func:`claim`), so sweeps started into one directory
at once split the runs between them.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
import os
import platform
import subprocess
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Iterator

import numba
import polars as pl
import yaml

from model.outputs import CONFIG, HOODS, LOCK, METADATA, STEPS, SUMMARY, atomic_write, is_complete
from model.components import Params
from model.levers import RUN_LEVERS
from model.params import ConfigError
from model.simulation import Results
from model.summary import summarise

PACKAGES = ("community-resilience-abm", "mesa", "numpy", "numba", "polars", "pyarrow", "plotly", "hydra-core", "omegaconf")
REPO = Path(__file__).resolve().parents[1]
log = logging.getLogger(__name__)


# Settings of how a run is computed, never of what it computes: a finished run is reused whatever they were (or
# without them, if it was stored before they existed). Results depend neither on the thread count nor on whether
# the warm-up was restored (tests/test_warmup_sharing.py).
HOW_NOT_WHAT = ("output.skip_complete", "output.share_warmup", "output.numba_threads")


def finished_with(run_dir: Path, resolved_config: dict) -> bool:
    """Whether ``run_dir`` holds a finished run of exactly ``resolved_config``, which can then be skipped.

    A finished run of any other config raises :class:`ConfigError` naming the fields that differ:
    skipping it would report results of a config nobody asked for, and replacing it would lose them.
    A run finished at another git revision is reused with a warning (the revision is in its metadata), and
    the settings in ``HOW_NOT_WHAT`` are not compared.
    """
    run_dir = Path(run_dir)
    if not is_complete(run_dir):
        return False
    try:
        stored = yaml.safe_load((run_dir / CONFIG).read_text())
        revision = json.loads((run_dir / METADATA).read_text()).get("git_revision", "unknown")
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ConfigError(f"{run_dir} holds a finished run whose {CONFIG} or {METADATA} cannot be read "
                          f"({type(error).__name__}); move that run away or give this one its own directory") from None
    changed = [f"{key}: {old!r} -> {new!r}" for key, old, new in _differences(stored, resolved_config)
               if key not in HOW_NOT_WHAT]
    if changed:
        shown = "; ".join(changed[:3]) + (f"; and {len(changed) - 3} more" if len(changed) > 3 else "")
        raise ConfigError(f"{run_dir} already holds a finished run of another config ({shown}); give this run "
                          f"its own directory (hydra.sweep.dir=... or hydra.run.dir=...) or move that run away")
    current = git_revision()
    if revision != current:
        log.warning("reusing %s, finished at git revision %s (the code is now at %s)", run_dir, revision, current)
    return True


def _differences(stored: Any, wanted: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """(dotted key, stored value, wanted value) for every leaf where two nested configs differ."""
    if isinstance(stored, dict) and isinstance(wanted, dict):
        return [difference for key in sorted(stored.keys() | wanted.keys(), key=str)
                for difference in _differences(stored.get(key, _MISSING), wanted.get(key, _MISSING),
                                               f"{prefix}.{key}" if prefix else str(key))]
    return [] if stored == wanted else [(prefix or "config", stored, wanted)]


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


_MISSING = _Missing()


# What a job of ``experiments.run`` did with its run; it returns one, and ``experiments.progress`` logs it.
SIMULATED, SKIPPED, ELSEWHERE = "simulated", "skipped", "elsewhere"  # elsewhere: another process was writing it


@contextmanager
def claim(run_dir: Path) -> Iterator[bool]:
    """Hold the lock of ``run_dir`` for the block: yields True, or False if another process is writing the run.

    A job simulates and writes a run only while it holds the run's lock, and leaves a run another
    process is writing to it: two sweeps started into one directory at once split the runs between
    them, and since a job asks whether its run is complete only while holding the lock, none is
    simulated twice.  Writers hold the lock exclusively; a sweep waiting for them when it ends
    (:func:`wait_for_writers`) takes it shared, only to learn that it is free, so a job whose
    exclusive try fails but which can share the lock has met such a waiter and waits its moment.

    The lock is ``fcntl.flock`` on the run's ``.lock`` file, chosen because the kernel releases it
    however its holder ends (SIGKILL, a cancelled SLURM task), so a dead sweep never leaves a run
    claimed, and on NFS Linux takes it on the server, so it holds between machines.  The filelock
    package calls flock too, but where flock is missing falls back quietly to a marker file whose
    staleness it must judge from a recorded pid and host; here such a filesystem stops the sweep.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(run_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o666)  # RDWR: NFS's flock needs it for an exclusive lock
    try:
        if _flock(fd, run_dir, fcntl.LOCK_EX | fcntl.LOCK_NB):
            yield True
        elif not _flock(fd, run_dir, fcntl.LOCK_SH | fcntl.LOCK_NB):
            yield False  # held exclusively: a writer
        else:  # shared only by waiters; converting waits for them (or for a writer that got in first)
            yield _flock(fd, run_dir, fcntl.LOCK_EX)
    finally:
        os.close(fd)  # releases the lock


def wait_for_writers(root: str | Path) -> None:
    """Wait until no other process is writing a run under ``root``.

    A sweep calls this when it ends, before its report, so the runs its jobs left to another sweep
    are in it.  Each wait is logged, and so is how it ended: the run complete, or left incomplete
    because the process writing it stopped (the report names it; a sweep started again simulates it).
    """
    for lock in sorted(Path(root).rglob(LOCK)):
        run_dir = lock.parent
        fd = os.open(lock, os.O_RDWR)
        try:
            if _flock(fd, run_dir, fcntl.LOCK_SH | fcntl.LOCK_NB):
                continue
            log.info("waiting for %s: another process is writing it", run_dir)
            _flock(fd, run_dir, fcntl.LOCK_SH)
        finally:
            os.close(fd)
        if is_complete(run_dir):
            log.info("%s is complete: written by another process", run_dir)
        else:
            log.warning("%s is incomplete: the process writing it stopped before it finished; "
                        "start the sweep again to simulate it", run_dir)


def _flock(fd: int, run_dir: Path, operation: int) -> bool:
    """``fcntl.flock(fd, operation)``; False if a non-blocking ``operation`` would have to wait."""
    try:
        fcntl.flock(fd, operation)
        return True
    except BlockingIOError:
        return False
    except OSError as error:
        raise ConfigError(f"{run_dir / LOCK} cannot be locked ({error.strerror}); put hydra.sweep.dir "
                          f"on a filesystem with file locks (flock)") from None


def git_revision() -> str:
    """The project's git commit (with ``-dirty`` if the tree has changes), or ``unknown``."""
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True,
                               text=True, check=True).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_labels(params: Params) -> dict:
    """The values that identify a run in a sweep (``analysis.sweep.RUN_KEYS``, in that order): where, which
    shock, which front door, and the levers a decomposition varies with it (``model.levers.RUN_LEVERS``), then
    the replicate: the posterior member and the seed."""
    config = dataclasses.asdict(params)
    return {"population": params.population.name, "scenario": params.scenario.name, "policy": params.policy.name,
            **{lever.name: lever.value(config) for lever in RUN_LEVERS}, "member": int(params.posterior.member),
            "seed": int(params.seed)}


_LABEL_TYPES = {**{lever.name: pl.Float64 for lever in RUN_LEVERS if lever.kind is float},
                "member": pl.Int64, "seed": pl.Int64}


def _labelled(frame: pl.DataFrame, params: Params) -> pl.DataFrame:
    """Prefix a table with the columns that identify its run, so a sweep can be scanned as one table."""
    return frame.select(
        *[pl.lit(value, dtype=_LABEL_TYPES.get(name, pl.String)).alias(name) for name, value in run_labels(params).items()],
        pl.all(),
    )


def write_run(run_dir: Path, results: Results, params: Params, resolved_config: dict, started: datetime,
              provenance: dict | None = None) -> None:
    """Write a finished run's tables, config and provenance (plus ``provenance``, e.g. how its warm-up was got)
    into ``run_dir`` atomically."""
    tables = {
        STEPS: _labelled(results.steps, params),
        HOODS: _labelled(results.neighbourhoods, params),
        SUMMARY: _labelled(summarise(results.steps), params),
    }
    write_result(run_dir, tables, resolved_config, run_labels(params), started, provenance)


def write_result(out_dir: Path, tables: dict[str, pl.DataFrame], resolved_config: dict, labels: dict,
                 started: datetime, provenance: dict | None = None) -> None:
    """Write Parquet ``tables`` (file name -> frame), the resolved config and provenance into ``out_dir``.

    Every file is written atomically and ``metadata.json`` (``labels`` plus git revision, package
    versions, timings and any further ``provenance``) last, so ``out_dir`` is complete exactly when it
    exists.  Temporary files left by an earlier attempt that was killed are removed first.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / METADATA).unlink(missing_ok=True)  # incomplete until metadata is rewritten
    for stale in out_dir.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    for name, frame in tables.items():
        atomic_write(out_dir / name, frame.write_parquet)
    atomic_write(out_dir / CONFIG, lambda p: p.write_text(yaml.safe_dump(resolved_config, sort_keys=False)))
    finished = datetime.now(timezone.utc)
    meta = {
        **labels,
        "git_revision": git_revision(),
        "packages": package_versions(),
        "host": platform.node(),  # where it ran: sweeps may spread over processes and machines
        "numba_threads": numba.get_num_threads(),  # results do not depend on it; timings do
        **(provenance or {}),
        "started": started.isoformat(),
        "finished": finished.isoformat(),
        "seconds": (finished - started).total_seconds(),
        "files": sorted(tables) + [CONFIG],
    }
    atomic_write(out_dir / METADATA, lambda p: p.write_text(json.dumps(meta, indent=2)))
