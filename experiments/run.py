"""Run one simulation: ``python -m experiments.run [hydra overrides]``.

Writes Parquet tables, the resolved config and provenance into the Hydra run
directory (see ``experiments.store``).  With ``--multirun`` it sweeps, e.g.
``python -m experiments.run --multirun policy=service_first,community_first seed=0,1,2``;
runs already complete are skipped, so an interrupted sweep can simply be restarted, and a run
another process is writing (a second sweep into the same directory) is left to it
(``experiments.store.claim``).  Runs that share a warm-up (every policy of one town, seed and set of
parameters) simulate it once and restore it after (``experiments.warmups``: the sweep's store is
``<sweep dir>/warmups/``), and ``output.numba_threads`` sets numba's threads (the presets that run one job
per core, ``configs/launch/cores.yaml``, set 1).
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone
from pathlib import Path

import hydra
import numba
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from experiments import store
from experiments.cli import run_app
from experiments.settings import Output, output_settings, resolved_config
from experiments.warmups import STORE, warmed_up
from model import ConfigError, params_from_dict
from model.components import Params

log = logging.getLogger(__name__)


def run(cfg: DictConfig, run_dir: Path, warmups: Path | None = None) -> str:
    """Validate ``cfg``, simulate and store the run in ``run_dir``; returns what was done (``store.SIMULATED``,
    ``store.SKIPPED`` if already complete, ``store.ELSEWHERE`` if another process is writing it).

    ``warmups`` is the warm-up store the run shares (``experiments.warmups``; None, or
    ``output.share_warmup=false``: none).
    """
    resolved, params, output = checked(cfg)
    use_threads(output.numba_threads)
    with store.claim(run_dir) as claimed:
        if not claimed:
            log.info("another process is writing %s: left to it", run_dir)
            return store.ELSEWHERE
        if output.skip_complete and store.finished_with(run_dir, resolved, store.run_labels(params)):
            log.info("already complete, skipped: %s", run_dir)
            return store.SKIPPED
        started = datetime.now(timezone.utc)
        model, warmup = warmed_up(params, output.hood_every, warmups if output.share_warmup else None)
        results = model.run()
        store.write_run(run_dir, results, params, resolved, started, provenance=warmup)
    log.info("wrote %s (warm-up %s)", run_dir, warmup["warmup"])
    return store.SIMULATED


def checked(cfg: DictConfig) -> tuple[dict, Params, Output]:
    """The run's resolved config (without Hydra's node), its parameters and its output settings, every value
    checked (``model.params``, ``experiments.settings``) before anything is built or written: a mistake raises
    a one-line ConfigError."""
    resolved = resolved_config(cfg)
    params = params_from_dict(resolved)
    return resolved, params, output_settings(resolved.get("output"), params)


def use_threads(threads: int | None) -> None:
    """Run numba on ``threads`` threads (``output.numba_threads``, checked by :func:`checked`); None leaves numba's
    own count (every core, or NUMBA_NUM_THREADS).  numba can lower its count but never raise it above
    NUMBA_NUM_THREADS, which it reads when it starts (joblib's workers get the cores divided by the workers)."""
    if threads is not None:
        numba.set_num_threads(threads)


def warmup_store() -> Path:
    """The warm-up store of this Hydra run: ``<sweep dir>/warmups`` in a multirun, shared by its runs, else
    ``results/warmups`` (so single runs of one town, one policy after another, share theirs)."""
    hydra_cfg = HydraConfig.get()
    return Path(hydra_cfg.sweep.dir if hydra_cfg.mode == RunMode.MULTIRUN else "results") / STORE


@hydra.main(version_base=None, config_path="../configs", config_name="config")
def main(cfg: DictConfig) -> str:
    # Mesa logs every step at INFO. Set here, in the job, not at import: a launcher's worker process gets this
    # function by value (it is __main__'s), without running this module's top level.
    logging.getLogger("MESA").setLevel(logging.WARNING)
    logging.raiseExceptions = False  # on a full disk the run's own error names it once, not a traceback a log line
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        return run(cfg, run_dir, warmup_store())
    except ConfigError as error:  # a swept value the guard did not see (it checks the sweep's first job)
        _clear_refused(run_dir)
        sys.exit(f"config error: {error}")
    except OSError as error:
        sys.exit(f"error: {store.os_error_text(error)}")


def _clear_refused(run_dir: Path) -> None:
    """Remove what Hydra made for a run refused before it began: its empty log file and, up to the sweep's
    directory, the directories left empty."""
    hydra_cfg = HydraConfig.get()
    log_file = run_dir / f"{hydra_cfg.job.name}.log"
    if log_file.is_file() and not log_file.stat().st_size:
        log_file.unlink()
    root = Path(hydra_cfg.sweep.dir if hydra_cfg.mode == RunMode.MULTIRUN else run_dir.parent).resolve()
    for directory in (run_dir, *run_dir.parents):
        if directory == root or not directory.is_relative_to(root) or any(directory.iterdir()):
            return
        directory.rmdir()


if __name__ == "__main__":
    run_app(main)
