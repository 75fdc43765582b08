"""Agent-based model of community resilience and adult social care demand."""

from .params import ConfigError, Params, params_from_dict
from .simulation import ResilienceModel, Results, simulate

__all__ = ["ConfigError", "Params", "ResilienceModel", "Results", "params_from_dict", "simulate"]
