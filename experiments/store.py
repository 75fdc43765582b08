"""Results store: one directory per run, written atomically, with full provenance.

A run directory holds the files named in ``model.outputs``: ``steps.parquet`` (per week),
``neighbourhoods.parquet`` (per neighbourhood every few weeks), ``summary.parquet`` (one row),
``config.yaml`` (the fully resolved config) and ``metadata.json`` (seed, package versions, git
revision, host, numba threads, how the warm-up was got, timings).  Every file is written to a temporary name and renamed into
place, and ``metadata.json`` is written last: a run is complete exactly when it exists, so a killed run
leaves no partial Parquet and a restarted sweep redoes only what is missing.  A complete run is verified
before it is skipped (:func:`finished_with`): a damaged one is named and simulated again.  A process
simulates and writes a run only while it holds the run's lock (:func:`claim`), so sweeps started into one
directory at once split the runs between them; a run that fails leaves no lock behind.  A write that fails
raises OSError naming the file and the system's reason (:func:`written`), a full disk as "No space left on
device" whatever the Parquet writer said, so the run ends in one line.
"""

from __future__ import annotations

import dataclasses
import errno
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
from typing import Any, Callable, Iterator

import numba
import polars as pl
import yaml

from analysis.sweep_design import differences
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


def finished_with(run_dir: Path, resolved_config: dict, labels: dict | None = None) -> bool:
    """Whether ``run_dir`` holds a finished, whole run (or experiment) of exactly ``resolved_config``, which can
    then be skipped; ``labels``, a run's labels (:func:`run_labels`), are checked against its metadata.

    A finished run is verified before it is skipped: its ``metadata.json`` and ``config.yaml`` must parse, its
    metadata must name this run, and every table its metadata lists must read whole (``steps`` a row per week,
    ``summary`` one row).
    A damaged run is named in a warning and is not finished, so it is simulated again: one damaged run never
    stops a sweep, and none is left out of its report every time.  A whole finished run of any other config
    raises :class:`ConfigError` naming the fields that differ: skipping it would report results of a config
    nobody asked for, and replacing it would lose them.  A run finished at another git revision is reused with
    a warning (the revision is in its metadata), and the settings in ``HOW_NOT_WHAT`` are not compared.
    """
    run_dir = Path(run_dir)
    if not is_complete(run_dir):
        return False
    try:
        stored, meta = _parsed(run_dir / CONFIG, yaml.safe_load), _parsed(run_dir / METADATA, json.loads)
    except ValueError as damage:
        return _damaged(run_dir, str(damage))
    changed = [f"{key}: {old!r} -> {new!r}" for key, old, new in differences(stored, resolved_config, HOW_NOT_WHAT)]
    if changed:
        shown = "; ".join(changed[:3]) + (f"; and {len(changed) - 3} more" if len(changed) > 3 else "")
        raise ConfigError(f"{run_dir} already holds a finished run of another config ({shown}); give this run "
                          f"its own directory (hydra.sweep.dir=... or hydra.run.dir=...) or move that run away")
    damage = _unlike(meta, labels or {}) or _unreadable_tables(run_dir, meta, stored)
    if damage:
        return _damaged(run_dir, damage)
    current = git_revision()
    if meta.get("git_revision", "unknown") != current:
        log.warning("reusing %s, finished at git revision %s (the code is now at %s)", run_dir,
                    meta.get("git_revision", "unknown"), current)
    return True


def _parsed(path: Path, parse: Callable[[str], Any]) -> dict:
    """The mapping stored in ``path``; anything else raises ValueError saying what is wrong with it."""
    try:
        value = parse(path.read_text())
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ValueError(f"{path.name} cannot be read: {type(error).__name__}: {_first_line(error)}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path.name} holds {type(value).__name__}, not a mapping")
    return value


def _unlike(meta: dict, labels: dict) -> str | None:
    """How the metadata's run labels differ from the run's (labels it predates are not asked for), or None."""
    for key, value in labels.items():
        if key in meta and meta[key] != value:
            return f"{METADATA} names {key}={meta[key]!r}, the run is {key}={value!r}"
    return None


def _unreadable_tables(run_dir: Path, meta: dict, config: dict) -> str | None:
    """What is wrong with the tables the metadata lists (missing, truncated, unreadable, of the wrong length), or
    None.  Metadata that lists no files (written before it did) has the tables present checked."""
    names = meta.get("files", [path.name for path in run_dir.glob("*.parquet")])
    if not isinstance(names, list) or not all(isinstance(name, str) and "/" not in name for name in names):
        return f"{METADATA} lists no files"
    rows = {STEPS: config.get("weeks"), SUMMARY: 1}
    for name in (name for name in names if name.endswith(".parquet")):
        try:
            height = pl.read_parquet(run_dir / name).height
        except FileNotFoundError:
            return f"{name} is missing"
        except Exception as error:  # noqa: BLE001 - whatever polars or the file system says, the table is not whole
            return f"{name} cannot be read: {type(error).__name__}: {_first_line(error)}"
        if name in rows and height != rows[name]:
            return f"{name} has {height} rows, not {rows[name]}"
    return None


