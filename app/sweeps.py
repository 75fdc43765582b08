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
it however the process ends), with no moment between the start and the worker taking it itself.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from analysis.brief import BRIEF
from experiments.store import REPO
from model.outputs import atomic_write, is_complete

from .plan import PLAN, Plan, load_plan

WORKER, WORKER_LOCK, WORKER_LOG, STATUS, REPORT, ERROR = (
    "worker.json", "worker.lock", "worker.log", "status.json", "report.html", "error.txt")
RUNNING, FINISHED, CANCELLED, STOPPED = "running", "finished", "cancelled", "stopped"
CANCEL_WAIT_SECONDS = 30  # a killed worker is gone at once; only a machine at a standstill waits this long


def default_results() -> Path:
    """Where the app keeps its sweeps: ``APP_RESULTS_DIR``, or ``results/app`` in the project."""
    return Path(os.environ.get("APP_RESULTS_DIR") or REPO / "results" / "app")


def start(results: Path, plan: Plan) -> subprocess.Popen:
    """Store ``plan`` in its sweep directory and start its worker (``python -m app.worker``) in a session of
    its own, holding the sweep's worker lock; returns the worker process."""
    sweep_dir = Path(results) / plan.sweep_id
    sweep_dir.mkdir(parents=True)
    plan.save(sweep_dir)
    fd = os.open(sweep_dir / WORKER_LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a new directory: nobody else holds it
        with open(sweep_dir / WORKER_LOG, "ab") as log:
            worker = subprocess.Popen([sys.executable, "-m", "app.worker", str(sweep_dir)], cwd=REPO,
                                      stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                      pass_fds=(fd,), start_new_session=True)
    finally:
        os.close(fd)  # the worker's copy of the open file keeps the lock
    atomic_write(sweep_dir / WORKER, lambda path: path.write_text(json.dumps({"pid": worker.pid})))
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
    pid = json.loads((sweep_dir / WORKER).read_text())["pid"]
    try:
        os.killpg(pid, signal.SIGKILL)  # the worker leads its own session (start_new_session)
    except ProcessLookupError:
        pass  # it ended meanwhile
    if worker is not None:
        worker.wait(CANCEL_WAIT_SECONDS)
    fd = os.open(sweep_dir / WORKER_LOCK, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # returns once the worker's copy is closed: it has exited
    finally:
        os.close(fd)
    if not (sweep_dir / STATUS).exists():  # it may have finished just before
        write_status(sweep_dir, CANCELLED)


def write_status(sweep_dir: Path, state: str, error: str | None = None) -> None:
    """Record how the sweep ended (``FINISHED`` or ``CANCELLED``), with a one-line error if its report failed."""
    atomic_write(Path(sweep_dir) / STATUS, lambda path: path.write_text(json.dumps({"state": state, "error": error})))


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

    @property
    def total(self) -> int:
        return len(self.plan.arms) * self.plan.seeds

    @property
    def ended(self) -> int:
        """Runs complete or failed: the progress bar's value."""
        return self.done + len(self.failed)


def progress(sweep_dir: Path) -> Progress:
    """How far the sweep in ``sweep_dir`` has got (the state is read before the runs, so a sweep read as
    ended has all its runs counted)."""
    sweep_dir = Path(sweep_dir)
    plan = load_plan(sweep_dir)
    running = is_running(sweep_dir)
    status = json.loads((sweep_dir / STATUS).read_text()) if (sweep_dir / STATUS).exists() else None
    state = RUNNING if running else status["state"] if status else STOPPED
    done, failed = 0, []
    for arm, seed, run_dir in plan.runs(sweep_dir):
        if is_complete(run_dir):
            done += 1
        elif (run_dir / ERROR).exists():
            failed.append(f"policy {arm + 1} ({plan.arms[arm].title}), seed {seed}: {(run_dir / ERROR).read_text().strip()}")
    return Progress(plan, state, done, tuple(failed), status.get("error") if status else None,
                    (sweep_dir / REPORT).is_file(), (sweep_dir / BRIEF).is_file())


def past_sweeps(results: Path) -> list[Plan]:
    """The plans of every sweep under ``results``, newest first."""
    plans = [load_plan(path.parent) for path in Path(results).glob(f"*/{PLAN}")]
    return sorted(plans, key=lambda plan: plan.sweep_id, reverse=True)
