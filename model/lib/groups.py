"""Group membership: who shares a group's interest, the groups of a neighbourhood and the members of a group,
founding a group, joining one, and the best group a practitioner can link someone to.

A resident holds at most two memberships (``member[i, 0]``, ``member[i, 1]``), the first slot filled first
(:func:`close_gap` keeps it so), and joins only groups of their own neighbourhood, so a group's members all
live where it meets.
"""

import numpy as np
from numba import njit, prange


@njit(inline="always", cache=True)
def shares_interest(interests, category):
    """Whether an interest bitmask holds ``category``."""
    return (interests >> np.uint32(category)) & np.uint32(1) == np.uint32(1)


def groups_by_hood(assoc_hood, alive, n_hoods):
    """CSR of alive groups per neighbourhood: (start [H+1], group ids in ascending order within each)."""
    ids = np.flatnonzero(alive).astype(np.int32)
    order = np.argsort(assoc_hood[ids], kind="stable")
    ids = ids[order]
    start = np.zeros(n_hoods + 1, dtype=np.int64)
    np.cumsum(np.bincount(assoc_hood[ids], minlength=n_hoods), out=start[1:])
    return start, ids


@njit(parallel=True, cache=True)
def members_by_group(member, hood_start, n_groups):
    """CSR of members per group: (start [G+1], resident ids in ascending order).

    A group's members all live in its neighbourhood (people join groups where they live), so each
    neighbourhood's residents are counted and placed in parallel: no two neighbourhoods touch one group.
    """
    start = np.zeros(n_groups + 1, dtype=np.int64)
    for h in prange(hood_start.shape[0] - 1):
        for i in range(hood_start[h], hood_start[h + 1]):
            for slot in range(2):
                if member[i, slot] >= 0:
                    start[member[i, slot] + 1] += 1
    for g in range(n_groups):
        start[g + 1] += start[g]
    filled = start[:-1].copy()
    residents = np.empty(start[-1], dtype=np.int32)
    for h in prange(hood_start.shape[0] - 1):
        for i in range(hood_start[h], hood_start[h + 1]):
            for slot in range(2):
                g = member[i, slot]
                if g >= 0:
                    residents[filled[g]] = i
                    filled[g] += 1
    return start, residents


@njit(cache=True)
def found_group(first_free, h, interest, assoc_hood, assoc_interest, activity, alive):
    """Open a new group on ``interest`` in neighbourhood ``h`` in the first free slot from ``first_free``.

    Returns the slot, or -1 when every slot is taken.
    """
    g = first_free
    while g < alive.shape[0] and alive[g]:
        g += 1
    if g == alive.shape[0]:
        return -1
    alive[g] = True
    assoc_hood[g] = h
    assoc_interest[g] = interest
    activity[g] = 0.3
    return g


@njit(inline="always", cache=True)
def close_gap(member, i):
    """Keep a resident's memberships in the first slots: a lone membership in slot 1 moves to slot 0."""
    if member[i, 0] < 0 and member[i, 1] >= 0:
        member[i, 0], member[i, 1] = member[i, 1], -1


@njit(cache=True)
def join_group(member, i, g):
    """Make ``i`` a member of ``g`` if they have a free membership slot and are not in it already; whether they joined."""
    if member[i, 0] == g or member[i, 1] == g:
        return False
    if member[i, 0] < 0:
        member[i, 0] = g
    elif member[i, 1] < 0:
        member[i, 1] = g
    else:
        return False
    return True


@njit(cache=True)
def best_place(h, interests, held, start, places, interest, rank, taken, room):
    """The best place a practitioner can link someone to in neighbourhood ``h`` (``places[start[h]:start[h+1]]``):
    the highest ``rank`` among those whose ``interest`` is one of the person's ``interests``, with room (fewer
    than ``room`` taken) and other than the one they hold (``held``); the first on equal rank; -1 if none.

    For groups: the groups alive when the week began, their interest, activity and members, and the person's
    first membership."""
    best, best_rank = -1, 0.0
    for t in range(start[h], start[h + 1]):
        g = places[t]
        if (interests >> np.uint32(interest[g])) & np.uint32(1) and rank[g] > best_rank and held != g \
                and taken[g] < room:
            best, best_rank = g, rank[g]
    return best


@njit(inline="always", cache=True)
def take_place(i, g, member, group_members):
    """``i`` joins group ``g`` (-1: none) through a practitioner, and the place is taken at once: the next person
    linked this week finds the group fuller."""
    if g >= 0 and join_group(member, i, g):
        group_members[g] += 1
