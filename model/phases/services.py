"""What the services someone receives do to them: reablement restores, long-term packages build dependency.

Runs straight after life events, before anyone's support is worked out, under every policy alike: the same
package has the same effect whichever front door started it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .. import codes
from ..component import Component
from ..lib.packages import on_long_term
from ..params import p
from ..state import PER_RESIDENT, RESIDENTS, Array, Kernel


@dataclass(frozen=True)
class ServicesPars:
    """Statutory services: allocation rules, crowd-out, dependency."""

    residential_hours: float = p(0.0, 168.0, "hours/week", "need above which residential care is offered")
    day_care_max_hours: float = p(0.0, 168.0, "hours/week", "need up to which isolated people get day care")
    day_care_hours: float = p(0.0, 60.0, "hours/week", "need met by a day-care place")
    shared_lives_share: float = p(0.0, 1.0, "fraction", "residential/day-care placements made as Shared Lives")
    reablement_weeks: int = p(1, 52, "weeks", "length of reablement")
    reablement_hours: float = p(0.0, 60.0, "hours/week", "need met during reablement")
    reablement_gain: float = p(0.0, 1.0, "per week", "chronic need shed and confidence gained in reablement")
    crowd_out: float = p(0.0, 1.0, "fraction", "informal help and tie contact withdrawn while a package runs")
    dependency_rate: float = p(0.0, 1.0, "per week", "growth of dependency on a long-term package")
    dependency_recovery: float = p(0.0, 1.0, "per week", "dependency lost without a package")
    resource_erosion: float = p(0.0, 1.0, "per week", "personal resources lost at full dependency")


@njit(parallel=True, cache=True)
def service_effects(service, chronic, personal, dependency, services_pars):
    """Reablement restores; long-term packages build dependency and erode personal resources."""
    for i in prange(service.shape[0]):
        st = service[i]
        if st == codes.REABLEMENT:
            chronic[i] *= 1.0 - services_pars.reablement_gain
            personal[i] += services_pars.reablement_gain * (1.0 - personal[i])
        if on_long_term(st):
            dependency[i] += services_pars.dependency_rate * (1.0 - dependency[i])
            personal[i] -= services_pars.resource_erosion * dependency[i] * personal[i]
        else:
            dependency[i] -= services_pars.dependency_recovery * dependency[i]


class ServiceEffects(Component):
    """Phase: a week of reablement, dependency and eroded independence for people receiving services.

    Owns what each resident receives (``service``, codes.SERVICES), its size and end, and their dependency on it.
    """

    name = "services"
    Pars = ServicesPars
    arrays = (
        Array(RESIDENTS, "service", np.int8, PER_RESIDENT, "code", "service received (codes.SERVICES)",
              arrival=codes.NO_SERVICE),
        Array(RESIDENTS, "service_hours", np.float64, PER_RESIDENT, "hours/week", "size of a home-care package",
              arrival=0.0),
        Array(RESIDENTS, "service_until", np.int32, PER_RESIDENT, "week", "end of a time-limited plan or reablement",
              start=codes.NEVER, arrival=codes.NEVER),
        Array(RESIDENTS, "dependency", np.float64, PER_RESIDENT, "0-1", "dependency on services", arrival=0.0),
    )

    def __init__(self, model):
        self._service_effects = Kernel(service_effects, model.sources)

    def step(self, model, week) -> None:
        self._service_effects()
