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

    home_care_max_hours: float = p(0.0, 168.0, "hours/week", "care at home a council offers at most: a package "
                                   "needing more is a care home")
    nursing_hours: float = p(0.0, 168.0, "hours/week", "need at which a care home placement is nursing care")
    day_care_max_hours: float = p(0.0, 168.0, "hours/week", "need up to which isolated people get day care")
    day_care_hours: float = p(0.0, 60.0, "hours/week", "need met by a day-care place")
    shared_lives_share: float = p(0.0, 1.0, "fraction", "residential/day-care placements made as Shared Lives")
    low_level_hours: float = p(0.0, 20.0, "hours/week", "need equipment, telecare or a minor adaptation meets "
                               "(ongoing low-level support)")
    low_level_min_hours: float = p(0.0, 168.0, "hours/week", "unmet need below eligibility at or above which a "
                                   "council offers equipment, telecare or a minor adaptation; less is signposted")
    signpost_min_hours: float = p(0.0, 168.0, "hours/week", "unmet need below which a service-first assessment offers "
                                  "nothing (no services); from it, information and signposting")
    low_level_weeks: int = p(1, 520, "weeks", "how long ongoing low-level support lasts before it ends")
    reablement_weeks: int = p(1, 52, "weeks", "length of reablement")
    reablement_hours: float = p(0.0, 60.0, "hours/week", "need met during reablement")
    reablement_gain: float = p(0.0, 1.0, "per week", "chronic need shed and confidence gained in reablement")
    reablement_recovery: float = p(0.0, 1.0, "per week", "extra share of acute need recovered each week of "
                                   "reablement (the function an episode took away, regained)")
    self_funder_weeks: float = p(1.0, 2600.0, "weeks", "mean time a self-funder's assets pay for their care home "
                                 "before the council takes over")
    crowd_out: float = p(0.0, 1.0, "fraction", "a main carer's care displaced per hour of a statutory package, and "
                         "tie contact withdrawn while a package runs")
    dependency_rate: float = p(0.0, 1.0, "per week", "growth of dependency on a long-term package")
    dependency_recovery: float = p(0.0, 1.0, "per week", "dependency lost without a package")
    resource_erosion: float = p(0.0, 1.0, "per week", "personal resources lost at full dependency")


@njit(parallel=True, cache=True)
def service_effects(service, chronic, acute, personal, dependency, services_pars):
    """Reablement restores (the acute part of need recovers faster, some chronic need is shed, confidence
    grows); long-term packages build dependency and erode personal resources."""
    for i in prange(service.shape[0]):
        st = service[i]
        if st == codes.REABLEMENT:
            acute[i] *= 1.0 - services_pars.reablement_recovery
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
        Array(RESIDENTS, "long_term_since", np.int32, PER_RESIDENT, "week", "week the council began funding the "
              "person's long-term support (a move into a care home keeps it)", start=codes.NEVER, arrival=codes.NEVER),
        Array(RESIDENTS, "dependency", np.float64, PER_RESIDENT, "0-1", "dependency on services", arrival=0.0),
    )

    def __init__(self, model):
        self._service_effects = Kernel(service_effects, model.sources)

    def step(self, model, week) -> None:
        self._service_effects()
