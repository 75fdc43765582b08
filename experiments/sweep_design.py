"""A sweep directory belongs to one sweep design (``analysis.sweep_design``): claimed when a sweep starts, refused to
another.

The design of a sweep is the config its jobs share: the sweep's config as Hydra composes it before any job
(every value given once on the command line or by the preset, the axes left at their defaults), resolved,
without what its axes set run by run and without the settings of how a run is computed
(``experiments.store.HOW_NOT_WHAT``).  What an axis sets: a value axis (``seed=0,1``, ``weeks=26,52``) its key;
a config group (``policy=...``) its package (``policy``; ``review@policy.review`` its own); a group whose files
write at the top level (``posterior``) every key its files set; and then every key whose value is interpolated
from one of those (``policy.mobilisation: ${posterior.mobilisation}``).  The preset's axes
(``hydra.sweeper.params``) count as axes even where the command line gives them one value, so a preset's sweep
of ``seed=0`` and then of ``seed=1`` share a directory.

The first sweep into a directory stores its design there (``design.yaml``), created whole or not at all (a
link of a complete file, so of two sweeps started at once exactly one creates it).  A later sweep of the same
design goes on (two identical sweeps at once split the runs, ``experiments.store.claim``; a sweep with more
seeds extends the runs); one of another design is refused in one line naming the first key that differs,
before it writes anything.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf

from analysis.sweep_design import DESIGN, SweepDesign, read_design
from model.config import CONFIG_DIR
from model.params import ConfigError

from .settings import resolved_config
from .store import HOW_NOT_WHAT, written

_REFERENCE = re.compile(r"\$\{([A-Za-z_][\w.]*)\}")  # ${key} inside an interpolation (resolver arguments too)


def of_sweep(config: DictConfig) -> SweepDesign:
    """The design of the multirun whose composed config (Hydra's node included) is ``config``."""
    texts = [f"{key}={value}" for key, value in (config.hydra.sweeper.get("params") or {}).items()]
    preset_axes = {str(key) for key in (config.hydra.sweeper.get("params") or {})}
    varies = set(HOW_NOT_WHAT)
    for override in OverridesParser.create().parse_overrides(texts + list(config.hydra.overrides.task)):
        if override.is_sweep_override() or override.key_or_group in preset_axes:
            varies |= _set_by(override)
    unresolved = OmegaConf.to_container(OmegaConf.masked_copy(config, [key for key in config if key != "hydra"]))
    varies |= _interpolated_from(_leaves(unresolved), varies)
    return SweepDesign(tuple(sorted(varies)), _without(resolved_config(config), varies))


def claim(sweep_dir: Path, design: SweepDesign) -> None:
    """Store ``design`` in ``sweep_dir`` if it holds none; else refuse, with a one-line ConfigError naming the first
    key that differs, a design other than the one stored.  A directory that cannot be written raises OSError."""
    sweep_dir = Path(sweep_dir)
    sweep_dir.mkdir(parents=True, exist_ok=True)
    text = (f"# The design of the sweep in this directory (experiments/sweep_design.py): every run here shares `config`\n"
            f"# and may differ only in the keys under `varies`. A sweep of another design is refused.\n"
            + yaml.safe_dump({"varies": list(design.varies), "config": design.config}, sort_keys=False))
    staged = sweep_dir / f".{DESIGN}.{os.getpid()}.tmp"
    try:
        written(staged, lambda path: path.write_text(text))  # also shows that the directory can be written
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(sweep_dir)) from error
    try:
        os.link(staged, sweep_dir / DESIGN)  # atomic, and fails if another sweep's design is already there
        return
    except FileExistsError:
        pass
    finally:
        staged.unlink(missing_ok=True)
    try:
        stored = read_design(sweep_dir / DESIGN)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    found = stored.difference(design.config, design.varies)
    if found:
        key, old, new = found
        raise ConfigError(f"{sweep_dir} holds the runs of another sweep design ({key}: {old!r} -> {new!r}); give "
                          f"this sweep its own directory (hydra.sweep.dir=...) or move that sweep's runs and its "
                          f"{DESIGN} away")


def _set_by(override) -> set[str]:
    """The config keys an axis sets (module docstring)."""
    name = override.key_or_group
    group = CONFIG_DIR / name
    if not group.is_dir():
        return {name}
    if override.package:
        return {override.package}
    files = sorted(group.glob("*.yaml"))
    if any(path.read_text().startswith("# @package _global_") for path in files):
        return {key for path in files for key in _leaves(yaml.safe_load(path.read_text()) or {})
                if key.split(".")[0] not in ("defaults", "hydra")}
    return {name.replace("/", ".")}


def _interpolated_from(leaves: dict[str, Any], varies: set[str]) -> set[str]:
    """The keys whose values are interpolated, directly or through others, from a key under ``varies``."""
    found: set[str] = set()
    while True:
        covered = varies | found
        more = {key for key, value in leaves.items() if key not in found and isinstance(value, str)
                and any(_under(reference, covered) for reference in _REFERENCE.findall(value))}
        if not more:
            return found
        found |= more


def _under(key: str, prefixes: set[str]) -> bool:
    return any(key == prefix or key.startswith(f"{prefix}.") for prefix in prefixes)


def _leaves(node: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf of a nested mapping by its dotted key."""
    if not isinstance(node, dict):
        return {prefix: node}
    return {key: value for name, child in node.items()
            for key, value in _leaves(child, f"{prefix}.{name}" if prefix else str(name)).items()}


def _without(node: Any, keys: set[str], prefix: str = "") -> Any:
    """``node`` without the keys in ``keys`` and everything under them."""
    if not isinstance(node, dict):
        return node
    kept = {}
    for name, child in node.items():
        key = f"{prefix}.{name}" if prefix else str(name)
        if key not in keys:
            kept[name] = _without(child, keys, key)
    return kept
