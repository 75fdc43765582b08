"""Introductions: a connector or a community builder introduces a resident to a neighbour who shares an interest.

Draws come from the BUILDERS stream, keyed by the subject making the introduction (a builder site's
neighbourhood, or a connector offset by ``draws.RESIDENT_OFFSET``), so they never shift any other mechanism's.
"""

import numpy as np
from numba import njit

from .. import codes
from ..rng import BUILDERS, below
from .packages import lives_away
from .ties import add_tie

TRIES = 12  # residents a builder or connector considers before giving up on an introduction


@njit(inline="always", cache=True)
def can_take_part(service):
    """Whether someone can take part in community life: not in a care home or a Shared Lives placement."""
    return not lives_away(service)


@njit(cache=True)
def introduce(key, week, subject, draw, i, lo, hi, interests, service, aware, indptr, degree, other, strength, kind,
              active, network_pars, tie_strength):
    """Introduce resident ``i`` to a neighbour in ``[lo, hi)`` sharing one of their interests.

    Uses draws ``draw .. draw + TRIES``.  Both become aware of local activity.  Returns whether a new tie
    was made.
    """
    i = np.int64(i)
    for t in range(TRIES):
        j = lo + below(key, BUILDERS, week, subject, draw + t, hi - lo)
        if j != i and interests[i] & interests[j] and can_take_part(service[j]):
            if add_tie(indptr, degree, other, strength, kind, active, network_pars, i=i, j=j, s=tie_strength,
                       tie_kind=codes.NEIGHBOUR):
                aware[i] = True
                aware[j] = True
                return True
    return False
