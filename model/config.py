"""Compose the project's Hydra configs outside a Hydra app (tests, benchmarks, notebooks)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, OmegaConf

from .params import Params, params_from_dict

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"


def compose_config(overrides: Sequence[str] = ()) -> DictConfig:
    """The composed config for ``overrides`` (Hydra override syntax, e.g. ``policy=service_first``)."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        return compose(config_name="config", overrides=list(overrides))


def load_params(overrides: Sequence[str] = ()) -> Params:
    """Validated parameters for ``overrides``."""
    return params_from_dict(OmegaConf.to_container(compose_config(overrides), resolve=True))
