"""Ties: weekly contact and decay along every tie, and new ties between neighbours and group-mates.

Every tie lives in both endpoints' rows.  The weekly update draws one number per unordered pair, so both
copies see the same draw and stay identical without any coordination between threads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .. import codes
from ..component import Component
from ..lib.groups import groups_by_hood, members_by_group
from ..lib.packages import on_long_term
from ..lib.ties import add_tie
from ..params import p
from ..rng import COMMUNITY, TIES, below, uniform, uniform_at, week_key
from ..schema import Column
from ..state import PER_RESIDENT, PER_TIE_SLOT, RESIDENT_STARTS, TIES as TIE_PART, Array, Kernel


@dataclass(frozen=True)
class NetworkPars:
    """Tie strength dynamics, helper capacity and carer strain."""

    active_threshold: float = p(0.0, 1.0, "strength", "tie counts as active (for isolation)")
    drop_threshold: float = p(0.0, 1.0, "strength", "non-household ties below this are lost")
    contact_household: float = p(0.0, 1.0, "per week", "chance of contact along a household tie")
    contact_family: float = p(0.0, 1.0, "per week", "chance of contact along a family tie")
    contact_friend: float = p(0.0, 1.0, "per week", "chance of contact along a friend tie")
    contact_neighbour: float = p(0.0, 1.0, "per week", "chance of contact along a neighbour tie")
    contact_groupmate: float = p(0.0, 1.0, "per week", "chance of contact outside group along a group-mate tie")
    reinforce: float = p(0.0, 1.0, "fraction", "strength gained towards 1 on contact")
    decay: float = p(0.0, 1.0, "fraction", "strength lost without contact")
    neighbour_formation: float = p(0.0, 1.0, "per resident-week", "new neighbour ties")
    groupmate_formation: float = p(0.0, 1.0, "per member-week", "new ties between members of an active group")
    helper_hours: float = p(0.0, 60.0, "hours/week", "light help a healthy adult under 65 can give anyone they know")
    helper_hours_older: float = p(0.0, 1.0, "fraction", "light-help capacity at 65-84 relative to younger adults")
    household_weight: float = p(1.0, 20.0, "relative", "how much more people ask their own household")
    carer_hours: float = p(0.0, 168.0, "hours/week",
                           "most a main carer gives: to someone in their household, and to everyone they care for in all")
    carer_hours_family: float = p(0.0, 168.0, "hours/week", "most a main carer in another household (family) gives")
    strain_hours: float = p(0.1, 168.0, "hours/week", "caring hours a week at which strain settles at "
                            "strain_gain / strain_recovery; it settles in proportion to the hours given")
    strain_gain: float = p(0.0, 1.0, "per week", "carer strain gained in a week of strain_hours of caring")
    strain_recovery: float = p(0.0, 1.0, "per week", "share of strain lost weekly")
    breakdown_weekly: float = p(0.0, 1.0, "per week", "chance a carer at full strain breaks down in a week; it falls "
                                "with the square of strain, so light carers almost never break down")
    burnout_weeks: int = p(0, 520, "weeks", "how long a carer who broke down withdraws")
    carer_agreement: float = p(0.0, 1.0, "probability", "chance a main carer agrees to give more care when a "
                               "practitioner asks (the council cannot assume it)")
    carer_need_limit: float = p(0.1, 168.0, "hours/week", "a helper's own need at which they can give no help; "
                                "their help falls in proportion to their need below it")
    household_care_share: float = p(0.0, 1.0, "fraction", "share of a household member's need their main carer in the "
                                    "household takes on (they see it without being asked)")
    bereavement_wellbeing: float = p(0.0, 1.0, "wellbeing", "wellbeing lost by each tie of someone who dies")


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
def update_ties(key, week, indptr, degree, other, strength, kind, active, long_term, chance, network_pars, services_pars, mutual_aid):
    """Contact reinforces a tie, its absence decays it; weak non-household ties are dropped.

    ``chance[kind]`` is this week's contact chance by tie kind (:meth:`TieDynamics.contact_chance`);
    a package at either end crowds contact out (``services_pars.crowd_out``; who has one is ``long_term``, from
    :func:`mark_long_term`) and mutual aid raises contact along already-active ties.  One draw per tie
    and week, keyed by its two residents, so both copies change alike.  Each row is updated in place, recounting its ``active``
    ties, and compacted over dropped ties only if it lost one (rarely: a tie is dropped after months
    without contact).
    """
    n = degree.shape[0]
    ties_week = week_key(key, TIES, week)
    kept = 1.0 - services_pars.crowd_out
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
            if s >= network_pars.active_threshold:
                c = min(1.0, c * (1.0 + mutual_aid))
            if uniform_at(ties_week, min(i, j) * n + max(i, j), 0) < c:
                s += network_pars.reinforce * (1.0 - s)
            else:
                s *= 1.0 - network_pars.decay
            strength[k] = s
            count += s >= network_pars.active_threshold
            dropped |= kind[k] != codes.HOUSEHOLD and s < network_pars.drop_threshold
        active[i] = count
        if dropped:
            write = start
            for k in range(start, end):
                if kind[k] == codes.HOUSEHOLD or strength[k] >= network_pars.drop_threshold:
                    strength[write], other[write], kind[write] = strength[k], other[k], kind[k]
                    write += 1
            degree[i] = write - start


@njit(parallel=True, cache=True)
def form_ties(key, week, indptr, degree, other, strength, kind, active, hood_start, live_groups_start, live_groups,
              member_start, member_ids, group_rate, network_pars):
    """New neighbour ties within each neighbourhood and group-mate ties within each group.

    ``group_rate[g]`` is the expected number of new ties in group ``g`` this week; members of a group are
    ``member_ids[member_start[g]:member_start[g+1]]`` and the groups of neighbourhood ``h`` are
    ``live_groups[live_groups_start[h]:live_groups_start[h+1]]`` (alive after this week's community updates).  Every tie formed joins two residents of one
    neighbourhood, so neighbourhoods form theirs in parallel.
    """
    n_hoods = hood_start.shape[0] - 1
    for h in prange(n_hoods):
        size = hood_start[h + 1] - hood_start[h]
        expected = network_pars.neighbour_formation * size
        count = np.int64(expected) + (uniform(key, COMMUNITY, week, h, 0) < expected - np.int64(expected))
        for t in range(count):
            a = hood_start[h] + below(key, COMMUNITY, week, h, 1 + 2 * t, size)
            b = hood_start[h] + below(key, COMMUNITY, week, h, 2 + 2 * t, size)
            add_tie(indptr, degree, other, strength, kind, active, network_pars, i=a, j=b, s=0.3, tie_kind=codes.NEIGHBOUR)
        for slot in range(live_groups_start[h], live_groups_start[h + 1]):
            g = live_groups[slot]
            members = member_start[g + 1] - member_start[g]
            if members < 2:
                continue
            expected = group_rate[g]
            subject = n_hoods + g
            count = np.int64(expected) + (uniform(key, COMMUNITY, week, subject, 0) < expected - np.int64(expected))
            for t in range(count):
                a = member_ids[member_start[g] + below(key, COMMUNITY, week, subject, 1 + 2 * t, members)]
                b = member_ids[member_start[g] + below(key, COMMUNITY, week, subject, 2 + 2 * t, members)]
                add_tie(indptr, degree, other, strength, kind, active, network_pars, i=a, j=b, s=0.3,
                        tie_kind=codes.GROUPMATE)


class Ties(Component):
    """Phase: ties strengthen with contact and fade without it; neighbours and group-mates form new ties.

    Owns the ties (CSR rows with slack: row ``i`` owns ``indptr[i]:indptr[i+1]``, its first ``degree[i]``
    entries live; both copies of a tie hold the same strength and kind; ``active`` counts each row's active
    ties, kept by every change of a tie, so isolation and the active-tie measure never walk the ties again),
    the weekly contact chance by tie kind (``contact``, indexed by ``codes.TIE_KINDS``) and the week's bits of
    who is on a long-term package (``long_term``).  Measures the active ties (each counted at both ends).
    """

    name = "ties"
    Pars = NetworkPars
    arrays = (
        Array(TIE_PART, "indptr", np.int64, RESIDENT_STARTS, "", "first slot of each resident's row", start=None),
        Array(TIE_PART, "degree", np.int32, PER_RESIDENT, "ties", "live ties in each row", start=None),
        Array(TIE_PART, "other", np.int32, PER_TIE_SLOT, "resident", "the tie's other end", start=None),
        Array(TIE_PART, "strength", np.float64, PER_TIE_SLOT, "0-1", "tie strength", start=None),
        Array(TIE_PART, "kind", np.int8, PER_TIE_SLOT, "code", "tie kind (codes.TIE_KINDS)", start=None),
        Array(TIE_PART, "active", np.int32, PER_RESIDENT, "ties",
              "live ties at or above network.active_threshold (kept by every tie change)", start=None),
    )
    results = (Column("ties_active", "int", "ties", "ties at or above the active strength"),)

    def __init__(self, model):
        network = model.params.network
        self._contact = np.array([network.contact_household, network.contact_family, network.contact_friend,
                                  network.contact_neighbour, network.contact_groupmate])
        self._long_term = np.zeros((model.state.residents.n + 63) // 64, dtype=np.uint64)
        self._outside = np.arange(len(codes.TIE_KINDS)) != codes.HOUSEHOLD  # kinds a shock's fewer visits cut
        self._groupmate = np.arange(len(codes.TIE_KINDS)) == codes.GROUPMATE  # kinds paused groups cut
        sources = {**model.sources, "contact": self._contact, "long_term": self._long_term}
        self._mark_long_term = Kernel(mark_long_term, sources)
        self._update_ties = Kernel(update_ties, sources)
        self._form_ties = Kernel(form_ties, sources)
        self._groupmate_formation = network.groupmate_formation
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
        self._update_ties(week=week.week, chance=self.contact_chance(week.scenario),
                          mutual_aid=week.scenario.mutual_aid)
        member_start, member_ids = members_by_group(self._member, self._hood_start, self._group_activity.size)
        group_rate = self._groupmate_formation * self._group_members * self._group_activity * activity_mult
        live_groups_start, live_groups = groups_by_hood(self._group_hood, self._group_alive, self._hood_start.size - 1)
        self._form_ties(week=week.week, live_groups_start=live_groups_start, live_groups=live_groups,
                        member_start=member_start, member_ids=member_ids, group_rate=group_rate)

    def measures(self, model, week) -> dict:
        return {"ties_active": int(model.recorder.totals.active_tie_ends) // 2}
