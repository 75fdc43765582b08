"""Community builders: sites in the most deprived neighbourhoods, each a builder who walks the streets.

A builder site (one Mesa agent per neighbourhood with a site) introduces residents who share an interest,
recruits community connectors, gives small-sparks grants that found groups, and holds celebrations that
make people aware of what goes on (``builder_introductions``, ``leeds_builder_role``, ``small_sparks_def``,
``celebration_principle`` in ``docs/evidence.md``).  Its work shows nothing for ``lag_weeks`` and then
ramps up over ``ramp_weeks`` (``leeds_seven_months``).  The connectors it recruits go on making
introductions as every connector does (``phases/community.py``).

Every effect is a change of ordinary state (ties, memberships, groups, contributor roles, awareness), so
what builders achieve for care demand emerges through the same support and front-door mechanisms as
everything else.  Draws come from the BUILDERS stream keyed by neighbourhood, so they never shift any other
mechanism's draws.  Sites open when the policy starts; each costs ``site_cost_year`` per builder FTE in
post, whether or not its work shows yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np
from numba import njit

from .. import codes
from ..draws import BLOCK, CELEBRATE, INTRODUCE, RECRUIT, RESIDENT_OFFSET, SPARK
from ..lib.groups import found_group, join_group, shares_interest
from ..lib.introductions import TRIES, can_take_part, introduce
from ..params import kernel_view, p
from ..rng import BUILDERS, below, uniform
from ..schema import Column
from ..state import Kernel
from .programme import Programme

# Tallies a site keeps: introductions made, connectors recruited, groups founded, celebrations held
INTRODUCTIONS, CONNECTORS, GROUPS, CELEBRATIONS = 0, 1, 2, 3


@dataclass(frozen=True)
class BuildersPars:
    """Where the builder sites are, and what a site does (``model/programmes/builders.py``)."""

    coverage: float = p(0.0, 1.0, "fraction", "neighbourhoods with a community builder site, most deprived first")
    fte: float = p(0.0, 5.0, "FTE per site", "community builder time at each site")
    site_cost_year: float = p(0.0, 1e6, "GBP/FTE-year", "community builder site per builder FTE, incl. small-sparks pot")
    lag_weeks: int = p(0, 520, "weeks", "weeks in post before a builder's work shows any effect")
    ramp_weeks: int = p(1, 520, "weeks", "further weeks until a builder reaches full effect")
    introductions_weekly: float = p(0.0, 50.0, "per FTE-week", "residents introduced to someone sharing an interest")
    connectors_yearly: float = p(0.0, 100.0, "per FTE-year", "residents recruited as community connectors")
    grants_yearly: float = p(0.0, 100.0, "per FTE-year", "small-sparks grants, each founding a group")
    spark_invites: int = p(0, 100, "residents", "neighbours sharing the interest a new group invites")
    celebrations_yearly: float = p(0.0, 52.0, "per FTE-year", "celebrations of community activity")
    celebration_reach: float = p(0.0, 1.0, "fraction", "residents of the neighbourhood a celebration makes aware")


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
                 other, strength, kind, active, group_hood, group_interest, group_activity, group_alive, network_pars,
                 builders_pars, community_pars, tally):
    """One week of a builder site in neighbourhood ``h`` working at ``effort`` FTE-equivalents.

    Adds what was done to ``tally`` (see the tally indices above).
    """
    lo, hi = hood_start[h], hood_start[h + 1]
    if hi - lo < 2 or effort <= 0:
        return
    base = INTRODUCE * BLOCK
    for t in range(_count(key, week, h, base, builders_pars.introductions_weekly * effort)):
        draw = base + 1 + t * (TRIES + 1)
        i = lo + below(key, BUILDERS, week, h, draw, hi - lo)
        if can_take_part(service[i]) and introduce(key, week, subject=h, draw=draw + 1, i=i, lo=lo, hi=hi,
                                                    interests=interests, service=service, aware=aware, indptr=indptr,
                                                    degree=degree, other=other, strength=strength, kind=kind,
                                                    active=active, network_pars=network_pars, tie_strength=community_pars.introduction_strength):
            tally[INTRODUCTIONS] += 1

    base = RECRUIT * BLOCK
    for t in range(_count(key, week, h, base, builders_pars.connectors_yearly / 52.0 * effort)):
        for k in range(TRIES):
            i = lo + below(key, BUILDERS, week, h, base + 1 + t * TRIES + k, hi - lo)
            if contributor[i] != codes.CONNECTOR and can_take_part(service[i]):
                contributor[i] = codes.CONNECTOR
                aware[i] = True
                tally[CONNECTORS] += 1
                break

    base = SPARK * BLOCK
    invite_draws = 4 * builders_pars.spark_invites
    for t in range(_count(key, week, h, base, builders_pars.grants_yearly / 52.0 * effort)):
        draw = base + 1 + t * (invite_draws + 2)
        founder = lo + below(key, BUILDERS, week, h, draw, hi - lo)
        if not can_take_part(service[founder]):
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
            if joined == builders_pars.spark_invites:
                break
            j = lo + below(key, BUILDERS, week, h, draw + 2 + k, hi - lo)
            if j != founder and shares_interest(interests[j], interest) and can_take_part(service[j]):
                join_group(member, j, g)
                aware[j] = True
                joined += 1

    base = CELEBRATE * BLOCK
    for t in range(_count(key, week, h, base, builders_pars.celebrations_yearly / 52.0 * effort)):
        tally[CELEBRATIONS] += 1
        for i in range(lo, hi):
            if uniform(key, BUILDERS, week, RESIDENT_OFFSET + i, base + 1 + t) < builders_pars.celebration_reach:
                aware[i] = True


class Site(mesa.Agent):
    """A community builder site: ``fte`` of builder time in one neighbourhood, with a small-sparks pot.

    The site opens when the policy starts; ``tally`` counts what it has done.
    """

    def __init__(self, model: mesa.Model, hood: int, fte: float, week_of_work: Kernel, pars: BuildersPars):
        super().__init__(model)
        self.hood = hood
        self.fte = fte
        self.tally = np.zeros(4, dtype=np.int64)
        self._week_of_work = week_of_work
        self._pars = pars

    def effort(self) -> float:
        """FTE-equivalents of effect this week (zero before the policy starts and during the lag)."""
        return self.fte * ramp_up(self.model.policy_week, self._pars)

    def step(self) -> None:
        self._week_of_work(week=self.model.week, h=self.hood, effort=self.effort(), tally=self.tally)


class Builders(Programme):
    """Programme: community builder sites (Mesa agents), in the most deprived ``coverage`` share of
    neighbourhoods from the policy's first week.

    Adds its introductions to the week's (``introductions_made``) and measures its effort, the connectors it
    recruited, the groups it seeded, the celebrations it held and its cost.
    """

    name = "builders"
    Pars = BuildersPars
    after = "community"
    results = (
        Column("cost_community", "float", "GBP", "community builder sites", cost=True),
        Column("builder_effort_fte", "float", "FTE", "builders' effort this week, weighted by ramp-up"),
        Column("connectors_recruited", "int", "adults", "connectors recruited by builders this week"),
        Column("groups_seeded", "int", "groups", "groups founded with a small-sparks grant this week"),
        Column("celebrations", "int", "events", "celebrations held by builders this week"),
    )

    def __init__(self, model):
        super().__init__(model)
        pars = self.in_policy
        coverage = pars.coverage if pars is not None and pars.fte > 0 else 0.0
        sites = site_hoods(model.sources["hood_deprivation"], coverage)
        week_of_work = Kernel(builder_week, {**model.sources, "builders_pars": kernel_view(pars)}) if len(sites) else None
        self.sites = mesa.agent.AgentSet([Site(model, int(h), pars.fte, week_of_work, pars) for h in sites],
                                         random=model.random)
        self._introductions = model.sources["introductions_made"]
        self._tally = np.zeros(4, dtype=np.int64)  # the sites' cumulative tally at the last record

    def step(self, model, week) -> None:
        if week.policy_on:
            before = sum(int(site.tally[INTRODUCTIONS]) for site in self.sites)
            self.sites.do("step")
            self._introductions[0] += sum(int(site.tally[INTRODUCTIONS]) for site in self.sites) - before

    def fte(self) -> float:
        """Builder FTE in post (costed whether or not their work shows yet)."""
        return sum(b.fte for b in self.sites)

    def measures(self, model, week) -> dict:
        total = np.sum([b.tally for b in self.sites], axis=0) if len(self.sites) else np.zeros(4, np.int64)
        done, self._tally = total - self._tally, total
        cost_year = self.in_policy.site_cost_year if self.in_policy is not None else 0.0
        return {
            "cost_community": self.fte() * cost_year / 52,
            "builder_effort_fte": float(sum(b.effort() for b in self.sites)),  # FTE weighted by ramp-up
            "connectors_recruited": int(done[CONNECTORS]),
            "groups_seeded": int(done[GROUPS]),
            "celebrations": int(done[CELEBRATIONS]),
        }
