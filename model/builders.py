"""Community builders and the connectors they recruit.

A builder site (one Mesa agent per neighbourhood with a site) walks the streets
and introduces residents who share an interest, recruits community connectors,
gives small-sparks grants that found groups, and holds celebrations that make
people aware of what goes on (``builder_introductions``, ``leeds_builder_role``,
``small_sparks_def``, ``celebration_principle`` in ``docs/evidence.md``).  Its
work shows nothing for ``builders.lag_weeks`` and then ramps up over
``builders.ramp_weeks`` (``leeds_seven_months``).  Connectors, recruited or
already living there, keep making introductions, and in a shock with mutual aid
each organises neighbours' help for the people they know (``gloucester_500_champions``).

Every effect is a change of ordinary state (ties, memberships, groups,
contributor roles, awareness), so what builders achieve for care demand emerges
through the same support and front-door mechanisms as everything else.  Draws
come from the BUILDERS stream keyed by neighbourhood (sites) or resident
(connectors), so they never shift any other mechanism's draws.
"""

from __future__ import annotations

import mesa
import numpy as np
from numba import njit, prange

from . import codes
from .community import found_group, join_group, shares_interest
from .draws import BLOCK, CELEBRATE, INTRODUCE, RECRUIT, RESIDENT_OFFSET, SPARK
from .rng import BUILDERS, below, uniform
from .state import Kernel
from .ties import add_tie

_TRIES = 12  # residents a builder or connector considers before giving up on an introduction
# Tallies a site keeps: introductions made, connectors recruited, groups founded, celebrations held
INTRODUCTIONS, CONNECTORS, GROUPS, CELEBRATIONS = 0, 1, 2, 3


def ramp_up(weeks_in_post: int, builders) -> float:
    """Share of full effect a builder has after ``weeks_in_post`` weeks: none during the lag, then linear."""
    return float(np.clip((weeks_in_post - builders.lag_weeks) / builders.ramp_weeks, 0.0, 1.0))


def site_hoods(deprivation: np.ndarray, coverage: float) -> np.ndarray:
    """Neighbourhoods that host a builder site: the most deprived ``coverage`` share (participation_gap)."""
    n_sites = int(round(coverage * deprivation.size))
    return np.sort(np.argsort(-deprivation, kind="stable")[:n_sites])


@njit(inline="always", cache=True)
def _count(key, week, subject, draw, expected):
    """How many times an action with this expected weekly count happens (stochastic rounding)."""
    whole = np.int64(expected)
    return whole + (uniform(key, BUILDERS, week, subject, draw) < expected - whole)


@njit(inline="always", cache=True)
def _can_take_part(service):
    return service != codes.RESIDENTIAL and service != codes.SHARED_LIVES


@njit(cache=True)
def introduce(key, week, subject, draw, i, lo, hi, interests, service, aware, indptr, degree, other, strength, kind,
              active, net, tie_strength):
    """Introduce resident ``i`` to a neighbour in ``[lo, hi)`` sharing one of their interests.

    Uses draws ``draw .. draw + _TRIES``.  Both become aware of local activity.
    Returns whether a new tie was made.
    """
    i = np.int64(i)
    for t in range(_TRIES):
        j = lo + below(key, BUILDERS, week, subject, draw + t, hi - lo)
        if j != i and interests[i] & interests[j] and _can_take_part(service[j]):
            if add_tie(indptr, degree, other, strength, kind, active, net, i=i, j=j, s=tie_strength,
                       tie_kind=codes.NEIGHBOUR):
                aware[i] = True
                aware[j] = True
                return True
    return False


@njit(cache=True)
def _interest_of(key, week, subject, draw, interests):
    """One of a resident's interest categories, chosen at random."""
    held = 0
    for c in range(32):
        held += (interests >> np.uint32(c)) & np.uint32(1)
    pick = below(key, BUILDERS, week, subject, draw, max(held, 1))
    for c in range(32):
        if (interests >> np.uint32(c)) & np.uint32(1):
            if pick == 0:
                return c
            pick -= 1
    return 0


