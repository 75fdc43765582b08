"""Hydra callback: when a multirun ends, write its comparison report (``analysis.report``) into the sweep directory.

Enabled by the experiment presets (``configs/experiment/``), so one command runs a sweep and leaves
``<sweep dir>/report.html``; a sweep with failed runs stops before this, and its report can be built
later with ``python -m analysis.report <sweep dir>``.  Whatever the launcher (joblib, Ray, submitit),
it runs in the process that launched the sweep once every job has finished, so the sweep directory must
be readable there (a filesystem shared with the Ray or SLURM nodes).  It first waits for the runs other
processes are still writing into the directory (``experiments.store.wait_for_writers``: a second sweep
started into it), so the report holds them; a run whose writer stopped is named in it as incomplete.  A report
that cannot be written (no usable run, runs of two designs, a read-only or full disk) is logged as one error
line saying how to write it later; the runs stay.
"""

from __future__ import annotations

import logging
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from analysis.report import write_report
from analysis.sweep import SweepError
from experiments import store

log = logging.getLogger(__name__)


class WriteReport(Callback):
    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        store.wait_for_writers(config.hydra.sweep.dir)
        try:
            out = write_report(config.hydra.sweep.dir)
        except (SweepError, OSError) as error:  # one line; the runs are kept, and the report can be written later
            reason = f"cannot write it: {error.strerror or error}" if isinstance(error, OSError) else str(error)
            log.error("no report: %s (python -m analysis.report %s writes it)", reason, config.hydra.sweep.dir)
            return
        log.info("report written: %s", out)
