"""Counter-based random numbers for common random numbers (CRN) and thread independence.

Every random draw in the weekly dynamics is a pure function of
``(run key, stream, week, subject, draw)``: a SplitMix64 hash turned into a
uniform on [0, 1).  The run key, stream and week make a week key (:func:`week_key`, two mixes, which
a kernel computes once); each draw is then one SplitMix64 step from it, at the counter
``subject * 2**22 + draw`` (:func:`uniform_at`), so subjects stay below 2**42 (a tie's subject is
``lo * n + hi`` for its two residents: :data:`MAX_RESIDENTS`) and draws below 2**22.  Two consequences
matter for policy experiments:

* the same seed gives the same life-event draws under every policy, because a
  resident's draws never depend on how many numbers other code consumed;
* kernels can run in parallel over residents and still give bit-identical
  results whatever the thread count, because no generator state is shared.

Streams keep unrelated mechanisms apart, so adding a draw to one mechanism
never shifts the numbers another mechanism sees.
"""

import numpy as np
from numba import njit

# Stream identifiers: one per mechanism.
LIFE = 1  # mortality, need onset, acute events, in-migrant attributes
TIES = 2  # weekly contact along each tie (keyed by the unordered pair)
CONTACT = 3  # whether unmet need turns into a front-door contact
TRIAGE = 4  # practitioners' choices at the front door
COMMUNITY = 5  # association dynamics, tie formation, reciprocity
BUILDERS = 6  # community builders' introductions and grants
HOSPITAL = 7  # hospital admissions and stays

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
_DRAW_BITS = np.uint64(22)  # draws per subject: 2**22 (builders' blocks reach 4 * 2**20)
MAX_RESIDENTS = 1 << 21  # a tie's subject lo * n + hi must stay below 2**42


@njit(inline="always", cache=True)
def _mix(z):
    """SplitMix64 finaliser: a bijective avalanche of a 64-bit word."""
    z = (z ^ (z >> np.uint64(30))) * _MUL1
    z = (z ^ (z >> np.uint64(27))) * _MUL2
    return z ^ (z >> np.uint64(31))


def run_key(seed: int) -> np.uint64:
    """The 64-bit key every draw of a run derives from."""
    return np.uint64(_mix(np.uint64((seed + int(_GOLDEN)) & 0xFFFFFFFFFFFFFFFF)))  # wraps as uint64 addition would


@njit(inline="always", cache=True)
def week_key(key, stream, week):
    """The key of one stream's draws in one week: what every draw of that stream and week starts from."""
    h = _mix(key ^ (np.uint64(stream) * _GOLDEN))
    return _mix(h + np.uint64(week + 1) * _MUL1)


@njit(inline="always", cache=True)
def uniform_at(week_key, subject, draw):
    """Uniform [0, 1) draw ``draw`` of ``subject`` (resident, tie, association...) from a :func:`week_key`:
    the SplitMix64 output at counter ``subject * 2**22 + draw`` of the sequence seeded by the week key."""
    counter = (np.uint64(subject) << _DRAW_BITS) + np.uint64(draw)
    return np.float64(_mix(week_key + counter * _GOLDEN) >> np.uint64(11)) * _TO_UNIT


@njit(inline="always", cache=True)
def uniform(key, stream, week, subject, draw):
    """Uniform [0, 1) draw for ``subject`` (resident, tie, association...) in ``week``."""
    return uniform_at(week_key(key, stream, week), subject, draw)


@njit(inline="always", cache=True)
def exponential(key, stream, week, subject, draw, mean):
    """Exponential draw with the given mean."""
    return -mean * np.log1p(-uniform(key, stream, week, subject, draw))


@njit(inline="always", cache=True)
def below(key, stream, week, subject, draw, n):
    """Uniform integer in ``[0, n)``."""
    return min(np.int64(uniform(key, stream, week, subject, draw) * n), n - 1)
