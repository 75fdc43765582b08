"""Agent-based model of community resilience and adult social care demand."""

import os

# numba's OpenMP threads sleep instead of spinning while they wait at the end of a parallel loop.
# On a shared machine (or a sweep running several models at once) a spinning thread waits for a
# descheduled partner: a 2-thread run on a busy 2-core machine took 12x longer (benchmarks/results.md).
# Read when the first parallel kernel starts; an explicit setting in the environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .components import Params, params_from_dict
from .params import ConfigError
from .simulation import ResilienceModel, Results, simulate

__all__ = ["ConfigError", "Params", "ResilienceModel", "Results", "params_from_dict", "simulate"]
