"""The Mesa model: one weekly step runs the numba kernels over the resident arrays.

A run starts with ``warmup_weeks`` under the service-first status quo (so
caseloads, queues and dependency exist when the policy changes), then runs
``weeks`` under the chosen policy and scenario.  Only the policy weeks are
recorded.  The warm-up uses the same draws whatever the policy, so every policy
starts from the identical town: common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np
import polars as pl

from . import codes
from .builders import (CELEBRATIONS, CONNECTORS, GROUPS, INTRODUCTIONS, Builder, connectors_week, mutual_aid,
                       site_hoods)
from .community import community_pool, groups_by_hood, members_by_group, update_groups, update_people
from .frontdoor import new_contacts, review_and_transition, service_effects, triage
from .life import life_events, replace_deceased
from .params import Params, kernel_view
from .population import build_population
from .recorder import Recorder, hood_sums
from .rng import run_key
from .support import SharingScratch, allocate, helper_capacity
from .ties import count_active, form_ties, update_ties
from .wellbeing import update_wellbeing

_N_OUT = len(codes.OUTCOMES)


@dataclass
class Results:
    """What a run produces: the per-step and per-neighbourhood tables."""

    steps: pl.DataFrame
    neighbourhoods: pl.DataFrame


class ResilienceModel(mesa.Model):
    """Residents of a town, their networks and groups, and the council's front door."""

    def __init__(self, params: Params, hood_every: int = 13):
        super().__init__(seed=params.seed)
        self.params = params
        self.key = run_key(params.seed)
        self.state = build_population(params)
        self.clock = 0  # weeks since the warm-up began; keys every draw
        self.recorder = Recorder(hood_every)
        r = self.state.residents
        n = r.n
        self._contacted = np.zeros(n, dtype=np.bool_)
        self._since_last = np.zeros(n, dtype=np.int32)
        self._scratch = SharingScratch.sized(n)
        self._new_aware = np.zeros(n, dtype=np.bool_)
        self._views = {name: kernel_view(getattr(params, name))
                       for name in ("needs", "network", "support", "community", "services", "wellbeing", "population")}
        self._status_quo = kernel_view(params.warmup_policy)
        self._policy = kernel_view(params.policy)
        self.fte = params.policy.staff_fte_per_10k * n / 10_000
        self.builder_view = kernel_view(params.builders)
        pol = params.policy
        sites = site_hoods(self.state.hoods.deprivation, pol.builder_coverage if pol.builder_fte > 0 else 0.0)
        self.builders = mesa.agent.AgentSet([Builder(self, int(h), pol.builder_fte) for h in sites], random=self.random)
        self._builder_tally = np.zeros(4, dtype=np.int64)  # builders' cumulative tally at the last record
        self._connector_introductions = 0
        self._overrun = 0.0  # front-door hours worked beyond last week's (carried as a deficit)

    @property
    def week(self) -> int:
        """Weeks since the policy started (negative during the warm-up)."""
        return self.clock - self.params.warmup_weeks

    def _scenario(self) -> dict:
        """Scenario multipliers in force this week."""
        sc = self.params.scenario
        on = sc.start_week <= self.week < sc.start_week + sc.duration_weeks
        names = ("onset_multiplier", "group_activity_multiplier", "mutual_aid", "helper_capacity_multiplier",
                 "group_funding_multiplier", "staff_multiplier")
        neutral = {name: (0.0 if name == "mutual_aid" else 1.0) for name in names}
        return {name: getattr(sc, name) for name in names} if on else neutral

    def step(self) -> None:
        """One week: life events, community, ties, support, front door, record."""
        s, v, key, t = self.state, self._views, self.key, self.clock
        r, ties, a, hd = s.residents, s.ties, s.associations, s.hoods
        sc = self._scenario()
        policy_on = self.week >= 0
        pol = self._policy if policy_on else self._status_quo
        community_first = policy_on and self.params.policy.mode == "community_first"
        groups_mult = sc["group_activity_multiplier"] * sc["group_funding_multiplier"]

        life_events(key, t, r.age, r.hood, hd.deprivation, r.chronic, r.acute, r.unmet, r.isolated, r.died, r.crisis,
                    r.onsets, v["needs"], sc["onset_multiplier"])
        self._queue_deaths = int((r.died & (r.queued_since != codes.NEVER)).sum())  # leave the queue unserved
        replace_deceased(key, t, r.died, r.age, r.hood, r.household, r.interests, r.chronic, r.acute, r.personal,
                         r.wellbeing, r.strain, r.burnout_until, r.dependency, r.service, r.service_hours,
                         r.service_until, r.next_review, r.member, r.contributor, r.aware, r.asking, r.weeks_unmet,
                         r.queued_since, r.last_contact, r.contacts,
                         (r.need, r.unmet, r.met_service, r.met_personal, r.met_network, r.met_community),
                         ties.indptr, ties.degree, ties.other,
                         ties.strength, ties.kind, hd.deprivation, v["needs"], v["population"],
                         self.params.population.n_interests, self.params.network.bereavement_wellbeing, v["wellbeing"],
                         v["support"])
        service_effects(r.service, r.chronic, r.personal, r.dependency, v["services"])

        hood_groups_start, hood_groups = groups_by_hood(a.hood, a.alive, hd.households.size)
        update_people(key, t, r.hood, r.interests, r.member, r.aware, r.contributor, r.service, r.met_community,
                      r.unmet, self.params.population.contributor_share, self.params.population.connector_share,
                      ties.indptr, ties.degree, ties.other, ties.strength, a.interest,
                      hood_groups_start, hood_groups, v["community"], v["network"].active_threshold, self._new_aware)
        r.aware[:] = self._new_aware
        update_groups(key, t, hd.start, r.hood, r.interests, r.member, r.contributor, r.age, a.hood, a.interest,
                      a.activity, a.members, a.alive, a.diversity, v["community"], self.params.population.n_interests,
                      groups_mult)
        self._connector_introductions = connectors_week(
            key, t, hd.start, r.hood, r.interests, r.contributor, r.service, r.aware, ties.indptr, ties.degree,
            ties.other, ties.strength, ties.kind, self.builder_view)
        if policy_on:
            self.builders.do("step")

        net = v["network"]
        contact = np.array([net.contact_household, net.contact_family, net.contact_friend, net.contact_neighbour,
                            net.contact_groupmate])
        update_ties(key, t, ties.indptr, ties.degree, ties.other, ties.strength, ties.kind, r.service, contact, net,
                    v["services"].crowd_out, sc["group_activity_multiplier"], sc["mutual_aid"])
        group_start, group_members = members_by_group(r.member, a.alive.size)
        group_rate = self.params.network.groupmate_formation * a.members * a.activity * sc["group_activity_multiplier"]
        form_ties(key, t, ties.indptr, ties.degree, ties.other, ties.strength, ties.kind, hd.start, group_start,
                  group_members, group_rate, net.neighbour_formation)

        helper_capacity(t, r.age, r.chronic, r.acute, r.strain, r.burnout_until, r.service, r.helper_cap, net,
                        sc["helper_capacity_multiplier"])
        community_pool(hd.start, r.contributor, r.helper_cap, a.hood, a.activity, a.alive, v["community"], hd.pool,
                       hd.pool_used, groups_mult, sc["helper_capacity_multiplier"])
        allocate(s, v["support"], net, v["services"], pol.plan_support_hours, self._scratch)
        if sc["mutual_aid"] > 0:
            mutual_aid(r.contributor, r.helper_cap, ties.indptr, ties.degree, ties.other, ties.strength,
                       net.active_threshold, sc["mutual_aid"] * self.params.builders.connector_aid_hours, r.unmet,
                       r.met_community)
        update_wellbeing(t, ties.indptr, ties.degree, ties.strength, r.member, a.activity, r.service, r.unmet,
                         r.helper_cap, r.helper_load, r.strain, r.burnout_until, r.personal, r.asking, r.wellbeing, r.isolated,
                         net, v["support"], v["community"], v["wellbeing"])

        new_contacts(key, t, r.unmet, r.crisis, r.weeks_unmet, r.service, r.queued_since, r.last_contact, r.contacts,
                     self._contacted, self._since_last, r.isolated, r.need, v["support"], pol)
        staff_hours = pol.staff_fte_per_10k * r.n / 10_000 * pol.productive_hours * sc["staff_multiplier"]
        available = staff_hours
        staff_hours += self._overrun  # last week's overrun (zero or negative)
        transitions = np.zeros(3)
        staff_hours = review_and_transition(
            key, t, staff_hours, r.need, r.unmet, r.met_service, r.met_network, r.isolated, r.service,
            r.service_hours, r.service_until, r.next_review, ties.indptr, ties.degree, ties.other, ties.strength,
            r.helper_cap, r.helper_load, hd.pool, hd.pool_used, r.hood, community_first, pol, v["services"],
            v["support"], transitions)
        waiting = np.flatnonzero(r.queued_since != codes.NEVER)
        order = waiting[np.argsort(r.queued_since[waiting], kind="stable")].astype(np.int64)
        counts = np.zeros(_N_OUT + 4)
        left = triage(key, t, staff_hours, order, r.need, r.acute, r.unmet, r.met_service, r.met_personal, r.met_network, r.asking, r.hood, r.interests, r.member,
               r.aware, r.isolated, r.weeks_unmet, r.service, r.service_hours, r.service_until, r.next_review,
               r.queued_since, ties.indptr, ties.degree, ties.other, ties.strength, r.helper_cap, r.helper_load,
               hd.pool, hd.pool_used, hood_groups_start, hood_groups, a.interest, a.activity, community_first, pol,
               v["services"], v["support"], counts)
        self._overrun = min(0.0, left)

        if policy_on:
            self._record(counts, transitions, available, sc)
        self.clock += 1

    def _record(self, counts: np.ndarray, transitions: np.ndarray, staff_available: float, sc: dict) -> None:
        s, p = self.state, self.params
        r, a = s.residents, s.associations
        sums = hood_sums(s, p.support.unmet_threshold, self._contacted, self._since_last)
        served = counts[_N_OUT + 1]
        caseload = np.bincount(r.service, minlength=len(codes.SERVICES))
        c = p.costs
        home_care_hours = float(r.met_service[r.service == codes.HOME_CARE].sum())
        cost_by_service = {
            "cost_home_care": home_care_hours * c.home_care_hour,
            "cost_day_care": caseload[codes.DAY_CARE] * c.day_care_week,
            "cost_residential": caseload[codes.RESIDENTIAL] * c.residential_week,
            "cost_shared_lives": caseload[codes.SHARED_LIVES] * c.shared_lives_week,
            "cost_reablement": caseload[codes.REABLEMENT] * c.reablement_week,
        }
        staff_cost_hour = c.staff_fte_year / 52 / p.policy.productive_hours
        plan_hours = float(r.met_service[r.service == codes.COMMUNITY_PLAN].sum())
        cost_staff = self.fte * sc["staff_multiplier"] * c.staff_fte_year / 52 + plan_hours * staff_cost_hour
        groups_per_hood = np.bincount(a.hood[a.alive], minlength=s.hoods.households.size)
        alive = a.alive
        extra = {
            **{f"outcome_{name}": int(counts[k]) for k, name in enumerate(codes.OUTCOMES)},
            "contacts_served": int(served),
            "mean_wait_weeks": counts[_N_OUT + 2] / served if served else 0.0,
            "queue_length": int((r.queued_since != codes.NEVER).sum()),
            "queue_deaths": self._queue_deaths,
            "staff_hours_available": staff_available,
            "staff_hours_used": counts[_N_OUT] + transitions[2] * p.policy.review_hours,
            "statutory_starts": int(counts[codes.LONG_TERM] + transitions[0]),
            "full_assessments": int(counts[_N_OUT + 3] + transitions[0]),  # at the front door or after reablement
            "step_downs": int(transitions[1]),
            "reviews": int(transitions[2]),
            "groups_active": int(alive.sum()),
            "group_diversity": float(a.diversity[alive].mean()) if alive.any() else 0.0,
            "ties_active": int(count_active(s.ties.indptr, s.ties.degree, s.ties.strength, p.network.active_threshold)),
            **{name: float(cost) for name, cost in cost_by_service.items()},
            "cost_statutory": float(sum(cost_by_service.values())),
            "cost_staff": cost_staff,
            "cost_community": sum(b.fte for b in self.builders) * c.builder_site_year / 52,
            **self._builder_activity(),
        }
        extra["cost_total"] = extra["cost_statutory"] + extra["cost_staff"] + extra["cost_community"]
        self.recorder.record(self.week, sums, extra, r.wellbeing, groups_per_hood)

    def _builder_activity(self) -> dict:
        """This week's community-building activity: builders' work and connectors' introductions."""
        total = np.sum([b.tally for b in self.builders], axis=0) if len(self.builders) else np.zeros(4, np.int64)
        week, self._builder_tally = total - self._builder_tally, total
        r = self.state.residents
        return {
            "builder_effort_fte": float(sum(b.effort() for b in self.builders)),  # FTE weighted by ramp-up
            "introductions": int(week[INTRODUCTIONS]) + self._connector_introductions,
            "connectors": int((r.contributor == codes.CONNECTOR).sum()),
            "connectors_recruited": int(week[CONNECTORS]),
            "groups_seeded": int(week[GROUPS]),
            "celebrations": int(week[CELEBRATIONS]),
        }

    def run(self) -> Results:
        """Warm up, run the policy weeks, and return the tables."""
        for _ in range(self.params.warmup_weeks + self.params.weeks):
            self.step()
        return Results(self.recorder.steps_frame(), self.recorder.hoods_frame(self.state.hoods.deprivation))


def simulate(params: Params) -> Results:
    """Build and run one model."""
    return ResilienceModel(params).run()
