"""Community dynamics: memberships, group activity, formation and dissolution,
contributors and reciprocity, and awareness of what goes on locally.
"""

import numpy as np
from numba import njit, prange

from . import codes
from .draws import (AWARE, FOUND_GROUP, FOUND_INTEREST, FOUNDER_JOIN, JOIN, JOIN_PICK, LAPSE, LEAVE, RECIPROCITY,
                    RESIDENT_OFFSET, ROLE)
from .rng import COMMUNITY, below, uniform, uniform_at, week_key
from .state import Kernel



@njit(inline="always", cache=True)
def shares_interest(interests, category):
    return (interests >> np.uint32(category)) & np.uint32(1) == np.uint32(1)


def groups_by_hood(assoc_hood, alive, n_hoods):
    """CSR of alive groups per neighbourhood: (start [H+1], group ids)."""
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
def _awareness_reach(spread, indptr):
    """Chance of hearing of community activity through ``a`` aware active ties (``reach[a]``, zero for none),
    and ``reach_bound[d]``, the largest chance any ``a <= d`` gives (a bound for a resident with ``d`` ties).

    In exact arithmetic ``reach`` rises with ``a`` and the bound equals it; the running maximum keeps
    the draw-first shortcut in :func:`update_people` exact even if rounding in the power breaks that."""
    most = 0
    for i in range(indptr.shape[0] - 1):
        most = max(most, indptr[i + 1] - indptr[i])
    reach, reach_bound = np.zeros(most + 1), np.zeros(most + 1)
    for a in range(1, most + 1):
        reach[a] = 1.0 - (1.0 - spread) ** a
        reach_bound[a] = max(reach_bound[a - 1], reach[a])
    return reach, reach_bound


@njit(parallel=True, cache=True)
def update_people(key, week, hood, interests, member, aware, contributor, service, met_community, unmet, indptr,
                  degree, other, strength, group_interest, hood_groups_start, hood_groups, comm, pop, net, reach,
                  reach_bound, new_aware):
    """Memberships lapse and form, contributors come and go, awareness spreads along ties.

    Writes next week's awareness into ``new_aware`` (double-buffered: the spread
    reads last week's awareness of others).  ``reach`` and ``reach_bound`` are :func:`_awareness_reach`'s.
    """
    n = hood.shape[0]
    community = week_key(key, COMMUNITY, week)
    for i in prange(n):
        s = RESIDENT_OFFSET + i
        for slot in range(2):
            g = member[i, slot]
            if g >= 0 and (uniform_at(community, s, LEAVE + slot) < comm.leave_weekly
                           or service[i] == codes.RESIDENTIAL):
                member[i, slot] = -1
        _close_gap(member, i)
        if aware[i] and member[i, 1] < 0 and service[i] != codes.RESIDENTIAL:
            if uniform_at(community, s, JOIN) < comm.join_weekly:
                h = hood[i]
                count = hood_groups_start[h + 1] - hood_groups_start[h]
                if count > 0:
                    g = hood_groups[hood_groups_start[h] + below(key, COMMUNITY, week, s, JOIN_PICK, count)]
                    if shares_interest(interests[i], group_interest[g]) and member[i, 0] != g:
                        member[i, 1 if member[i, 0] >= 0 else 0] = g

        if contributor[i] == codes.NOT_CONTRIBUTOR:
            # Volunteers start as often as they lapse (keeping the town's share), more so among people helped.
            share = pop.contributor_share
            start = comm.contributor_lapse * share / (1.0 - share) if share < 1 else 1.0
            if met_community[i] > 0 and unmet[i] <= 0:
                start += comm.reciprocity
            if service[i] != codes.RESIDENTIAL and uniform_at(community, s, RECIPROCITY) < start:
                # New contributors keep the town's mix of roles: some are connectors.
                connects = uniform_at(community, s, ROLE) * share < pop.connector_share
                contributor[i] = codes.CONNECTOR if connects else codes.VOLUNTEER
        elif uniform_at(community, s, LAPSE) < comm.contributor_lapse or service[i] == codes.RESIDENTIAL:
            contributor[i] = codes.NOT_CONTRIBUTOR

        if member[i, 0] >= 0 or contributor[i] != codes.NOT_CONTRIBUTOR:
            new_aware[i] = True
        elif aware[i]:
            new_aware[i] = uniform_at(community, s, AWARE) >= comm.awareness_lapse
        else:
            # The draw comes first: when it is above the chance with every tie aware, no tie need be read.
            u = uniform_at(community, s, AWARE)
            new_aware[i] = False
            if u < reach_bound[degree[i]]:
                aware_ties = 0
                for k in range(indptr[i], indptr[i] + degree[i]):
                    if aware[other[k]] and strength[k] >= net.active_threshold:
                        aware_ties += 1
                new_aware[i] = u < reach[aware_ties]


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
def _close_gap(member, i):
    """Keep a resident's memberships in the first slots: a lone membership in slot 1 moves to slot 0."""
    if member[i, 0] < 0 and member[i, 1] >= 0:
        member[i, 0], member[i, 1] = member[i, 1], -1


@njit(cache=True)
def join_group(member, i, g):
    """Make ``i`` a member of ``g`` if they have a free membership slot and are not in it already."""
    if member[i, 0] == g or member[i, 1] == g:
        return
    if member[i, 0] < 0:
        member[i, 0] = g
    elif member[i, 1] < 0:
        member[i, 1] = g


