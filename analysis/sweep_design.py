"""A sweep's design: what every run of one sweep shares, stored beside its runs as ``design.yaml``.

A sweep directory holds the runs of one design.  ``experiments.sweep_design`` writes ``design.yaml`` when the first
sweep into a directory starts, and refuses a later sweep into it whose design differs, naming the first key
that does; ``analysis.sweep.open_sweep`` refuses to read a run whose config differs from it, so a report never
mixes runs of two designs.  The file holds:

- ``varies``: the config keys that may differ from run to run: what the sweep's axes set (``seed``, ``policy``,
  every key a ``posterior`` member sets, and any key that takes its value from one of them by interpolation),
  and the settings of how a run is computed, not what (``output.skip_complete``, ...);
- ``config``: the resolved config without them, the same in every run of the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

DESIGN = "design.yaml"


@dataclass(frozen=True)
class SweepDesign:
    """The keys a sweep's runs may differ in (dotted, e.g. ``policy`` or ``needs.onset_weekly``), and the config
    every run shares outside them."""

    varies: tuple[str, ...]
    config: dict

    def difference(self, config: dict, varies: Iterable[str] = ()) -> tuple[str, Any, Any] | None:
        """The first key, outside ``self.varies`` and ``varies``, where ``config`` differs from this design:
        (key, this design's value, ``config``'s), or None."""
        found = differences(self.config, config, ignore=(*self.varies, *varies))
        return found[0] if found else None


def differences(stored: Any, wanted: Any, ignore: Iterable[str] = (), prefix: str = "") -> list[tuple[str, Any, Any]]:
    """(dotted key, stored value, wanted value) for every leaf where two nested configs differ, in key order,
    leaving out the keys in ``ignore`` and everything under them."""
    ignore = tuple(ignore)
    if prefix and any(prefix == key or prefix.startswith(f"{key}.") for key in ignore):
        return []
    if isinstance(stored, dict) and isinstance(wanted, dict):
        return [difference for key in sorted(stored.keys() | wanted.keys(), key=str)
                for difference in differences(stored.get(key, MISSING), wanted.get(key, MISSING), ignore,
                                              f"{prefix}.{key}" if prefix else str(key))]
    return [] if stored == wanted else [(prefix or "config", stored, wanted)]


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


MISSING = _Missing()  # a key one config has and the other has not


def design_file(root: Path) -> Path | None:
    """The ``design.yaml`` of the sweep ``root`` belongs to: in ``root``, or in the directory above it (a level of
    the break-even sweep, ``mobilisation=<level>/``, is read as a sweep of its own); None if there is none (a
    sweep started before designs were stored, or an app sweep, whose ``plan.json`` fixes its design)."""
    for directory in (root, root.resolve().parent):
        if (directory / DESIGN).is_file():
            return directory / DESIGN
    return None


def read_design(path: Path) -> SweepDesign:
    """The design stored in ``path``; a file that cannot be read or is not a design raises a one-line ValueError."""
    try:
        stored = yaml.safe_load(Path(path).read_text())
        if not (isinstance(stored, dict) and isinstance(stored.get("config"), dict)
                and isinstance(stored.get("varies"), list) and all(isinstance(key, str) for key in stored["varies"])):
            raise ValueError("not a design (varies: a list of keys, config: a mapping)")
    except (OSError, ValueError, yaml.YAMLError) as error:
        reason = (str(error).splitlines() or [""])[0]
        raise ValueError(f"{path} cannot be read ({type(error).__name__}: {reason}); move it away if every run beside "
                         f"it is of the sweep you mean") from None
    return SweepDesign(tuple(stored["varies"]), stored["config"])
