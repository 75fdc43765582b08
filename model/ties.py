"""Tie kernels on the CSR network: weekly contact and decay, formation, removal.

Every tie lives in both endpoints' rows.  The weekly update draws one number per
unordered pair, so both copies see the same draw and stay identical without any
coordination between threads.
"""

import numpy as np
from numba import njit, prange

from . import codes
from .community import groups_by_hood, members_by_group
from .rng import COMMUNITY, TIES, below, uniform, uniform_at, week_key
from .state import Kernel


@njit(inline="always", cache=True)
def on_long_term(service):
    """Whether a service state is a statutory long-term package."""
    return service >= codes.HOME_CARE


@njit(parallel=True, cache=True)
def mark_long_term(service, long_term):
    """``long_term``: one bit per resident, set for those on a long-term package (:func:`on_long_term`).  The
    tie update reads it at the far end of every tie: 128 KiB per million residents stays in cache, where
    a byte per resident does not."""
    for w in prange(long_term.shape[0]):
        word = np.uint64(0)
        for b in range(64):
            i = w * 64 + b
            if i < service.shape[0] and on_long_term(service[i]):
                word |= np.uint64(1) << np.uint64(b)
        long_term[w] = word


@njit(inline="always", cache=True)
def _bit(bits, i):
    return (bits[i >> 6] >> np.uint64(i & 63)) & np.uint64(1) != np.uint64(0)


@njit(parallel=True, cache=True)
def update_ties(key, week, indptr, degree, other, strength, kind, active, long_term, chance, net, svc, mutual_aid):
    """Contact reinforces a tie, its absence decays it; weak non-household ties are dropped.

    ``chance[kind]`` is this week's contact chance by tie kind (:meth:`TieDynamics.contact_chance`);
    a package at either end crowds contact out (``svc.crowd_out``; who has one is ``long_term``, from
    :func:`mark_long_term`) and mutual aid raises contact along already-active ties.  One draw per tie
    and week, keyed by its two residents, so both copies change alike.  Each row is updated in place, recounting its ``active``
    ties, and compacted over dropped ties only if it lost one (rarely: a tie is dropped after months
    without contact).
    """
    n = degree.shape[0]
    ties_week = week_key(key, TIES, week)
    kept = 1.0 - svc.crowd_out
    for i in prange(n):
        start, end = indptr[i], indptr[i] + degree[i]
        own = kept if _bit(long_term, i) else 1.0
        count = 0
        dropped = False
        for k in range(start, end):
            j = other[k]
            s = strength[k]
            c = chance[kind[k]] * own
            if _bit(long_term, j):
                c *= kept
            if s >= net.active_threshold:
                c = min(1.0, c * (1.0 + mutual_aid))
            if uniform_at(ties_week, min(i, j) * n + max(i, j), 0) < c:
                s += net.reinforce * (1.0 - s)
            else:
                s *= 1.0 - net.decay
            strength[k] = s
            count += s >= net.active_threshold
            dropped |= kind[k] != codes.HOUSEHOLD and s < net.drop_threshold
        active[i] = count
        if dropped:
            write = start
            for k in range(start, end):
                if kind[k] == codes.HOUSEHOLD or strength[k] >= net.drop_threshold:
                    strength[write], other[write], kind[write] = strength[k], other[k], kind[k]
                    write += 1
            degree[i] = write - start


@njit(inline="always", cache=True)
def find_tie(indptr, degree, other, i, j):
    """Slot of the tie i->j in row i, or -1."""
    for k in range(indptr[i], indptr[i] + degree[i]):
        if other[k] == j:
            return k
    return -1


@njit(cache=True)
def add_tie(indptr, degree, other, strength, kind, active, net, i, j, s, tie_kind):
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
        active[a] += s >= net.active_threshold
    return True


@njit(cache=True)
def strengthen_tie(indptr, degree, other, strength, active, net, i, k, boost):
    """Raise the strength of tie slot ``k`` of row ``i`` and its mirror by ``boost`` towards 1."""
    was_active = strength[k] >= net.active_threshold
    s = strength[k] + boost * (1.0 - strength[k])
    strength[k] = s
    j = other[k]
    strength[find_tie(indptr, degree, other, j, i)] = s
    if s >= net.active_threshold and not was_active:
        active[i] += 1
        active[j] += 1


@njit(cache=True)
def remove_all_ties(indptr, degree, other, strength, kind, active, net, i):
    """Delete every tie of ``i`` from both rows (death or moving away)."""
    for k in range(indptr[i], indptr[i] + degree[i]):
        j = other[k]
        m = find_tie(indptr, degree, other, j, i)
        active[j] -= strength[m] >= net.active_threshold
        last = indptr[j] + degree[j] - 1
        other[m] = other[last]
        strength[m] = strength[last]
        kind[m] = kind[last]
        degree[j] -= 1
    degree[i] = 0
    active[i] = 0


