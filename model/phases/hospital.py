"""Hospital: some acute episodes are a hospital admission; while in hospital the NHS meets the person's need, and
their discharge may bring them to social care by the hospital route.

An acute episode (a fall, an illness: ``phases/life.py``) is an admission with chance ``admission``; the stay
lasts a week or more (geometric, mean ``stay_weeks``).  In hospital a person gives no one care and asks no one for it,
and makes no request of the council (a request already waiting waits for them).  In the week they come home (``discharged``) a discharge
that needs support comes to the front door by the hospital route, where it is served first
(``phases/contacts.py``, ``phases/frontdoor.py``): most discharges that need support reach social care this
way (``asc_fr_hospital_route``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .. import codes
from ..component import Component
from ..draws import ADMITTED, STAY
from ..params import p
from ..rng import HOSPITAL, uniform_at, week_key
from ..state import PER_RESIDENT, RESIDENTS, Array, Kernel


@dataclass(frozen=True)
class HospitalPars:
    """Hospital admissions after acute episodes, their length, and which discharges need social care."""

    admission: float = p(0.0, 1.0, "fraction", "acute episodes that are a hospital admission")
    stay_weeks: float = p(1.0, 26.0, "weeks", "mean length of a hospital stay")
    discharge_hours: float = p(0.0, 168.0, "hours/week", "need beyond a person's own resources at which their "
                               "discharge is referred to social care")


@njit(inline="always", cache=True)
def _stay(u, mean_weeks):
    """Weeks in hospital from a uniform ``u``: geometric, a chance ``1 / mean_weeks`` of going home each week, so the
    stay is a week or more with mean ``mean_weeks``."""
    if mean_weeks <= 1.0:
        return 1
    return 1 + np.int64(np.log(1.0 - u) / np.log(1.0 - 1.0 / mean_weeks))


@njit(parallel=True, cache=True)
def admit_and_discharge(key, week, crisis, hospital_until, in_hospital, discharged, hospital_pars):
    """Discharge those whose stay ends this week; admit, with chance ``admission``, those with an acute episode
    this week who are not in hospital already."""
    draws = week_key(key, HOSPITAL, week)
    for i in prange(crisis.shape[0]):
        discharged[i] = hospital_until[i] == week
        if discharged[i]:
            hospital_until[i] = codes.NEVER
        elif crisis[i] and hospital_until[i] < week and uniform_at(draws, i, ADMITTED) < hospital_pars.admission:
            stay = _stay(uniform_at(draws, i, STAY), hospital_pars.stay_weeks)
            hospital_until[i] = week + stay
        in_hospital[i] = hospital_until[i] > week


class Hospital(Component):
    """Phase: admissions and discharges.  Owns each resident's stay (``hospital_until``, ``in_hospital``) and who
    comes home this week (``discharged``); the recorder counts the people in hospital."""

    name = "hospital"
    Pars = HospitalPars
    arrays = (
        Array(RESIDENTS, "hospital_until", np.int32, PER_RESIDENT, "week", "week the hospital stay ends",
              start=codes.NEVER, arrival=codes.NEVER),
        Array(RESIDENTS, "in_hospital", np.bool_, PER_RESIDENT, "", "in hospital this week", start=False,
              arrival=False),
        Array(RESIDENTS, "discharged", np.bool_, PER_RESIDENT, "", "home from hospital this week", carried=False),
    )

    def __init__(self, model):
        self._admit_and_discharge = Kernel(admit_and_discharge, model.sources)

    def step(self, model, week) -> None:
        self._admit_and_discharge(week=week.week)