@njit(cache=True)
def builder_week(key, week, h, effort, hood_start, interests, contributor, service, aware, member, indptr, degree,
                 other, strength, kind, active, group_hood, group_interest, group_activity, group_alive, net, bld,
                 tally):
    """One week of a builder site in neighbourhood ``h`` working at ``effort`` FTE-equivalents.

    Adds what was done to ``tally`` (see the tally indices above).
    """
    lo, hi = hood_start[h], hood_start[h + 1]
    if hi - lo < 2 or effort <= 0:
        return
    base = INTRODUCE * BLOCK
    for t in range(_count(key, week, h, base, bld.introductions_weekly * effort)):
        draw = base + 1 + t * (_TRIES + 1)
        i = lo + below(key, BUILDERS, week, h, draw, hi - lo)
        if _can_take_part(service[i]) and introduce(key, week, subject=h, draw=draw + 1, i=i, lo=lo, hi=hi,
                                                    interests=interests, service=service, aware=aware, indptr=indptr,
                                                    degree=degree, other=other, strength=strength, kind=kind,
                                                    active=active, net=net, tie_strength=bld.introduction_strength):
            tally[INTRODUCTIONS] += 1

    base = RECRUIT * BLOCK
    for t in range(_count(key, week, h, base, bld.connectors_yearly / 52.0 * effort)):
        for k in range(_TRIES):
            i = lo + below(key, BUILDERS, week, h, base + 1 + t * _TRIES + k, hi - lo)
            if contributor[i] != codes.CONNECTOR and _can_take_part(service[i]):
                contributor[i] = codes.CONNECTOR
                aware[i] = True
                tally[CONNECTORS] += 1
                break

    base = SPARK * BLOCK
    invite_draws = 4 * bld.spark_invites
    for t in range(_count(key, week, h, base, bld.grants_yearly / 52.0 * effort)):
        draw = base + 1 + t * (invite_draws + 2)
        founder = lo + below(key, BUILDERS, week, h, draw, hi - lo)
        if not _can_take_part(service[founder]):
            continue
        interest = _interest_of(key, week, h, draw + 1, interests[founder])
        g = found_group(0, h, interest, group_hood, group_interest, group_activity, group_alive)
        if g < 0:
            return
        tally[GROUPS] += 1
        join_group(member, founder, g)
        aware[founder] = True
        if contributor[founder] == codes.NOT_CONTRIBUTOR:
            contributor[founder] = codes.VOLUNTEER
        joined = 0
        for k in range(invite_draws):
            if joined == bld.spark_invites:
                break
            j = lo + below(key, BUILDERS, week, h, draw + 2 + k, hi - lo)
            if j != founder and shares_interest(interests[j], interest) and _can_take_part(service[j]):
                join_group(member, j, g)
                aware[j] = True
                joined += 1

    base = CELEBRATE * BLOCK
    for t in range(_count(key, week, h, base, bld.celebrations_yearly / 52.0 * effort)):
        tally[CELEBRATIONS] += 1
        for i in range(lo, hi):
            if uniform(key, BUILDERS, week, RESIDENT_OFFSET + i, base + 1 + t) < bld.celebration_reach:
                aware[i] = True


@njit(parallel=True, cache=True)
def connectors_week(key, week, hood_start, hood, interests, contributor, service, aware, indptr, degree, other,
                    strength, kind, active, net, bld):
    """Each connector, with weekly chance ``connector_introductions``, introduces someone they know
    in their neighbourhood to a neighbour sharing an interest.  Returns the introductions made.

    Everyone an introduction touches lives in the connector's neighbourhood, so neighbourhoods work in
    parallel, each in ascending order of its connectors.
    """
    made = 0
    for h in prange(hood_start.shape[0] - 1):
        for c in range(hood_start[h], hood_start[h + 1]):
            if contributor[c] != codes.CONNECTOR or not _can_take_part(service[c]) or degree[c] == 0:
                continue
            s = RESIDENT_OFFSET + c
            if uniform(key, BUILDERS, week, s, 0) >= bld.connector_introductions:
                continue
            i = other[indptr[c] + below(key, BUILDERS, week, s, 1, degree[c])]
            if hood[i] == h and _can_take_part(service[i]):
                made += introduce(key, week, subject=s, draw=2, i=i, lo=hood_start[h], hi=hood_start[h + 1],
                                  interests=interests, service=service, aware=aware, indptr=indptr, degree=degree,
                                  other=other, strength=strength, kind=kind, active=active, net=net,
                                  tie_strength=bld.introduction_strength)
    return made


