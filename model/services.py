"""What the services someone receives do to them: reablement restores, long-term packages build dependency.

Runs straight after life events, before anyone's support is worked out, under every policy alike:
the same package has the same effect whichever front door started it.
"""

from numba import njit, prange

from . import codes
from .state import Kernel
from .ties import on_long_term


@njit(parallel=True, cache=True)
def service_effects(service, chronic, personal, dependency, svc):
    """Reablement restores; long-term packages build dependency and erode personal resources."""
    for i in prange(service.shape[0]):
        st = service[i]
        if st == codes.REABLEMENT:
            chronic[i] *= 1.0 - svc.reablement_gain
            personal[i] += svc.reablement_gain * (1.0 - personal[i])
        if on_long_term(st):
            dependency[i] += svc.dependency_rate * (1.0 - dependency[i])
            personal[i] -= svc.resource_erosion * dependency[i] * personal[i]
        else:
            dependency[i] -= svc.dependency_recovery * dependency[i]


class ServiceEffects:
    """Phase: a week of reablement, dependency and eroded independence for people receiving services."""

    def __init__(self, model):
        self._service_effects = Kernel(service_effects, model.sources)

    def step(self, model, week) -> None:
        self._service_effects()

    def measures(self, model, week) -> dict:
        return {}
