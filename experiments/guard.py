"""Checks before a run or a sweep writes anything: a Hydra callback (``hydra.callbacks.guard``, configs/config.yaml).

A run's config is checked (``experiments.run.checked``: every model value, the output settings and the sizes
they imply) before Hydra makes the run's directory, and a sweep's first job's the same way before Hydra makes
the sweep's, so a refused run or sweep leaves nothing behind.  A key added to Hydra's settings that Hydra does not
declare is refused (``experiments.settings.check_hydra_keys``).  A sweep then claims its directory for its design
(``experiments.sweep_design``): a sweep of another design is refused, and so is a directory that cannot be written
(read-only, or full), before any job starts.  Each refusal is one line and exit status 1: Hydra only warns about
an exception raised in a callback, so the guard ends the program itself.  A swept value the first job does not
have is checked by its own job (``experiments.run.main``), also in one line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from model.config import compose_config
from model.params import ConfigError

from . import sweep_design
from .progress import job_overrides
from .run import checked
from .settings import check_hydra_keys
from .store import os_error_text


class Guard(Callback):
    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        _or_exit(lambda: (check_hydra_keys(config), checked(config)))

    def on_multirun_start(self, config: DictConfig, config_name: str | None = None, **kwargs: Any) -> None:
        def check() -> None:
            check_hydra_keys(config)
            jobs = job_overrides(config)
            if jobs:
                checked(compose_config(jobs[0], config_name or "config"))
            sweep_design.claim(Path(config.hydra.sweep.dir), sweep_design.of_sweep(config))

        _or_exit(check)


def _or_exit(check: Callable[[], Any]) -> None:
    try:
        check()
    except ConfigError as error:
        sys.exit(f"config error: {error}")
    except OSError as error:
        sys.exit(f"error: {os_error_text(error)}")
