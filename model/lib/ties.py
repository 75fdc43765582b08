"""Ties on the CSR network: find, add, strengthen and remove a tie, and count a row's active ties.

Every tie lives in both endpoints' rows (``indptr``, ``degree``, ``other``, ``strength``, ``kind``) and both
copies always hold the same strength and kind; ``active`` counts each row's ties at or above
``network.active_threshold``, and every change of a tie here keeps it.
"""

import numpy as np
from numba import njit, prange


@njit(inline="always", cache=True)
def find_tie(indptr, degree, other, i, j):
    """Slot of the tie i->j in row i, or -1."""
    for k in range(indptr[i], indptr[i] + degree[i]):
        if other[k] == j:
            return k
    return -1


@njit(cache=True)
def add_tie(indptr, degree, other, strength, kind, active, network_pars, i, j, s, tie_kind):
    """Add the undirected tie i-j (both rows); False if it exists or a row is full."""
    if i == j or find_tie(indptr, degree, other, i, j) >= 0:
        return False
    if indptr[i] + degree[i] >= indptr[i + 1] or indptr[j] + degree[j] >= indptr[j + 1]:
        return False
    for a, b in ((i, j), (j, i)):
        k = indptr[a] + degree[a]
        other[k] = b
        strength[k] = s
        kind[k] = tie_kind
        degree[a] += 1
        active[a] += s >= network_pars.active_threshold
    return True


@njit(cache=True)
def strengthen_tie(indptr, degree, other, strength, active, network_pars, i, k, boost):
    """Raise the strength of tie slot ``k`` of row ``i`` and its mirror by ``boost`` towards 1."""
    was_active = strength[k] >= network_pars.active_threshold
    s = strength[k] + boost * (1.0 - strength[k])
    strength[k] = s
    j = other[k]
    strength[find_tie(indptr, degree, other, j, i)] = s
    if s >= network_pars.active_threshold and not was_active:
        active[i] += 1
        active[j] += 1


@njit(cache=True)
def remove_all_ties(indptr, degree, other, strength, kind, active, network_pars, i):
    """Delete every tie of ``i`` from both rows (death or moving away)."""
    for k in range(indptr[i], indptr[i] + degree[i]):
        j = other[k]
        m = find_tie(indptr, degree, other, j, i)
        active[j] -= strength[m] >= network_pars.active_threshold
        last = indptr[j] + degree[j] - 1
        other[m] = other[last]
        strength[m] = strength[last]
        kind[m] = kind[last]
        degree[j] -= 1
    degree[i] = 0
    active[i] = 0


@njit(parallel=True, cache=True)
def count_active(indptr, degree, strength, threshold):
    """Each row's live ties with strength at or above ``threshold`` (``Ties.active`` from scratch)."""
    active = np.zeros(degree.shape[0], dtype=np.int32)
    for i in prange(degree.shape[0]):
        for k in range(indptr[i], indptr[i] + degree[i]):
            active[i] += strength[k] >= threshold
    return active
