"""The sampled parameters of a sensitivity experiment (``sensitivity.parameters``), and the scale each is sampled on.

Each parameter is ``section -> field -> [low, high]``, sampled uniformly in its value, or ``[low, high, log]``,
sampled uniformly in the logarithm (base 10) of its value, as the calibration's ``log`` priors are: a range
over orders of magnitude (how fast the encouragement to ask fades: 5 weeks to 4 years) sampled in its value
would put almost every sample at its top.  SALib designs and analyses work in the sampled *coordinate* (the
value, or its logarithm); the model and ``runs.parquet`` take the value.  This module is the one place that
rule lives: the experiment turns coordinates into values, the analyses turn stored values back into
coordinates, so Morris steps and the thirds of a range are the same for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from model.params import ConfigError

LOG = "log"


@dataclass(frozen=True)
class Axis:
    """One sampled parameter: dotted name, range of its value, and whether it is sampled in the logarithm."""

    name: str
    low: float
    high: float
    log: bool

    @property
    def bounds(self) -> list[float]:
        """The range in the sampled coordinate (SALib's bounds)."""
        return [float(np.log10(self.low)), float(np.log10(self.high))] if self.log else [self.low, self.high]

    def coordinate(self, values: np.ndarray) -> np.ndarray:
        """Sampled coordinates of model values."""
        values = np.asarray(values, dtype=float)
        return np.log10(values) if self.log else values

    def value(self, coordinates: np.ndarray) -> np.ndarray:
        """Model values of sampled coordinates."""
        coordinates = np.asarray(coordinates, dtype=float)
        return 10.0 ** coordinates if self.log else coordinates

    def position(self, values: np.ndarray) -> np.ndarray:
        """Where values lie in the range, 0 (low) to 1 (high), in the sampled coordinate."""
        low, high = self.bounds
        return (self.coordinate(values) - low) / (high - low)

    def describe(self) -> str:
        """The range in words, e.g. ``0.005 to 0.2 (log scale)``."""
        return f"{self.low:g} to {self.high:g}" + (" (log scale)" if self.log else "")


def axes(parameters: Any) -> list[Axis]:
    """The axes of ``sensitivity.parameters`` in their order; a malformed entry is a one-line ConfigError naming it."""
    if not isinstance(parameters, Mapping) or not all(isinstance(v, Mapping) for v in parameters.values()):
        raise ConfigError("sensitivity.parameters must map sections to fields to [low, high] or [low, high, log], "
                          "e.g. needs: {onset_weekly: [0.0015, 0.0035]}")
    found = []
    for section, fields in parameters.items():
        for field, bound in fields.items():
            found.append(_axis(f"{section}.{field}", bound))
    return found


def _axis(name: str, bound: Any) -> Axis:
    path = f"sensitivity.parameters.{name}"
    numbers = list(bound[:2]) if isinstance(bound, Sequence) and not isinstance(bound, str) else []
    scale = list(bound[2:]) if numbers else []
    if (len(numbers) != 2 or scale not in ([], [LOG])
            or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in numbers)
            or not numbers[0] < numbers[1] or (scale and numbers[0] <= 0)):
        raise ConfigError(f"{path}={_shown(bound)} must be [low, high] or [low, high, log] with low < high "
                          "(and low > 0 on a log scale)")
    return Axis(name, float(numbers[0]), float(numbers[1]), bool(scale))


def _shown(bound: Any) -> str:
    return repr(list(bound)) if isinstance(bound, Sequence) and not isinstance(bound, str) else repr(bound)


def problem(space: Sequence[Axis]) -> dict:
    """The SALib problem: names and bounds in the sampled coordinates."""
    return {"num_vars": len(space), "names": [a.name for a in space], "bounds": [a.bounds for a in space]}
