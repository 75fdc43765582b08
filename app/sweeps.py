"""The app's sweeps on disk: start one in a worker process, cancel it, read how far it has got, list them.

A sweep lives in ``<results>/<sweep id>/``: its ``plan.json`` (:mod:`app.plan`), a directory per run
(``policy-<k>/seed=<s>/``, written by ``experiments.run.run``), ``worker.json`` (the worker's process id),
``worker.log``, ``status.json`` once it has ended, the report, ``report.html``, and the decision brief's page,
``brief.html``.  Everything the page
shows is read from there, so a sweep can be followed from any tab, after a reload, or by a server
started later.

Whether the worker is still running is told by a lock, as ``experiments.store.claim`` tells a run that
is being written: the server takes ``worker.lock`` (``fcntl.flock``) before it starts the worker and
hands the locked file to it, so the lock is held exactly as long as the worker lives (the kernel releases
it however the process ends), with no moment between the start and the worker taking it itself.  A thread of
the server waits for each worker it started, so a worker that ends is reaped at once, whether or not a page
follows its sweep (no zombie until the server stops).

Nothing here reaches outside ``<results>``: a sweep is named by its id, which must be one the app made and a
directory of ``<results>`` (:func:`directory_of`), never by a path; a sweep is cancelled only if ``worker.json``
names a process that is its own worker (its command line says so); and a sweep whose files cannot be read is
shown as unreadable (:class:`Unreadable`), never an error of the server.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analysis.brief import BRIEF
from analysis.sweep import FAILED
from experiments.store import REPO
from experiments.warmups import RESTORED
from model.outputs import METADATA, atomic_write, is_complete

from .plan import SWEEP_ID, Plan, PlanError, load_plan

WORKER, WORKER_LOCK, WORKER_LOG, STATUS, REPORT = (
    "worker.json", "worker.lock", "worker.log", "status.json", "report.html")
ERROR = FAILED  # a failed run's one-line error, which the report names too
RUNNING, FINISHED, CANCELLED, STOPPED = "running", "finished", "cancelled", "stopped"
CANCEL_WAIT_SECONDS = 30  # a killed worker is gone at once; only a machine at a standstill waits this long
log = logging.getLogger(__name__)


class Unreadable(ValueError):
    """A sweep id the app did not offer, or a sweep whose files cannot be read (one line, shown in the page)."""


def directory_of(results: Path, sweep_id: object) -> Path:
    """The directory of the sweep ``sweep_id``: an id the app made (:data:`app.plan.SWEEP_ID`) naming a directory of
    ``results``; anything else (a path, ``..``, an id of no sweep here) raises :class:`Unreadable`."""
    if not isinstance(sweep_id, str) or not SWEEP_ID.fullmatch(sweep_id):
        raise Unreadable("no such sweep")
    path = Path(results) / sweep_id
    if path.is_symlink() or not path.is_dir():
        raise Unreadable(f"no sweep {sweep_id} here")
    return path


def default_results() -> Path:
    """Where the app keeps its sweeps: ``APP_RESULTS_DIR``, or ``results/app`` in the project."""
    return Path(os.environ.get("APP_RESULTS_DIR") or REPO / "results" / "app")


def start(results: Path, plan: Plan) -> subprocess.Popen:
    """Store ``plan`` in its sweep directory and start its worker (``python -m app.worker``) in a session of
    its own, holding the sweep's worker lock; returns the worker process.  If anything fails (the disk is full,
    the directory read-only) the worker, if started, is killed, the new directory removed, and OSError raised:
    a sweep is started whole or not at all."""
    directory = (Path(results) / plan.sweep_id).resolve()
    directory.mkdir(parents=True)
    worker = None
    try:
        plan.save(directory)
        fd = os.open(directory / WORKER_LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # a new directory: nobody else holds it
            with open(directory / WORKER_LOG, "ab") as worker_log:
                worker = subprocess.Popen([sys.executable, "-m", "app.worker", str(directory)], cwd=REPO,
                                          stdin=subprocess.DEVNULL, stdout=worker_log, stderr=subprocess.STDOUT,
                                          pass_fds=(fd,), start_new_session=True)
        finally:
            os.close(fd)  # the worker's copy of the open file keeps the lock
        atomic_write(directory / WORKER, lambda path: path.write_text(json.dumps({"pid": worker.pid})))
    except BaseException:
        if worker is not None:
            with suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        shutil.rmtree(directory, ignore_errors=True)
        raise
    threading.Thread(target=worker.wait, name=f"reap {plan.sweep_id}", daemon=True).start()
    return worker


def is_running(sweep_dir: Path) -> bool:
    """Whether the sweep's worker is alive (it holds the worker lock)."""
    try:
        fd = os.open(Path(sweep_dir) / WORKER_LOCK, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def cancel(sweep_dir: Path, worker: subprocess.Popen | None = None) -> None:
    """Stop the sweep's worker and mark the sweep cancelled; the runs it finished stay (a run it was writing
    is left incomplete, and its lock is released with the process).

    The worker's whole session is killed (it and anything it started), and the call returns once the
    worker lock is free, so the worker is gone.  ``worker``, if this process started it, is reaped.
    """
    sweep_dir = Path(sweep_dir)
    if not is_running(sweep_dir):
        return
    pid = _worker_pid(sweep_dir)
    if pid is None:
        log.warning("%s: %s does not name this sweep's worker; nothing killed", sweep_dir, WORKER)
        return
    try:
        os.killpg(pid, signal.SIGKILL)  # the worker leads its own session (start_new_session)
    except ProcessLookupError:
        pass  # it ended meanwhile
    if worker is not None:
        try:
            worker.wait(CANCEL_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            pass  # the lock below says whether it has gone
    deadline = time.monotonic() + CANCEL_WAIT_SECONDS
    while is_running(sweep_dir):  # its lock is free once the worker's copy is closed: it has exited
        if time.monotonic() > deadline:
            log.warning("%s: the worker (session %d) still holds its lock after SIGKILL", sweep_dir, pid)
            return
        time.sleep(0.05)
    if not (sweep_dir / STATUS).exists():  # it may have finished just before
        write_status(sweep_dir, CANCELLED)


def _worker_pid(sweep_dir: Path) -> int | None:
    """The process id in the sweep's ``worker.json`` if that process is the sweep's worker, leading its own session
    (its command line is ``python -m app.worker <this sweep's directory>``); else None."""
    try:
        pid = json.loads((sweep_dir / WORKER).read_text())["pid"]
        if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 1 or os.getsid(pid) != pid:
            return None
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pid if command[1:4] == [b"-m", b"app.worker", os.fsencode(sweep_dir.resolve())] else None


def write_status(sweep_dir: Path, state: str, error: str | None = None) -> None:
    """Record how the sweep ended (``FINISHED`` or ``CANCELLED``), with a one-line error if its report failed."""
    atomic_write(Path(sweep_dir) / STATUS, lambda path: path.write_text(json.dumps({"state": state, "error": error})))


@dataclass(frozen=True)
class Timing:
    """How long a complete run took (``seconds`` in its ``metadata.json``), and whether it simulated its warm-up
    (rather than restoring one another run of its replicate simulated)."""

    seconds: float
    simulated_warmup: bool


@dataclass(frozen=True)
class Progress:
    """How far a sweep has got, read from its directory."""

    plan: Plan
    state: str  # RUNNING, FINISHED, CANCELLED, or STOPPED (the worker ended without saying how)
    done: int  # runs complete
    failed: tuple[str, ...]  # one line per failed run: which policy and seed, and its error
    error: str | None  # the sweep's own error (its report could not be written)
    has_report: bool
    has_brief: bool
    timings: tuple[Timing, ...] = ()  # of the complete runs whose metadata says it
    ended: frozenset[int] = frozenset()  # the runs complete or failed, by index in Plan.runs
    since: float | None = None  # when the last run ended, or the worker started (seconds since the epoch)

    @property
    def total(self) -> int:
        return len(self.plan.cells) * len(self.plan.posteriors) * self.plan.seeds

    @property
    def count_ended(self) -> int:
        """Runs complete or failed: the progress bar's value."""
        return self.done + len(self.failed)


def progress(sweep_dir: Path) -> Progress:
    """How far the sweep in ``sweep_dir`` has got (the state is read before the runs, so a sweep read as
    ended has all its runs counted); a sweep whose files cannot be read raises :class:`Unreadable`."""
    sweep_dir = Path(sweep_dir)
    try:
        plan = load_plan(sweep_dir)
        running = is_running(sweep_dir)
        status = _status(sweep_dir)
        done, failed, timings, ended = 0, [], [], set()
        since = _modified(sweep_dir / WORKER)
        for k, run in enumerate(plan.runs(sweep_dir)):
            if is_complete(run.directory):
                done += 1
                timing = _timing(run.directory / METADATA, _modified(run.directory / METADATA))
                if timing is not None:
                    timings.append(Timing(*timing))
            elif (run.directory / ERROR).exists():
                error = (run.directory / ERROR).read_text(errors="replace").strip().splitlines() or [""]
                failed.append(f"{plan.run_title(run)}: {error[0][:300]}")
            else:
                continue
            ended.add(k)
            since = max(filter(None, (since, _modified(run.directory / METADATA), _modified(run.directory / ERROR))),
                        default=None)
    except (OSError, PlanError) as error:
        raise Unreadable(str(error) if isinstance(error, PlanError) else f"{error.strerror}: {error.filename}") from None
    state = RUNNING if running else status["state"] if status else STOPPED
    return Progress(plan, state, done, tuple(failed), status.get("error") if status else None,
                    (sweep_dir / REPORT).is_file(), (sweep_dir / BRIEF).is_file(), tuple(timings), frozenset(ended), since)


def _modified(path: Path) -> float | None:
    """When ``path`` was last written (seconds since the epoch), or None if it is not there."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return None


@lru_cache(maxsize=8192)
def _timing(metadata: Path, _modified: float | None) -> tuple[float, bool] | None:
    """(seconds, whether it simulated its warm-up) from a complete run's ``metadata.json`` (read once per version of
    the file), or None if it does not say."""
    try:
        meta = json.loads(metadata.read_text())
        return float(meta["seconds"]), meta.get("warmup") != RESTORED
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _status(sweep_dir: Path) -> dict | None:
    """How the sweep ended (``status.json``), or None if it has not said; a file not as written raises Unreadable."""
    if not (sweep_dir / STATUS).exists():
        return None
    try:
        status = json.loads((sweep_dir / STATUS).read_text())
    except ValueError as error:
        raise Unreadable(f"{STATUS} cannot be read: {error}") from None
    if not (isinstance(status, dict) and status.get("state") in (FINISHED, CANCELLED)
            and isinstance(status.get("error"), (str, type(None)))):
        raise Unreadable(f"{STATUS} is not a sweep's status")
    return status


@dataclass(frozen=True)
class Listed:
    """A sweep under the results directory: its plan, or why it cannot be read."""

    sweep_id: str
    plan: Plan | None
    error: str | None


def past_sweeps(results: Path) -> list[Listed]:
    """Every sweep under ``results`` (each directory named by a sweep id), newest first, unreadable ones included."""
    listed = []
    for path in Path(results).iterdir():
        if SWEEP_ID.fullmatch(path.name) and path.is_dir() and not path.is_symlink():
            try:
                listed.append(Listed(path.name, load_plan(path), None))
            except PlanError as error:
                listed.append(Listed(path.name, None, str(error)))
    return sorted(listed, key=lambda entry: entry.sweep_id, reverse=True)
