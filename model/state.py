"""Structure-of-arrays state: residents, their ties (CSR), associations and neighbourhoods.

Residents are stored contiguously by neighbourhood (``hood_start[h]:hood_start[h+1]``),
so per-neighbourhood reductions are parallel loops over neighbourhoods.  A
resident who dies is replaced in the same slot by an in-migrant: the
population size never changes and every array keeps its shape, which is what
lets counter-based draws line up across policies.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, fields
from typing import Any, Mapping

import numpy as np


@dataclass
class Residents:
    """One entry per adult resident."""

    age: np.ndarray  # float64, years
    hood: np.ndarray  # int32 neighbourhood
    household: np.ndarray  # int32 household id
    interests: np.ndarray  # uint32 bitmask of interest categories
    chronic: np.ndarray  # float64 long-term need, hours/week
    acute: np.ndarray  # float64 episodic need, hours/week
    personal: np.ndarray  # float64 personal resources (skills, knowledge, confidence), 0-1
    wellbeing: np.ndarray  # float64, 0-1
    strain: np.ndarray  # float64 carer strain, 0-1
    burnout_until: np.ndarray  # int32 week a burnt-out carer returns
    dependency: np.ndarray  # float64 dependency on services, 0-1
    service: np.ndarray  # int8 service state (codes.SERVICES)
    service_hours: np.ndarray  # float64 package size for home care
    service_until: np.ndarray  # int32 end week of a time-limited plan or reablement
    next_review: np.ndarray  # int32 week the long-term package is reviewed
    member: np.ndarray  # int32 [N, 2] association ids, -1 for an empty slot
    contributor: np.ndarray  # int8 role (codes.NOT_CONTRIBUTOR, VOLUNTEER, CONNECTOR)
    aware: np.ndarray  # bool aware of local community activity
    asking: np.ndarray  # float64 share of remaining need this resident asks of their network, 0-1
    # Last week's support, kept for triage (spare capacity) and outputs
    need: np.ndarray  # float64 total need this week
    met_service: np.ndarray
    met_personal: np.ndarray
    met_network: np.ndarray
    met_community: np.ndarray
    unmet: np.ndarray
    helper_cap: np.ndarray  # informal help this resident can give, hours/week (a main carer: at least what they give)
    helper_load: np.ndarray  # informal help given this week
    carer: np.ndarray  # int32 this week's main carer (household or family, set by support), -1 for none
    care_received: np.ndarray  # float64 hours of help from the main carer this week
    isolated: np.ndarray  # bool
    weeks_unmet: np.ndarray  # int32 consecutive weeks with unmet need
    crisis: np.ndarray  # bool acute episode this week
    died: np.ndarray  # bool died this week (slot refilled by an in-migrant)
    onsets: np.ndarray  # int32 cumulative need onsets (life-event audit trail for CRN)
    queued_since: np.ndarray  # int32 week the open contact was made, codes.NEVER if none
    last_contact: np.ndarray  # int32 week of the previous contact
    contacts: np.ndarray  # int32 contacts made

    @property
    def n(self) -> int:
        return self.age.shape[0]


@dataclass
class Ties:
    """Undirected ties stored in both endpoints' rows (CSR with per-row slack).

    Row ``i`` owns ``indptr[i]:indptr[i+1]``; its first ``degree[i]`` entries are live.
    Both copies of a tie always hold the same strength and kind.  ``active`` counts each row's active
    ties; the weekly tie update recounts it and every other change of a tie keeps it, so isolation and
    the active-tie measure never walk the ties again.
    """

    indptr: np.ndarray  # int64 [N+1]
    degree: np.ndarray  # int32 [N]
    other: np.ndarray  # int32 [capacity]
    strength: np.ndarray  # float64 [capacity]
    kind: np.ndarray  # int8 [capacity]
    active: np.ndarray  # int32 [N] live ties at or above ``network.active_threshold`` (kept by every tie change)

    def live(self) -> np.ndarray:
        """Boolean mask of the slots holding live ties (for checks and analysis; kernels use ``degree``)."""
        rank = np.arange(self.other.size) - np.repeat(self.indptr[:-1], np.diff(self.indptr))
        return rank < np.repeat(self.degree, np.diff(self.indptr))


@dataclass
class Associations:
    """Groups, clubs and venues; a fixed pool of slots reused when groups dissolve."""

    hood: np.ndarray  # int32
    interest: np.ndarray  # int32 category
    activity: np.ndarray  # float64, 0-1
    members: np.ndarray  # int32
    alive: np.ndarray  # bool
    diversity: np.ndarray  # float64 age diversity of members (std of age / 20, capped at 1)


@dataclass
class Neighbourhoods:
    """Hyperlocal areas of 100-200 households."""

    deprivation: np.ndarray  # float64, 0-1
    start: np.ndarray  # int64 [H+1] resident ranges
    households: np.ndarray  # int32
    pool: np.ndarray  # float64 community support available this week, hours
    pool_used: np.ndarray  # float64 community support drawn this week, hours


@dataclass
class State:
    residents: Residents
    ties: Ties
    associations: Associations
    hoods: Neighbourhoods

    def copy(self) -> "State":
        """A deep copy (used to branch policies from one warmed-up state)."""
        return State(*(_copy_arrays(getattr(self, f.name)) for f in fields(self)))

    def arrays(self) -> dict[str, np.ndarray]:
        """Every state array under the name kernels give it as an argument.

        Residents' and ties' arrays keep their field names; associations' take the prefix ``group_``
        and neighbourhoods' the prefix ``hood_`` (so ``hood`` is a resident's neighbourhood and
        ``group_hood`` a group's).
        """
        named = {}
        for part, prefix in ((self.residents, ""), (self.ties, ""), (self.associations, "group_"), (self.hoods, "hood_")):
            named.update({prefix + f.name: getattr(part, f.name) for f in fields(part)})
        return named


def _copy_arrays(obj):
    return type(obj)(**{f.name: getattr(obj, f.name).copy() for f in fields(obj)})


class Kernel:
    """A numba kernel with the arrays and parameter views it reads bound once, by argument name.

    ``Kernel(kernel, sources)`` binds every argument of ``kernel`` that ``sources`` names (the state's
    arrays, a phase's scratch, scalar parameter views); the call gives the rest by keyword, e.g.
    ``self._triage(week=..., staff_hours=..., order=...)``, and every argument reaches the kernel by
    name, so two arrays of one type can never be swapped.  Arrays never reallocate (deaths refill
    slots in place), so binding once at build time stays valid for the whole run.  Arrays go to
    kernels one by one, never inside a namedtuple: numba loses writes made through a namedtuple
    inside ``prange`` loops.
    """

    def __init__(self, kernel, sources: Mapping[str, Any]):
        names = tuple(inspect.signature(kernel.py_func).parameters)
        self.__name__ = kernel.__name__
        self._kernel = kernel
        self._bound = {name: sources[name] for name in names if name in sources}
        self._free = frozenset(names) - self._bound.keys()

    def __call__(self, **given):
        if given.keys() != self._free:
            raise TypeError(f"{self.__name__} takes {sorted(self._free)} at the call; given {sorted(given)}")
        return self._kernel(**self._bound, **given)
