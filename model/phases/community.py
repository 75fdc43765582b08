"""Community life: memberships, group activity, formation and dissolution, contributors and reciprocity,
awareness of what goes on locally, and the introductions connectors make.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .. import codes
from ..component import Component
from ..draws import (AWARE, FOUND_GROUP, FOUND_INTEREST, FOUNDER_JOIN, JOIN, JOIN_PICK, LAPSE, LEAVE,
                     MIGRANT_AWARE, MIGRANT_CONTRIB, RECIPROCITY, RESIDENT_OFFSET, ROLE)
from ..lib.groups import close_gap, found_group, groups_by_hood, join_group, shares_interest
from ..lib.introductions import can_take_part, introduce
from ..lib.packages import in_care_home
from ..params import p
from ..rng import BUILDERS, COMMUNITY, LIFE, below, uniform, uniform_at, week_key
from ..schema import Column
from ..state import (ASSOCIATIONS, COUNCIL, HOOD_STARTS, HOODS, ONE, PER_GROUP, PER_RESIDENT, RESIDENTS,
                     Array, Kernel, SetBy)


@dataclass(frozen=True)
class CommunityPars:
    """Associations, contributors, awareness and reciprocity."""

    volunteer_hours: float = p(0.0, 40.0, "hours/week", "community support a contributor gives")
    group_support_hours: float = p(0.0, 200.0, "hours/week", "support an active group gives its area")
    critical_mass: float = p(1.0, 500.0, "members", "members at which a group is fully active")
    activity_rate: float = p(0.0, 1.0, "per week", "speed at which activity moves to its target")
    dissolve_activity: float = p(0.0, 1.0, "activity", "groups below this activity dissolve")
    formation_weekly: float = p(0.0, 1.0, "per neighbourhood-week", "new groups per neighbourhood at 15% contributors")
    join_weekly: float = p(0.0, 1.0, "per resident-week", "aware residents joining a matching group")
    leave_weekly: float = p(0.0, 1.0, "per membership-week", "memberships lapsing")
    reciprocity: float = p(0.0, 1.0, "per week", "people helped by the community who become contributors")
    contributor_lapse: float = p(0.0, 1.0, "per week", "contributors who stop (as many start, keeping the share)")
    awareness_spread: float = p(0.0, 1.0, "per tie-week", "awareness passed along an aware active tie")
    awareness_lapse: float = p(0.0, 1.0, "per week", "awareness forgotten")
    membership_confidence: float = p(0.0, 1.0, "per week", "personal resources gained by group members")
    group_room: int = p(1, 1000, "members", "members a group can take: practitioners link people only to groups with room")
    capacity: float = p(0.0, 10.0, "x", "community capacity: volunteers' and groups' support hours relative to the defaults")
    belonging_activity: float = p(0.0, 1.0, "activity",
                                  "activity at which a group's members belong (not isolated, gain confidence and wellbeing)")
    connector_introductions: float = p(0.0, 1.0, "per connector-week", "introductions a connector makes")
    introduction_strength: float = p(0.0, 1.0, "strength", "strength of the tie an introduction (by a connector "
                                     "or a community builder) creates")


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
                  degree, other, strength, group_interest, hood_groups_start, hood_groups, community_pars, population_pars, network_pars, reach,
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
            if g >= 0 and (uniform_at(community, s, LEAVE + slot) < community_pars.leave_weekly
                           or in_care_home(service[i])):
                member[i, slot] = -1
        close_gap(member, i)
        if aware[i] and member[i, 1] < 0 and not in_care_home(service[i]):
            if uniform_at(community, s, JOIN) < community_pars.join_weekly:
                h = hood[i]
                count = hood_groups_start[h + 1] - hood_groups_start[h]
                if count > 0:
                    g = hood_groups[hood_groups_start[h] + below(key, COMMUNITY, week, s, JOIN_PICK, count)]
                    if shares_interest(interests[i], group_interest[g]) and member[i, 0] != g:
                        member[i, 1 if member[i, 0] >= 0 else 0] = g

        if contributor[i] == codes.NOT_CONTRIBUTOR:
            # Volunteers start as often as they lapse (keeping the town's share), more so among people helped.
            share = population_pars.contributor_share
            start = community_pars.contributor_lapse * share / (1.0 - share) if share < 1 else 1.0
            if met_community[i] > 0 and unmet[i] <= 0:
                start += community_pars.reciprocity
            if not in_care_home(service[i]) and uniform_at(community, s, RECIPROCITY) < start:
                # New contributors keep the town's mix of roles: some are connectors.
                connects = uniform_at(community, s, ROLE) * share < population_pars.connector_share
                contributor[i] = codes.CONNECTOR if connects else codes.VOLUNTEER
        elif uniform_at(community, s, LAPSE) < community_pars.contributor_lapse or in_care_home(service[i]):
            contributor[i] = codes.NOT_CONTRIBUTOR

        if member[i, 0] >= 0 or contributor[i] != codes.NOT_CONTRIBUTOR:
            new_aware[i] = True
        elif aware[i]:
            new_aware[i] = uniform_at(community, s, AWARE) >= community_pars.awareness_lapse
        else:
            # The draw comes first: when it is above the chance with every tie aware, no tie need be read.
            u = uniform_at(community, s, AWARE)
            new_aware[i] = False
            if u < reach_bound[degree[i]]:
                aware_ties = 0
                for k in range(indptr[i], indptr[i] + degree[i]):
                    if aware[other[k]] and strength[k] >= network_pars.active_threshold:
                        aware_ties += 1
                new_aware[i] = u < reach[aware_ties]


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
                  community_pars, population_pars, activity_mult):
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
        target = min(1.0, min(1.0, group_members[g] / community_pars.critical_mass) * activity_mult)  # extra funding cannot lift it past full
        group_activity[g] += community_pars.activity_rate * (target - group_activity[g])
        if group_activity[g] < community_pars.dissolve_activity and activity_mult > 0:
            group_alive[g] = False
            group_activity[g] = 0.0
            dissolved = True
    if dissolved:  # members leave a dissolved group now, before its slot can be reused by a new group
        for i in range(member.shape[0]):
            for slot in range(2):
                if member[i, slot] >= 0 and not group_alive[member[i, slot]]:
                    member[i, slot] = -1
            close_gap(member, i)

    n_hoods = hood_start.shape[0] - 1
    free = 0
    for h in range(n_hoods):
        size = hood_start[h + 1] - hood_start[h]
        rate = community_pars.formation_weekly * hood_contributors[h] / (0.15 * size) if size > 0 else 0.0
        if activity_mult <= 0 or uniform(key, COMMUNITY, week, h, FOUND_GROUP) >= rate:
            continue
        free = found_group(free, h, below(key, COMMUNITY, week, h, FOUND_INTEREST, population_pars.n_interests), group_hood, group_interest,
                           group_activity, group_alive)
        if free < 0:
            return
        for i in range(hood_start[h], hood_start[h + 1]):
            if (contributor[i] != codes.NOT_CONTRIBUTOR or uniform(key, COMMUNITY, week, h, FOUNDER_JOIN + i - hood_start[h]) < 0.05) \
                    and shares_interest(interests[i], group_interest[free]):
                join_group(member, i, free)


@njit(parallel=True, cache=True)
def connectors_week(key, week, hood_start, hood, interests, contributor, service, aware, indptr, degree, other,
                    strength, kind, active, network_pars, community_pars):
    """Each connector, with weekly chance ``connector_introductions``, introduces someone they know
    in their neighbourhood to a neighbour sharing an interest.  Returns the introductions made.

    Everyone an introduction touches lives in the connector's neighbourhood, so neighbourhoods work in
    parallel, each in ascending order of its connectors.
    """
    made = 0
    for h in prange(hood_start.shape[0] - 1):
        for c in range(hood_start[h], hood_start[h + 1]):
            if contributor[c] != codes.CONNECTOR or not can_take_part(service[c]) or degree[c] == 0:
                continue
            s = RESIDENT_OFFSET + c
            if uniform(key, BUILDERS, week, s, 0) >= community_pars.connector_introductions:
                continue
            i = other[indptr[c] + below(key, BUILDERS, week, s, 1, degree[c])]
            if hood[i] == h and can_take_part(service[i]):
                made += introduce(key, week, subject=s, draw=2, i=i, lo=hood_start[h], hi=hood_start[h + 1],
                                  interests=interests, service=service, aware=aware, indptr=indptr, degree=degree,
                                  other=other, strength=strength, kind=kind, active=active, network_pars=network_pars,
                                  tie_strength=community_pars.introduction_strength)
    return made


@njit(cache=True)
def arrive(key, week, slots, contributor, aware, population_pars):
    """Whether each in-migrant volunteers (at the town's share) and knows what goes on locally."""
    for i in slots:
        is_contributor = uniform(key, LIFE, week, i, MIGRANT_CONTRIB) < population_pars.contributor_share
        contributor[i] = codes.VOLUNTEER if is_contributor else codes.NOT_CONTRIBUTOR
        aware[i] = is_contributor or uniform(key, LIFE, week, i, MIGRANT_AWARE) < population_pars.awareness


_DRAWN = SetBy("community", "drawn for the in-migrant (arrive)")
_THIS_WEEK = dict(carried=False)


class Community(Component):
    """Phase: memberships, contributors and awareness change; groups grow, dissolve and are founded; connectors
    make introductions (every week of every policy, warm-up included).

    Owns the groups and who belongs to them, contributors and awareness, and the week's list of groups per
    neighbourhood (``hood_groups_start``, ``hood_groups``: the groups alive before this week's updates, which
    practitioners read).  Keeps the double buffer for awareness, the chances of hearing of it through aware
    ties (``reach``, ``reach_bound``: fixed for the run, since rows never grow) and the week's tallies of
    groups.  Measures the groups alive and their age diversity, the connectors and the introductions made this
    week (``introductions_made``: by connectors here and by community builders after).
    """

    name = "community"
    Pars = CommunityPars
    arrays = (
        Array(RESIDENTS, "member", np.int32, PER_RESIDENT, "group", "group memberships, -1 for an empty slot",
              start=None, arrival=-1, width=2),
        Array(RESIDENTS, "contributor", np.int8, PER_RESIDENT, "code", "role (codes.NOT_CONTRIBUTOR, VOLUNTEER, "
              "CONNECTOR)", start=None, arrival=_DRAWN),
        Array(RESIDENTS, "aware", np.bool_, PER_RESIDENT, "", "aware of local community activity", start=None,
              arrival=_DRAWN),
        Array(ASSOCIATIONS, "hood", np.int32, PER_GROUP, "", "neighbourhood of a group slot", start=None),
        Array(ASSOCIATIONS, "interest", np.int32, PER_GROUP, "category", "the group's interest", start=None),
        Array(ASSOCIATIONS, "activity", np.float64, PER_GROUP, "0-1", "how active the group is", start=None),
        Array(ASSOCIATIONS, "members", np.int32, PER_GROUP, "members", "members", start=None),
        Array(ASSOCIATIONS, "alive", np.bool_, PER_GROUP, "", "the slot holds a group", start=None),
        Array(ASSOCIATIONS, "diversity", np.float64, PER_GROUP, "0-1",
              "age diversity of members (std of age / 20, capped at 1)", start=0.0),
        Array(HOODS, "groups_start", np.int64, HOOD_STARTS, "", "first of each neighbourhood's groups in "
              "hood_groups, as the week began", **_THIS_WEEK),
        Array(HOODS, "groups", np.int32, PER_GROUP, "group", "the groups alive as the week began, by neighbourhood",
              **_THIS_WEEK),
        Array(COUNCIL, "introductions_made", np.int64, ONE, "ties", "introductions made this week by connectors "
              "and community builders", **_THIS_WEEK),
    )
    results = (
        Column("groups_active", "int", "groups", "groups, clubs and venues alive"),
        Column("group_diversity", "float", "0-1", "mean age diversity of the groups alive"),
        Column("introductions", "int", "ties", "introductions made by builders and connectors"),
        Column("connectors", "int", "adults", "community connectors living in the town"),
    )

    def __init__(self, model):
        sources = model.sources
        self._group_hood, self._group_alive = sources["group_hood"], sources["group_alive"]
        self._group_diversity = sources["group_diversity"]
        self._hood_groups_start, self._hood_groups = sources["hood_groups_start"], sources["hood_groups"]
        self._introductions = sources["introductions_made"]
        self._n_hoods = sources["hood_households"].size
        self._aware = sources["aware"]
        self._new_aware = np.zeros_like(self._aware)
        reach, reach_bound = _awareness_reach(model.params.community.awareness_spread, sources["indptr"])
        n_groups = self._group_alive.size
        sources = {**sources, "new_aware": self._new_aware, "reach": reach, "reach_bound": reach_bound,
                   "group_age_sum": np.zeros(n_groups), "group_age_squares": np.zeros(n_groups),
                   "hood_contributors": np.zeros(self._n_hoods, dtype=np.int64)}
        self._update_people = Kernel(update_people, sources)
        self._tally_groups = Kernel(tally_groups, sources)
        self._update_groups = Kernel(update_groups, sources)
        self._connectors_week = Kernel(connectors_week, sources)
        self._arrive = Kernel(arrive, sources)

    def step(self, model, week) -> None:
        start, groups = groups_by_hood(self._group_hood, self._group_alive, self._n_hoods)
        self._hood_groups_start[:] = start
        self._hood_groups[:groups.size] = groups
        self._update_people(week=week.week)
        self._aware[:] = self._new_aware
        self._tally_groups()
        self._update_groups(week=week.week, activity_mult=week.group_multiplier)
        self._introductions[0] = self._connectors_week(week=week.week)

    def arrive(self, model, week, slots) -> None:
        self._arrive(week=week.week, slots=slots)

    def measures(self, model, week) -> dict:
        alive = self._group_alive
        return {"groups_active": int(alive.sum()),
                "group_diversity": float(self._group_diversity[alive].mean()) if alive.any() else 0.0,
                "introductions": int(self._introductions[0]),
                "connectors": int(model.recorder.totals.connectors)}

    def groups_per_hood(self) -> np.ndarray:
        """Groups alive in each neighbourhood (for the neighbourhoods table)."""
        return np.bincount(self._group_hood[self._group_alive], minlength=self._n_hoods)
