"""What a user can pick in the app: areas, scenarios, policy presets with their levers, review practices.

Everything is read from ``configs/`` (the config groups of ``experiments.run``), so a preset or scenario
added there appears in the app without a change here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from omegaconf import DictConfig, OmegaConf

from analysis.figures import label
from model import area
from model.config import CONFIG_DIR, compose_config, load_params
from model.components import Params
from model.levers import FORM_LEVERS

_HYDRA = threading.Lock()  # Hydra composes in one global state, and the server answers requests in threads


def composed(overrides: Sequence[str] = ()) -> DictConfig:
    """``model.config.compose_config``, one composition at a time."""
    with _HYDRA:
        return compose_config(overrides)


def validated(overrides: Sequence[str]) -> Params:
    """``model.config.load_params`` (raises its one-line ``ConfigError``), one composition at a time; the parameters of
    overrides checked before are remembered (the page checks the form again as it is edited, and ``configs/`` does
    not change while the server runs)."""
    return _validated(tuple(overrides))


@lru_cache(maxsize=4096)
def _validated(overrides: tuple[str, ...]) -> Params:
    with _HYDRA:
        return load_params(overrides)


@dataclass(frozen=True)
class Area:
    """A place the model can build: what the user reads (and searches) and the Hydra overrides that build it."""

    key: str  # the picker's value, unique among areas
    name: str
    overrides: tuple[str, ...]


def areas() -> dict[str, Area]:
    """Every area the app offers, by key, in the order shown: the generated towns (``configs/population/``),
    then every English district and county by name and code (``population=area area.code=<code>``,
    ``model/area.py``); the picker searches the name.  The plan, the worker and the page take areas only
    from here."""
    presets = {name: Area(name, f"{label(name)} (population preset)", (f"population={name}",))
               for name in _options("population") if name != area.AREA}
    real = {f"{area.AREA}-{code}": Area(f"{area.AREA}-{code}",
                                        f"{name} ({code}{f', {n} districts' if n > 1 else ''})",
                                        (f"population={area.AREA}", f"area.code={code}"))
            for code, name, n in area.authorities()}
    return {**presets, **real}


def area_options(search: str | None = None) -> list[dict]:
    """The area picker's options; for a ``search`` that no area's name or code contains (word by word, as the picker
    searches), the closest names and codes (``model.area.closest``, which the command line's error suggests) carry
    ``search`` as a search term, so the picker offers them for a misspelling ('Shropshre' finds Shropshire)."""
    offered = areas()
    options = [{"label": a.name, "value": a.key} for a in offered.values()]
    words = (search or "").lower().split()
    if not words or any(all(word in f"{a.name} {a.key}".lower() for word in words) for a in offered.values()):
        return options
    close = {f"{area.AREA}-{code}" for code in map(area.code_of, area.closest(search)) if code}
    return [{**option, "search": search} if option["value"] in close else option for option in options]


def members() -> list[str]:
    """The posterior ensemble's members (``configs/posterior/member_NNN.yaml``), in order: a sweep over n members runs
    the first n, as the main job runs the first 80."""
    return [name for name in _options("posterior") if name.startswith("member_")]


def scenarios() -> list[str]:
    """The scenarios (``configs/scenario/``), the status quo's ``baseline`` first."""
    return sorted(_options("scenario"), key=lambda name: (name != "baseline", name))


def reviews() -> list[str]:
    """The review practices (``configs/review/``)."""
    return _options("review")


def presets() -> list[str]:
    """The policy presets (``configs/policy/``), the status quo ``service_first`` first."""
    return sorted(_options("policy"), key=lambda name: (name != "service_first", name != "community_first", name))


@dataclass(frozen=True)
class Levers:
    """The levers the app lets a user change on a policy (``model.levers.FORM_LEVERS``), at a preset's values,
    and the programmes the preset runs."""

    staff_fte_per_10k: float
    review: str
    builder_coverage: float
    community_capacity: float
    programmes: frozenset = frozenset()


@lru_cache(maxsize=None)
def preset_levers(preset: str) -> Levers:
    """The levers as ``configs/policy/<preset>.yaml`` (and the town's own community) set them."""
    config = OmegaConf.to_container(composed([f"policy={preset}"]), resolve=True)
    return Levers(**{lever.name: lever.value(config) for lever in FORM_LEVERS},
                  programmes=frozenset(config["policy"].get("programmes") or {}))


def _options(group: str) -> list[str]:
    return sorted(path.stem for path in (CONFIG_DIR / group).glob("*.yaml"))
