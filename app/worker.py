"""The worker of one app sweep: ``python -m app.worker <sweep dir>``, started by :func:`app.sweeps.start`.

It simulates every run of the sweep's plan (``plan.json``) with the project's runner,
``experiments.run.run``, into the run's own directory, seed by seed, so the page can draw every policy
as soon as its first seed is done.  Runs are stored as the command line stores them (atomic files,
``metadata.json`` last, a run lock; a complete run is skipped), and a seed's policies share its warm-up
(simulated by the first, restored by the others from the sweep's ``warmups/``, ``experiments.warmups``).
A run that fails leaves its error, one line, in ``error.txt`` in its directory (the whole traceback goes
to ``worker.log``) and the worker goes on with the others.  When every run has ended it writes the report (``analysis.report``, which names
any run left out), the decision brief's page (``analysis.brief``, which the page shows) and ``status.json``.  It runs as a process of its own, so a simulation never holds up
the server, and cancelling kills it (:func:`app.sweeps.cancel`).
"""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

from analysis.brief import write_brief
from analysis.report import write_report
from analysis.sweep import SweepError, SweepWarning
from experiments.run import run
from experiments.warmups import STORE
from model.outputs import atomic_write, is_complete

from .choices import composed
from .plan import load_plan
from .sweeps import ERROR, FINISHED, write_status

log = logging.getLogger("app.worker")


def run_sweep(sweep_dir: Path) -> None:
    """Simulate every run of the plan in ``sweep_dir``, then write its report, its brief and its status."""
    sweep_dir = Path(sweep_dir)
    plan = load_plan(sweep_dir)
    runs = plan.runs(sweep_dir)
    for k, (cell, posterior, seed, run_dir) in enumerate(runs, start=1):
        which = plan.run_title(runs[k - 1])
        try:
            outcome = run(composed(plan.run_overrides(cell, posterior, seed)), run_dir, sweep_dir / STORE)
        except Exception as error:  # noqa: BLE001 - any failure of one run is shown and the others go on
            log.exception("[%d/%d] failed: %s", k, len(runs), which)
            line = f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}"
            run_dir.mkdir(parents=True, exist_ok=True)
            atomic_write(run_dir / ERROR, lambda path: path.write_text(line + "\n"))
            continue
        log.info("[%d/%d] %s: %s", k, len(runs), outcome, which)
    error = None
    if any(is_complete(run.directory) for run in runs):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SweepWarning)  # the report names every run left out
                log.info("report written: %s", write_report(sweep_dir))
                log.info("brief written: %s", write_brief(sweep_dir))
        except (SweepError, OSError) as failure:
            error = f"the report could not be written: {failure}"
            log.exception(error)
    else:
        error = "no run finished, so there is no report"
    write_status(sweep_dir, FINISHED, error)


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("MESA").setLevel(logging.WARNING)
    run_sweep(Path(argv[0]))


if __name__ == "__main__":
    main(sys.argv[1:])
