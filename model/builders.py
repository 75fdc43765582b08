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
from numba import njit

from . import codes
from .community import found_group, join_group, shares_interest
from .rng import BUILDERS, below, uniform
from .ties import add_tie

# Draw indices in the BUILDERS stream: a site's actions (subject = neighbourhood) each own a block of draws.
_INTRODUCE, _RECRUIT, _SPARK, _CELEBRATE = 0, 1, 2, 3
_BLOCK = 1 << 20
_CONNECTOR_SUBJECT = 1 << 40  # connectors' subjects: residents, kept apart from neighbourhoods
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
              tie_strength):
    """Introduce resident ``i`` to a neighbour in ``[lo, hi)`` sharing one of their interests.

    Uses draws ``draw .. draw + _TRIES``.  Both become aware of local activity.
    Returns whether a new tie was made.
    """
    i = np.int64(i)
    for t in range(_TRIES):
        j = lo + below(key, BUILDERS, week, subject, draw + t, hi - lo)
        if j != i and interests[i] & interests[j] and _can_take_part(service[j]):
            if add_tie(indptr, degree, other, strength, kind, i, j, tie_strength, codes.NEIGHBOUR):
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
                 other, strength, kind, assoc_hood, assoc_interest, activity, alive, bld, tally):
    """One week of a builder site in neighbourhood ``h`` working at ``effort`` FTE-equivalents.

    Adds what was done to ``tally`` (see the tally indices above).
    """
    lo, hi = hood_start[h], hood_start[h + 1]
    if hi - lo < 2 or effort <= 0:
        return
    base = _INTRODUCE * _BLOCK
    for t in range(_count(key, week, h, base, bld.introductions_weekly * effort)):
        draw = base + 1 + t * (_TRIES + 1)
        i = lo + below(key, BUILDERS, week, h, draw, hi - lo)
        if _can_take_part(service[i]) and introduce(key, week, h, draw + 1, i, lo, hi, interests, service, aware,
                                                    indptr, degree, other, strength, kind, bld.introduction_strength):
            tally[INTRODUCTIONS] += 1

    base = _RECRUIT * _BLOCK
    for t in range(_count(key, week, h, base, bld.connectors_yearly / 52.0 * effort)):
        for k in range(_TRIES):
            i = lo + below(key, BUILDERS, week, h, base + 1 + t * _TRIES + k, hi - lo)
            if contributor[i] != codes.CONNECTOR and _can_take_part(service[i]):
                contributor[i] = codes.CONNECTOR
                aware[i] = True
                tally[CONNECTORS] += 1
                break

    base = _SPARK * _BLOCK
    invite_draws = 4 * bld.spark_invites
    for t in range(_count(key, week, h, base, bld.grants_yearly / 52.0 * effort)):
        draw = base + 1 + t * (invite_draws + 2)
        founder = lo + below(key, BUILDERS, week, h, draw, hi - lo)
        if not _can_take_part(service[founder]):
            continue
        interest = _interest_of(key, week, h, draw + 1, interests[founder])
        g = found_group(0, h, interest, assoc_hood, assoc_interest, activity, alive)
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

    base = _CELEBRATE * _BLOCK
    for t in range(_count(key, week, h, base, bld.celebrations_yearly / 52.0 * effort)):
        tally[CELEBRATIONS] += 1
        for i in range(lo, hi):
            if uniform(key, BUILDERS, week, _CONNECTOR_SUBJECT + i, base + 1 + t) < bld.celebration_reach:
                aware[i] = True


@njit(cache=True)
def connectors_week(key, week, hood_start, hood, interests, contributor, service, aware, indptr, degree, other,
                    strength, kind, bld):
    """Each connector, with weekly chance ``connector_introductions``, introduces someone they know
    in their neighbourhood to a neighbour sharing an interest.  Returns the introductions made."""
    made = 0
    for c in range(contributor.shape[0]):
        if contributor[c] != codes.CONNECTOR or not _can_take_part(service[c]) or degree[c] == 0:
            continue
        s = _CONNECTOR_SUBJECT + c
        if uniform(key, BUILDERS, week, s, 0) >= bld.connector_introductions:
            continue
        i = other[indptr[c] + below(key, BUILDERS, week, s, 1, degree[c])]
        h = hood[c]
        if hood[i] == h and _can_take_part(service[i]):
            made += introduce(key, week, s, 2, i, hood_start[h], hood_start[h + 1], interests, service, aware, indptr,
                              degree, other, strength, kind, bld.introduction_strength)
    return made


@njit(cache=True)
def mutual_aid(contributor, helper_cap, indptr, degree, other, strength, active_threshold, hours, unmet,
               met_community):
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
            if strength[k] >= active_threshold:
                wanted += unmet[other[k]]
        if wanted <= 0:
            continue
        fill = min(1.0, hours / wanted)
        for k in range(indptr[c], indptr[c] + degree[c]):
            if strength[k] >= active_threshold:
                j = other[k]
                got = unmet[j] * fill
                unmet[j] -= got
                met_community[j] += got


class Builder(mesa.Agent):
    """A community builder site: ``fte`` of builder time in one neighbourhood, with a small-sparks pot.

    The site opens when the policy starts; ``tally`` counts what it has done.
    """

    def __init__(self, model: mesa.Model, hood: int, fte: float):
        super().__init__(model)
        self.hood = hood
        self.fte = fte
        self.tally = np.zeros(4, dtype=np.int64)

    def effort(self) -> float:
        """FTE-equivalents of effect this week (zero before the policy starts and during the lag)."""
        return self.fte * ramp_up(self.model.week, self.model.params.builders)

    def step(self) -> None:
        m = self.model
        r, t, a = m.state.residents, m.state.ties, m.state.associations
        builder_week(m.key, m.clock, self.hood, self.effort(), m.state.hoods.start, r.interests, r.contributor,
                     r.service, r.aware, r.member, t.indptr, t.degree, t.other, t.strength, t.kind, a.hood,
                     a.interest, a.activity, a.alive, m.builder_view, self.tally)
