"""Compose the project's Hydra configs outside a Hydra app (tests, benchmarks, notebooks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import CompactHydraException, MissingConfigException
from omegaconf import DictConfig, OmegaConf

from .area import run_name
from .components import Params, params_from_dict
from .params import ConfigError

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"

# population=area names its runs by the area (configs/population/area.yaml); plain values, not nodes, reach run_name.
OmegaConf.register_new_resolver(
    "area_name", lambda code, csv: run_name(OmegaConf.to_object(code) if OmegaConf.is_config(code) else code, csv),
    replace=True)


def compose_config(overrides: Sequence[str] = (), config_name: str = "config") -> DictConfig:
    """The composed config for ``overrides`` (Hydra override syntax, e.g. ``policy=service_first``);
    ``config_name`` picks another primary config of ``configs/`` (e.g. ``sensitivity``)."""
    try:
        if GlobalHydra.instance().is_initialized():  # inside a Hydra app (it composes from configs/ too)
            return compose(config_name=config_name, overrides=list(overrides))
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
            return compose(config_name=config_name, overrides=list(overrides))
    except CompactHydraException as error:
        raise composition_error(error) from error


def composition_error(error: CompactHydraException) -> ConfigError:
    """Hydra's multi-line composition error as a one-line ConfigError; an unknown option lists the valid ones."""
    if isinstance(error, MissingConfigException) and error.options and error.missing_cfg_file:
        group, _, option = error.missing_cfg_file.rpartition("/")
        return ConfigError(f"{group}={option} is not an option; choose one of: {', '.join(error.options)}")
    first_lines = [(str(e).splitlines() or [type(e).__name__])[0] for e in (error, error.__cause__) if e]
    parts = [getattr(error, "override", None), *first_lines]
    return ConfigError(": ".join(part.rstrip(".") for part in parts if part))


def load_params(overrides: Sequence[str] = ()) -> Params:
    """Validated parameters for ``overrides``."""
    return params_from_dict(OmegaConf.to_container(compose_config(overrides), resolve=True))


def params_with(config: Mapping[str, Any], values: Mapping[str, float], seed: int) -> Params:
    """Validated parameters of an unresolved composed ``config`` with ``values`` (dotted name -> value) and ``seed``.

    The values are set before the config is resolved, so a value reaches every field that takes it by
    interpolation and no other: ``posterior.mobilisation`` reaches a community-first preset (``policy.mobilisation:
    ${posterior.mobilisation}``) and leaves service_first's 0 alone, as a run named ``posterior=member_NNN`` does.
    The one rule for experiments that vary parameters (calibration, sensitivity); a name the config does not
    hold raises ConfigError("not a model parameter"), a value the model refuses its one-line error.
    """
    cfg = OmegaConf.create(dict(config))
    for name, value in values.items():
        if OmegaConf.select(cfg, name) is None:
            raise ConfigError("not a model parameter")
        OmegaConf.update(cfg, name, float(value))
    cfg.seed = seed
    return params_from_dict(OmegaConf.to_container(cfg, resolve=True))