@njit(cache=True)
def mutual_aid(contributor, helper_cap, indptr, degree, other, strength, net, hours, unmet, met_community):
    """Street champions in a shock: each connector able to help (``helper_cap > 0``) organises up to ``hours``
    of neighbours' help for the people they know (active ties) who still have unmet need, shared in
    proportion to that need.  Moves help from ``unmet`` to ``met_community``.

    Help reaches only people tied to a connector, so it surges where ties and connectors already exist
    (``gloucester_500_champions``, ``groundwork_before_crisis``, ``pandemic_unequal``).  Connectors are
    visited in index order, so the result does not depend on the thread count.
    """
    for c in range(contributor.shape[0]):
        if contributor[c] != codes.CONNECTOR or helper_cap[c] <= 0:
            continue
        wanted = 0.0
        for k in range(indptr[c], indptr[c] + degree[c]):
            if strength[k] >= net.active_threshold:
                wanted += unmet[other[k]]
        if wanted <= 0:
            continue
        fill = min(1.0, hours / wanted)
        for k in range(indptr[c], indptr[c] + degree[c]):
            if strength[k] >= net.active_threshold:
                j = other[k]
                got = unmet[j] * fill
                unmet[j] -= got
                met_community[j] += got


class Builder(mesa.Agent):
    """A community builder site: ``fte`` of builder time in one neighbourhood, with a small-sparks pot.

    The site opens when the policy starts; ``tally`` counts what it has done.
    """

    def __init__(self, model: mesa.Model, hood: int, fte: float, week_of_work: Kernel):
        super().__init__(model)
        self.hood = hood
        self.fte = fte
        self.tally = np.zeros(4, dtype=np.int64)
        self._week_of_work = week_of_work

    def effort(self) -> float:
        """FTE-equivalents of effect this week (zero before the policy starts and during the lag)."""
        return self.fte * ramp_up(self.model.week, self.model.params.builders)

    def step(self) -> None:
        self._week_of_work(week=self.model.clock, h=self.hood, effort=self.effort(), tally=self.tally)


class Builders:
    """Phase: community builder sites (Mesa agents, from the policy's first week) and the connectors.

    Connectors make introductions in every week of every policy, warm-up included; builder sites
    open in the most deprived ``policy.builder_coverage`` share of neighbourhoods when the policy
    starts.  Measures what they did this week.
    """

    def __init__(self, model):
        pol = model.params.policy
        sites = site_hoods(model.sources["hood_deprivation"], pol.builder_coverage if pol.builder_fte > 0 else 0.0)
        week_of_work = Kernel(builder_week, model.sources)
        self.sites = mesa.agent.AgentSet([Builder(model, int(h), pol.builder_fte, week_of_work) for h in sites],
                                         random=model.random)
        self._connectors_week = Kernel(connectors_week, model.sources)
        self._tally = np.zeros(4, dtype=np.int64)  # the sites' cumulative tally at the last record
        self._connector_introductions = 0

    def step(self, model, week) -> None:
        self._connector_introductions = self._connectors_week(week=week.clock)
        if week.policy_on:
            self.sites.do("step")

    def fte(self) -> float:
        """Builder FTE in post (costed whether or not their work shows yet)."""
        return sum(b.fte for b in self.sites)

    def measures(self, model, week) -> dict:
        total = np.sum([b.tally for b in self.sites], axis=0) if len(self.sites) else np.zeros(4, np.int64)
        done, self._tally = total - self._tally, total
        return {
            "builder_effort_fte": float(sum(b.effort() for b in self.sites)),  # FTE weighted by ramp-up
            "introductions": int(done[INTRODUCTIONS]) + self._connector_introductions,
            "connectors": int(model.recorder.totals["connectors"]),
            "connectors_recruited": int(done[CONNECTORS]),
            "groups_seeded": int(done[GROUPS]),
            "celebrations": int(done[CELEBRATIONS]),
        }