def _damaged(run_dir: Path, damage: str) -> bool:
    log.warning("%s is damaged (%s): simulating it again", run_dir, damage)
    return False


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [""])[0]


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
    A block that ends without a complete run (the run failed) leaves nothing of its own behind: its
    temporary files, the lock file and, if nothing else is in it, the run's directory are removed, still
    under the lock (a process that was waiting for that lock file locks the new one instead).

    The lock is ``fcntl.flock`` on the run's ``.lock`` file, chosen because the kernel releases it
    however its holder ends (SIGKILL, a cancelled SLURM task), so a dead sweep never leaves a run
    claimed, and on NFS Linux takes it on the server, so it holds between machines.  The filelock
    package calls flock too, but where flock is missing falls back quietly to a marker file whose
    staleness it must judge from a recorded pid and host; here such a filesystem stops the sweep.
    """
    run_dir = Path(run_dir)
    fd = _lock(run_dir)
    if fd is None:
        yield False  # held exclusively: a writer
        return
    try:
        yield True
    finally:
        try:
            if not is_complete(run_dir):
                _clear(run_dir)
        finally:
            os.close(fd)  # releases the lock


def _lock(run_dir: Path) -> int | None:
    """A descriptor of ``run_dir``'s lock file holding it exclusively, or None if a writer holds it."""
    while True:
        run_dir.mkdir(parents=True, exist_ok=True)
        try:  # RDWR: NFS's flock needs it for an exclusive lock
            fd = os.open(run_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        except FileNotFoundError:
            continue  # the directory was cleared meanwhile (a failed run's): make it again
        try:
            if not _flock(fd, run_dir, fcntl.LOCK_EX | fcntl.LOCK_NB):
                if not _flock(fd, run_dir, fcntl.LOCK_SH | fcntl.LOCK_NB):
                    os.close(fd)
                    return None
                _flock(fd, run_dir, fcntl.LOCK_EX)  # shared only by waiters; converting waits for them
        except BaseException:
            os.close(fd)
            raise
        if _is_current(fd, run_dir / LOCK):
            return fd
        os.close(fd)  # the file was removed while this process waited for it: lock the one there now


def _is_current(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _clear(run_dir: Path) -> None:
    """Remove what a failed attempt at a run left of its own: temporary files, the lock file and, if nothing else is
    there, the directory (tables already written stay, so the report names the run as incomplete)."""
    for stale in run_dir.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    (run_dir / LOCK).unlink(missing_ok=True)
    if not any(run_dir.iterdir()):
        run_dir.rmdir()


def wait_for_writers(root: str | Path) -> None:
    """Wait until no other process is writing a run under ``root``.

    A sweep calls this when it ends, before its report, so the runs its jobs left to another sweep
    are in it.  Each wait is logged, and so is how it ended: the run complete, or left incomplete
    because the process writing it stopped (the report names it; a sweep started again simulates it).
    """
    for lock in sorted(Path(root).rglob(LOCK)):
        run_dir = lock.parent
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            continue  # its writer failed and cleared it meanwhile
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


# A write that fails (polars's own errors included) with less than this free beside the file failed for want of
# space: polars says "File out of specification" or "Invalid thrift" rather than the system's ENOSPC.
_FULL_BELOW = 1 << 20


def written(path: Path, write: Callable[[Path], Any]) -> None:
    """``model.outputs.atomic_write(path, write)``; a failure raises OSError naming ``path`` and the system's
    reason (a full disk as "No space left on device", whatever the writer said), for a one-line message."""
    def checked(tmp: Path) -> None:
        try:
            write(tmp)
        except Exception as error:
            stats = os.statvfs(tmp.parent)
            if stats.f_bavail * stats.f_frsize < _FULL_BELOW:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path)) from error
            raise

    try:
        atomic_write(path, checked)
    except OSError as error:
        raise OSError(error.errno, error.strerror or str(error), str(path)) from error


def os_error_text(error: OSError) -> str:
    """An OSError in one line: the file and the system's reason (``/x/steps.parquet: No space left on device``)."""
    reason = error.strerror or str(error)
    return f"{error.filename}: {reason}" if error.filename else reason


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
        written(out_dir / name, frame.write_parquet)
    written(out_dir / CONFIG, lambda p: p.write_text(yaml.safe_dump(resolved_config, sort_keys=False)))
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
    written(out_dir / METADATA, lambda p: p.write_text(json.dumps(meta, indent=2)))