@njit(parallel=True, cache=True)
def form_ties(key, week, indptr, degree, other, strength, kind, active, hood_start, hood_groups_start, hood_groups,
              member_start, member_ids, group_rate, net):
    """New neighbour ties within each neighbourhood and group-mate ties within each group.

    ``group_rate[g]`` is the expected number of new ties in group ``g`` this week; members of a group are
    ``member_ids[member_start[g]:member_start[g+1]]`` and the groups of neighbourhood ``h`` are
    ``hood_groups[hood_groups_start[h]:hood_groups_start[h+1]]``.  Every tie formed joins two residents of one
    neighbourhood, so neighbourhoods form theirs in parallel.
    """
    n_hoods = hood_start.shape[0] - 1
    for h in prange(n_hoods):
        size = hood_start[h + 1] - hood_start[h]
        expected = net.neighbour_formation * size
        count = np.int64(expected) + (uniform(key, COMMUNITY, week, h, 0) < expected - np.int64(expected))
        for t in range(count):
            a = hood_start[h] + below(key, COMMUNITY, week, h, 1 + 2 * t, size)
            b = hood_start[h] + below(key, COMMUNITY, week, h, 2 + 2 * t, size)
            add_tie(indptr, degree, other, strength, kind, active, net, i=a, j=b, s=0.3, tie_kind=codes.NEIGHBOUR)
        for slot in range(hood_groups_start[h], hood_groups_start[h + 1]):
            g = hood_groups[slot]
            members = member_start[g + 1] - member_start[g]
            if members < 2:
                continue
            expected = group_rate[g]
            subject = n_hoods + g
            count = np.int64(expected) + (uniform(key, COMMUNITY, week, subject, 0) < expected - np.int64(expected))
            for t in range(count):
                a = member_ids[member_start[g] + below(key, COMMUNITY, week, subject, 1 + 2 * t, members)]
                b = member_ids[member_start[g] + below(key, COMMUNITY, week, subject, 2 + 2 * t, members)]
                add_tie(indptr, degree, other, strength, kind, active, net, i=a, j=b, s=0.3,
                        tie_kind=codes.GROUPMATE)


@njit(parallel=True, cache=True)
def count_active(indptr, degree, strength, threshold):
    """Each row's live ties with strength at or above ``threshold`` (``Ties.active`` from scratch)."""
    active = np.zeros(degree.shape[0], dtype=np.int32)
    for i in prange(degree.shape[0]):
        for k in range(indptr[i], indptr[i] + degree[i]):
            active[i] += strength[k] >= threshold
    return active


class TieDynamics:
    """Phase: ties strengthen with contact and fade without it; neighbours and group-mates form new ties.

    Owns the weekly contact chance by tie kind (``contact``, indexed by ``codes.TIE_KINDS``) and the week's
    bits of who is on a long-term package (``long_term``).
    Measures the active ties (each counted at both ends in ``Ties.active``).
    """

    def __init__(self, model):
        net = model.params.network
        self._contact = np.array([net.contact_household, net.contact_family, net.contact_friend,
                                  net.contact_neighbour, net.contact_groupmate])
        self._long_term = np.zeros((model.state.residents.n + 63) // 64, dtype=np.uint64)
        self._outside = np.arange(len(codes.TIE_KINDS)) != codes.HOUSEHOLD  # kinds a shock's fewer visits cut
        self._groupmate = np.arange(len(codes.TIE_KINDS)) == codes.GROUPMATE  # kinds paused groups cut
        sources = {**model.sources, "contact": self._contact, "long_term": self._long_term}
        self._mark_long_term = Kernel(mark_long_term, sources)
        self._update_ties = Kernel(update_ties, sources)
        self._form_ties = Kernel(form_ties, sources)
        self._groupmate_formation = net.groupmate_formation
        self._member = model.sources["member"]
        self._hood_start = model.sources["hood_start"]
        self._group_hood = model.sources["group_hood"]
        self._group_alive = model.sources["group_alive"]
        self._group_members = model.sources["group_members"]
        self._group_activity = model.sources["group_activity"]

    def contact_chance(self, scenario) -> np.ndarray:
        """This week's contact chance by tie kind: fewer visits cut contact outside the household
        (``visit_multiplier``) and paused groups cut group-mate contact (``group_activity_multiplier``)."""
        return (self._contact * np.where(self._outside, scenario.visit_multiplier, 1.0)
                * np.where(self._groupmate, scenario.group_activity_multiplier, 1.0))

    def step(self, model, week) -> None:
        activity_mult = week.scenario.group_activity_multiplier
        self._mark_long_term()
        self._update_ties(week=week.clock, chance=self.contact_chance(week.scenario), mutual_aid=week.scenario.mutual_aid)
        member_start, member_ids = members_by_group(self._member, self._hood_start, self._group_activity.size)
        group_rate = self._groupmate_formation * self._group_members * self._group_activity * activity_mult
        hood_groups_start, hood_groups = groups_by_hood(self._group_hood, self._group_alive, self._hood_start.size - 1)
        self._form_ties(week=week.clock, hood_groups_start=hood_groups_start, hood_groups=hood_groups,
                        member_start=member_start, member_ids=member_ids, group_rate=group_rate)

    def measures(self, model, week) -> dict:
        return {"ties_active": int(model.recorder.totals["active_tie_ends"]) // 2}
