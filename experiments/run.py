"""Run one simulation: ``python -m experiments.run [hydra overrides]``.

Writes Parquet tables, the resolved config and provenance into the Hydra run
directory (see ``experiments.store``).  With ``--multirun`` it sweeps, e.g.
``python -m experiments.run --multirun policy=service_first,community_first seed=0,1,2``;
runs already complete are skipped, so an interrupted sweep can simply be restarted, and a run
another process is writing (a second sweep into the same directory) is left to it
(``experiments.store.claim``).
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from experiments import store
from experiments.cli import run_app
from model import ConfigError, params_from_dict
from model.simulation import ResilienceModel

log = logging.getLogger(__name__)
logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO


def run(cfg: DictConfig, run_dir: Path) -> str:
    """Validate ``cfg``, simulate and store the run in ``run_dir``; returns what was done (``store.SIMULATED``,
    ``store.SKIPPED`` if already complete, ``store.ELSEWHERE`` if another process is writing it)."""
    resolved = OmegaConf.to_container(cfg, resolve=True)
    resolved.pop("hydra", None)
    params = params_from_dict(resolved)
    with store.claim(run_dir) as claimed:
        if not claimed:
            log.info("another process is writing %s: left to it", run_dir)
            return store.ELSEWHERE
        if cfg.output.skip_complete and store.finished_with(run_dir, resolved):
            log.info("already complete, skipped: %s", run_dir)
            return store.SKIPPED
        started = datetime.now(timezone.utc)
        results = ResilienceModel(params, hood_every=cfg.output.hood_every).run()
        store.write_run(run_dir, results, params, resolved, started)
    log.info("wrote %s", run_dir)
    return store.SIMULATED


@hydra.main(version_base=None, config_path="../configs", config_name="config")
def main(cfg: DictConfig) -> str:
    try:
        return run(cfg, Path(HydraConfig.get().runtime.output_dir))
    except ConfigError as error:
        sys.exit(f"config error: {error}")


if __name__ == "__main__":
    run_app(main)
