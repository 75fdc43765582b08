"""Progress of a Hydra multirun: one log line per finished run, and a closing tally.

Each line shows ``k/N`` runs done, whether this run was simulated, skipped (already complete, so a
restarted sweep shows what it did not redo), left to another process writing it (``elsewhere``: a
second sweep into the same directory) or failed, and an estimate of the time left from the runs
simulated so far.  When the sweep ends it waits for the runs other processes are still writing
(``experiments.store.wait_for_writers``) and then logs its tally, and how the runs it left ended.
Enabled for every multirun in ``configs/config.yaml`` (``hydra.callbacks``).

Launchers that run jobs in other processes (joblib, Ray, submitit) give each job a copy of this
callback: there a job logs ``[job j/N] simulated|skipped|elsewhere <run dir>`` where it runs (joblib: this
console; Ray: this console, prefixed by the worker; submitit: the job's log in
``<sweep dir>/.submitit/``), and the closing tally counts the completion markers the jobs wrote, so
there a run another sweep wrote while this one ran counts as simulated (the job's line says otherwise).
"""

from __future__ import annotations

import logging
import os
import platform
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.utils import JobReturn, JobStatus
from hydra.experimental.callback import Callback
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from omegaconf import DictConfig

from experiments import store
from model.outputs import METADATA, is_complete

log = logging.getLogger(__name__)


def count_jobs(config: DictConfig) -> int | None:
    """Number of jobs the basic sweeper will launch for ``config``, or None if it cannot be told
    beforehand (e.g. ``glob()`` sweeps, which need the config loader, or another sweeper plugin)."""
    jobs = job_overrides(config)
    return None if jobs is None else len(jobs)


def job_overrides(config: DictConfig) -> list[list[str]] | None:
    """The overrides of every job the basic sweeper will launch for ``config``, in its order, or None if they
    cannot be told beforehand (as :func:`count_jobs`)."""
    params = [f"{key}={value}" for key, value in (config.hydra.sweeper.get("params") or {}).items()]
    try:
        overrides = OverridesParser.create().parse_overrides(params + list(config.hydra.overrides.task))
        return [job for batch in BasicSweeper.split_arguments(overrides, None) for job in batch]
    except Exception:  # noqa: BLE001 - only a nicety and a first check; the sweep itself reports bad overrides
        return None


def _finished_at(run_dir: Path) -> float | None:
    """Modification time of the run's completion marker, or None if the run is not complete."""
    marker = Path(run_dir) / METADATA
    return marker.stat().st_mtime_ns if marker.is_file() else None


def _markers(sweep_dir: str) -> dict[Path, int]:
    """Modification time of every completion marker in the sweep directory, by run directory."""
    return {marker.parent: marker.stat().st_mtime_ns for marker in Path(sweep_dir).rglob(METADATA)}


def _this_process() -> tuple[str, int]:
    return platform.node(), os.getpid()


def _clock(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))


class SweepProgress(Callback):
    """Logs ``[k/N] simulated|skipped|elsewhere|failed <run dir>`` after each job of a multirun."""

    def __init__(self) -> None:
        self.total: int | None = None
        self.counts = {"simulated": 0, "skipped": 0, "elsewhere": 0, "failed": 0}
        self.elsewhere: list[Path] = []  # runs this process's jobs left to another process writing them
        self.simulating_seconds = 0.0
        self._sweep_started = 0.0
        self._job_started = 0.0
        self._marker_before: float | None = None
        self._markers_before: dict[Path, int] = {}
        self._multirun = False
        self._launcher: tuple[str, int] | None = None  # the process that runs the sweep

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._multirun = True
        self._launcher = _this_process()
        self.total = count_jobs(config)
        self._sweep_started = time.monotonic()
        self._markers_before = _markers(config.hydra.sweep.dir)
        log.info("sweep of %s runs into %s", self.total if self.total is not None else "?", config.hydra.sweep.dir)

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._job_started = time.monotonic()
        self._marker_before = _finished_at(config.hydra.runtime.output_dir)

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        if not self._multirun:
            return
        run_dir = Path(config.hydra.runtime.output_dir)
        seconds = time.monotonic() - self._job_started
        if job_return.status != JobStatus.COMPLETED:
            outcome = "failed"
        elif job_return.return_value in (store.SIMULATED, store.SKIPPED, store.ELSEWHERE):
            outcome = job_return.return_value  # what experiments.run did
        elif self._marker_before is not None and _finished_at(run_dir) == self._marker_before:
            outcome = "skipped"  # another app's job (e.g. a calibration trial): told by its completion marker
        else:
            outcome = "simulated"
        where = _relative(run_dir, config.hydra.sweep.dir)
        if outcome == "elsewhere":
            where += ", being written by another process (waited for when the sweep ends)"
        if _this_process() != self._launcher:  # a worker's copy: it sees this job only
            line = f"[job {config.hydra.job.num + 1}/{self.total or '?'}] {outcome:9s} {where} ({seconds:.1f} s)"
            (log.warning if outcome == "failed" else log.info)(line)
            return
        if outcome == "simulated":
            self.simulating_seconds += seconds
        elif outcome == "elsewhere":
            self.elsewhere.append(run_dir)
        self.counts[outcome] += 1
        done = sum(self.counts.values())
        line = f"[{done}/{self.total or '?'}] {outcome:9s} {where} ({seconds:.1f} s)"
        if self.total and self.counts["simulated"] and done < self.total:
            per_run = self.simulating_seconds / self.counts["simulated"]
            line += f", at most {_clock(per_run * (self.total - done))} left"
        (log.warning if outcome == "failed" else log.info)(line)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        store.wait_for_writers(config.hydra.sweep.dir)  # unless the report's callback already did
        if not any(self.counts.values()):  # the jobs ran in worker processes
            self._count_markers(config.hydra.sweep.dir)
        c = self.counts
        log.info("sweep finished in %s: %d simulated, %d skipped (already complete), %d failed; results in %s",
                 _clock(time.monotonic() - self._sweep_started), c["simulated"], c["skipped"], c["failed"],
                 config.hydra.sweep.dir)
        if self.elsewhere:
            incomplete = [str(run) for run in self.elsewhere if not is_complete(run)]
            (log.warning if incomplete else log.info)(
                "%d run(s) left to another process writing them: %d complete, %d incomplete%s",
                len(self.elsewhere), len(self.elsewhere) - len(incomplete), len(incomplete),
                f" (the process stopped; start the sweep again to simulate them): {', '.join(incomplete)}"
                if incomplete else "")

    def _count_markers(self, sweep_dir: str) -> None:
        """Tally jobs that ran in worker processes from the completion markers they wrote or left alone.

        Hydra's sweepers stop before this callback when a job failed, so every job of the sweep
        completed: those whose marker is new or rewritten were simulated, the rest skipped (if the
        number of jobs is unknown, the runs whose marker is unchanged are taken as skipped).
        """
        before, after = self._markers_before, _markers(sweep_dir)
        simulated = sum(before.get(run) != stamp for run, stamp in after.items())
        unchanged = len(after) - simulated
        self.counts["simulated"] = simulated
        self.counts["skipped"] = self.total - simulated if self.total is not None else unchanged


def _relative(run_dir: Path, sweep_dir: str) -> str:
    try:
        return str(run_dir.relative_to(Path(sweep_dir).resolve()))
    except ValueError:
        return str(run_dir)