@njit(parallel=True, cache=True)
def tally_groups(hood_start, member, contributor, age, group_members, group_age_sum, group_age_squares,
                 hood_contributors):
    """Each group's members and the sum of their ages and squared ages, and each neighbourhood's contributors.

    A group's members all live in its neighbourhood, so neighbourhoods are tallied in parallel, each
    group's sums in ascending resident order whatever the thread count.
    """
    group_members[:] = 0
    group_age_sum[:] = 0.0
    group_age_squares[:] = 0.0
    for h in prange(hood_start.shape[0] - 1):
        contributors = 0
        for i in range(hood_start[h], hood_start[h + 1]):
            contributors += contributor[i] != codes.NOT_CONTRIBUTOR
            for slot in range(2):
                g = member[i, slot]
                if g >= 0:
                    group_members[g] += 1
                    group_age_sum[g] += age[i]
                    group_age_squares[g] += age[i] * age[i]
        hood_contributors[h] = contributors


@njit(cache=True)
def update_groups(key, week, hood_start, interests, member, contributor, group_hood, group_interest, group_activity,
                  group_members, group_alive, group_diversity, group_age_sum, group_age_squares, hood_contributors,
                  comm, pop, activity_mult):
    """Group activity follows membership and funding; inactive groups dissolve; contributors found new ones.

    Reads this week's tallies (:func:`tally_groups`).
    """
    n_groups = group_alive.shape[0]
    dissolved = False
    for g in range(n_groups):
        if not group_alive[g]:
            continue
        if group_members[g] > 1:
            mean = group_age_sum[g] / group_members[g]
            group_diversity[g] = min(1.0, np.sqrt(max(0.0, group_age_squares[g] / group_members[g] - mean * mean)) / 20.0)
        else:
            group_diversity[g] = 0.0
        target = min(1.0, min(1.0, group_members[g] / comm.critical_mass) * activity_mult)  # extra funding cannot lift it past full
        group_activity[g] += comm.activity_rate * (target - group_activity[g])
        if group_activity[g] < comm.dissolve_activity and activity_mult > 0:
            group_alive[g] = False
            group_activity[g] = 0.0
            dissolved = True
    if dissolved:  # members leave a dissolved group now, before its slot can be reused by a new group
        for i in range(member.shape[0]):
            for slot in range(2):
                if member[i, slot] >= 0 and not group_alive[member[i, slot]]:
                    member[i, slot] = -1
            _close_gap(member, i)

    n_hoods = hood_start.shape[0] - 1
    free = 0
    for h in range(n_hoods):
        size = hood_start[h + 1] - hood_start[h]
        rate = comm.formation_weekly * hood_contributors[h] / (0.15 * size) if size > 0 else 0.0
        if activity_mult <= 0 or uniform(key, COMMUNITY, week, h, FOUND_GROUP) >= rate:
            continue
        free = found_group(free, h, below(key, COMMUNITY, week, h, FOUND_INTEREST, pop.n_interests), group_hood, group_interest,
                           group_activity, group_alive)
        if free < 0:
            return
        for i in range(hood_start[h], hood_start[h + 1]):
            if (contributor[i] != codes.NOT_CONTRIBUTOR or uniform(key, COMMUNITY, week, h, FOUNDER_JOIN + i - hood_start[h]) < 0.05) \
                    and shares_interest(interests[i], group_interest[free]):
                join_group(member, i, free)


class Community:
    """Phase: memberships, contributors and awareness change; groups grow, dissolve and are founded.

    Owns the week's list of groups per neighbourhood (``hood_groups_start``, ``hood_groups``: the
    groups alive before this week's updates, which the front door also reads), the double buffer for
    awareness, the chances of hearing of it through aware ties (``reach``, ``reach_bound``: fixed for the
    run, since rows never grow) and the week's tallies of groups (``group_age_sum``, ``group_age_squares``,
    ``hood_contributors``).  Measures the groups alive and their age diversity.
    """

    def __init__(self, model):
        self._group_hood = model.sources["group_hood"]
        self._group_alive = model.sources["group_alive"]
        self._group_diversity = model.sources["group_diversity"]
        self._n_hoods = model.sources["hood_households"].size
        self._aware = model.sources["aware"]
        self._new_aware = np.zeros_like(self._aware)
        self.hood_groups_start, self.hood_groups = groups_by_hood(self._group_hood, self._group_alive, self._n_hoods)
        reach, reach_bound = _awareness_reach(model.params.community.awareness_spread, model.sources["indptr"])
        sources = {**model.sources, "new_aware": self._new_aware, "reach": reach, "reach_bound": reach_bound}
        n_groups = self._group_alive.size
        sources.update(group_age_sum=np.zeros(n_groups), group_age_squares=np.zeros(n_groups),
                       hood_contributors=np.zeros(self._n_hoods, dtype=np.int64))
        self._update_people = Kernel(update_people, sources)
        self._tally_groups = Kernel(tally_groups, sources)
        self._update_groups = Kernel(update_groups, sources)

    def step(self, model, week) -> None:
        self.hood_groups_start, self.hood_groups = groups_by_hood(self._group_hood, self._group_alive, self._n_hoods)
        self._update_people(week=week.clock, hood_groups_start=self.hood_groups_start, hood_groups=self.hood_groups)
        self._aware[:] = self._new_aware
        self._tally_groups()
        self._update_groups(week=week.clock, activity_mult=week.group_multiplier)

    def measures(self, model, week) -> dict:
        alive = self._group_alive
        return {"groups_active": int(alive.sum()),
                "group_diversity": float(self._group_diversity[alive].mean()) if alive.any() else 0.0}

    def groups_per_hood(self) -> np.ndarray:
        """Groups alive in each neighbourhood (for the neighbourhoods table)."""
        return np.bincount(self._group_hood[self._group_alive], minlength=self._n_hoods)
