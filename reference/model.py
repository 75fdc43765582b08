"""The plain-Mesa reference model: the engine's weekly rules, one Python object per resident.

``ReferenceModel`` builds the same starting town as the engine (``model.population.build_population``,
converted into agents) and runs the same mechanisms in the same order with the same counter-based
draws, in plain Python loops over agents.  Two uses:

* a cross-check of the numba engine (``tests/test_reference.py``): written independently from the
  rules' descriptions, it gives the same per-step measures run by run, so a kernel that drifts
  from its rule (an optimisation that changes results, a parallel race) is caught;
* the speed baseline of ``benchmarks/bench_engine.py``.

Engine behaviours it reproduces on purpose, because they shape results:

* a group slot freed by dissolution is reused by the next group founded, and memberships refer to
  slots, so members of a group that dissolves in the week a new group takes its slot belong to the
  new group;
* an in-migrant takes the slot of the resident who died and, until the week's support is worked
  out, the slot's record of last week's support (``_CARRIED``), which their first week's
  reciprocity reads;
* triage and group referrals use the list of groups alive when the week's community step began.

Not reproduced: the neighbourhood table (the engine's ``neighbourhoods.parquet``) and costs, which
are linear functions of the recorded caseloads and hours.
"""

from __future__ import annotations

import math
from dataclasses import fields

import mesa
import numpy as np
import polars as pl

from model import codes
from model.builders import ramp_up, site_hoods
from model.params import Params
from model.population import build_population
from model.rng import BUILDERS, COMMUNITY, LIFE, TRIAGE, below, exponential, uniform, run_key
from model.state import Residents

from .agents import (_MIGRANT_AGE, _MIGRANT_AWARE, _MIGRANT_CONTRIB, _MIGRANT_INTEREST, _MIGRANT_PERSONAL,
                     RESIDENT_OFFSET, Group, Resident, Tie, add_tie, baseline_asking, baseline_wellbeing, can_take_part,
                     join_group, on_long_term, shares_interest)

# Triage draw indices (model/frontdoor.py)
_SHARED_LIVES, _UPTAKE, _PERSONAL_BUDGET = 0, 1, 2
# The slot's record of last week that an in-migrant inherits (see the module docstring)
_CARRIED = ("need", "met_service", "met_personal", "met_network", "met_community", "unmet", "helper_cap",
            "helper_load", "isolated", "crisis", "onsets")
_SCENARIO_MULTIPLIERS = ("onset_multiplier", "group_activity_multiplier", "mutual_aid", "helper_capacity_multiplier",
                         "group_funding_multiplier", "staff_multiplier")


class Site(mesa.Agent):
    """A community builder site in one neighbourhood (``model/builders.py`` describes the work)."""

    def __init__(self, model: "ReferenceModel", hood: int, fte: float):
        super().__init__(model)
        self.hood, self.fte = hood, fte
        self.tally = [0, 0, 0, 0]  # introductions, connectors recruited, groups founded, celebrations

    def effort(self) -> float:
        return self.fte * ramp_up(self.model.week, self.model.params.builders)

    def _count(self, draw: int, expected: float) -> int:
        whole = int(expected)
        return whole + (uniform(self.model.key, BUILDERS, self.model.clock, self.hood, draw) < expected - whole)

    def _pick(self, draw: int) -> Resident:
        residents = self.model.hood_residents[self.hood]
        return residents[below(self.model.key, BUILDERS, self.model.clock, self.hood, draw, len(residents))]

    def step(self) -> None:
        m, bld, h, week = self.model, self.model.params.builders, self.hood, self.model.clock
        residents = m.hood_residents[h]
        effort = self.effort()
        if len(residents) < 2 or effort <= 0:
            return
        block = 1 << 20
        for t in range(self._count(0, bld.introductions_weekly * effort)):
            draw = 1 + t * 13
            i = self._pick(draw)
            if can_take_part(i.service) and i.introduce(week, h, draw + 1, residents):
                self.tally[0] += 1
        for t in range(self._count(block, bld.connectors_yearly / 52.0 * effort)):
            for k in range(12):
                i = self._pick(block + 1 + t * 12 + k)
                if i.contributor != codes.CONNECTOR and can_take_part(i.service):
                    i.contributor, i.aware = codes.CONNECTOR, True
                    self.tally[1] += 1
                    break
        invites = 4 * bld.spark_invites
        for t in range(self._count(2 * block, bld.grants_yearly / 52.0 * effort)):
            draw = 2 * block + 1 + t * (invites + 2)
            founder = self._pick(draw)
            if not can_take_part(founder.service):
                continue
            held = [c for c in range(32) if shares_interest(founder.interests, c)]
            pick = below(m.key, BUILDERS, week, h, draw + 1, max(len(held), 1))
            group = m.found_group(0, h, held[pick] if held else 0)
            if group is None:
                return
            self.tally[2] += 1
            join_group(founder, group)
            founder.aware = True
            if founder.contributor == codes.NOT_CONTRIBUTOR:
                founder.contributor = codes.VOLUNTEER
            joined = 0
            for k in range(invites):
                if joined == bld.spark_invites:
                    break
                j = self._pick(draw + 2 + k)
                if j is not founder and shares_interest(j.interests, group.interest) and can_take_part(j.service):
                    join_group(j, group)
                    j.aware = True
                    joined += 1
        for t in range(self._count(3 * block, bld.celebrations_yearly / 52.0 * effort)):
            self.tally[3] += 1
            for i in residents:
                if uniform(m.key, BUILDERS, week, RESIDENT_OFFSET + i.slot, 3 * block + 1 + t) < bld.celebration_reach:
                    i.aware = True


class ReferenceModel(mesa.Model):
    """Residents as Mesa agents stepped by plain Python rules; records the engine's core weekly measures."""

    def __init__(self, params: Params):
        super().__init__(seed=params.seed)
        self.params = params
        self.key = run_key(params.seed)
        self.clock = 0
        self._build(build_population(params))
        pol = params.policy
        sites = site_hoods(np.asarray(self.deprivation), pol.builder_coverage if pol.builder_fte > 0 else 0.0)
        self.sites = mesa.agent.AgentSet([Site(self, int(h), pol.builder_fte) for h in sites], random=self.random)
        self.front_door_policy = params.warmup_policy
        self._overrun = 0.0
        self._recorded_tally = [0, 0, 0, 0]
        self.datacollector = mesa.DataCollector(model_reporters=_reporters())

    def _build(self, state) -> None:
        """Turn the engine's starting arrays into agents, shared tie objects and group slots."""
        r, ties, a, hd = state.residents, state.ties, state.associations, state.hoods
        self.deprivation = hd.deprivation.tolist()
        self.n_hoods = hd.deprivation.size
        self.pool = [0.0] * self.n_hoods
        self.pool_used = [0.0] * self.n_hoods
        self.groups = [Group(g, int(a.hood[g]), int(a.interest[g]), float(a.activity[g]), int(a.members[g]),
                             bool(a.alive[g])) for g in range(a.alive.size)]
        columns = {f.name: getattr(r, f.name).tolist() for f in fields(Residents) if f.name != "member"}
        indptr, degree = ties.indptr.tolist(), ties.degree.tolist()
        self.slots: list[Resident] = []
        for i in range(r.n):
            resident = Resident(self, i, indptr[i + 1] - indptr[i], **{name: col[i] for name, col in columns.items()})
            resident.member = [self.groups[g] if g >= 0 else None for g in r.member[i].tolist()]
            resident.contacted, resident.since_last = False, 0
            self.slots.append(resident)
        by_pair = {}
        other, strength, kind = ties.other.tolist(), ties.strength.tolist(), ties.kind.tolist()
        for i, resident in enumerate(self.slots):
            for k in range(indptr[i], indptr[i] + degree[i]):
                j = other[k]
                tie = by_pair.get((min(i, j), max(i, j)))
                if tie is None:
                    tie = by_pair[min(i, j), max(i, j)] = Tie(resident, self.slots[j], strength[k], kind[k])
                resident.ties.append(tie)
        start = hd.start.tolist()
        self.hood_residents = [self.slots[start[h]:start[h + 1]] for h in range(self.n_hoods)]

    @property
    def week(self) -> int:
        return self.clock - self.params.warmup_weeks

    def _scenario(self) -> dict:
        sc = self.params.scenario
        if sc.start_week <= self.week < sc.start_week + sc.duration_weeks:
            return {name: getattr(sc, name) for name in _SCENARIO_MULTIPLIERS}
        return {name: 0.0 if name == "mutual_aid" else 1.0 for name in _SCENARIO_MULTIPLIERS}

    # --- the week ----------------------------------------------------------------------------
    def step(self) -> None:
        """Life events, community, ties, support, wellbeing, front door, then record (policy weeks only)."""
        p, t, sc = self.params, self.clock, self._scenario()
        policy_on = self.week >= 0
        self.front_door_policy = p.policy if policy_on else p.warmup_policy
        community_first = policy_on and p.policy.mode == "community_first"
        groups_mult = sc["group_activity_multiplier"] * sc["group_funding_multiplier"]

        for r in self.slots:
            r.live_week(t, sc["onset_multiplier"])
        self.queue_deaths = sum(1 for r in self.slots if r.died and r.queued_since != codes.NEVER)
        self.deaths = self._replace_deceased(t)
        for r in self.slots:
            r.receive_services()

        self.hood_groups = [[] for _ in range(self.n_hoods)]
        for g in self.groups:
            if g.alive:
                self.hood_groups[g.hood].append(g)
        for r in self.slots:
            r.take_part(t, self.hood_groups[r.hood])
        for r in self.slots:
            r.aware = r.next_aware
        self._update_groups(t, groups_mult)
        self.connector_introductions = sum(r.connect_someone(t) for r in self.slots)
        if policy_on:
            self.sites.do("step")

        net = p.network
        contact = {codes.HOUSEHOLD: net.contact_household, codes.FAMILY: net.contact_family,
                   codes.FRIEND: net.contact_friend, codes.NEIGHBOUR: net.contact_neighbour,
                   codes.GROUPMATE: net.contact_groupmate}
        for r in self.slots:
            r.keep_in_touch(t, contact, sc["group_activity_multiplier"], sc["mutual_aid"])
        self._form_ties(t, sc["group_activity_multiplier"])

        for r in self.slots:
            r.set_helper_capacity(t, sc["helper_capacity_multiplier"])
        self._community_pool(groups_mult, sc["helper_capacity_multiplier"])
        self._allocate()
        if sc["mutual_aid"] > 0:
            for r in self.slots:
                r.organise_mutual_aid(sc["mutual_aid"] * p.builders.connector_aid_hours)
        for r in self.slots:
            r.feel(t)

        for r in self.slots:
            r.maybe_contact(t)
        pol = self.front_door_policy
        self.staff_available = (pol.staff_fte_per_10k * len(self.slots) / 10_000 * pol.productive_hours
                                * sc["staff_multiplier"])
        staff_hours = self._review_and_transition(t, self.staff_available + self._overrun)
        self._overrun = min(0.0, self._triage(t, staff_hours, community_first))
        if policy_on:
            self.datacollector.collect(self)
        self.clock += 1

    def run(self) -> pl.DataFrame:
        """Warm up, run the policy weeks and return the per-step table."""
        for _ in range(self.params.warmup_weeks + self.params.weeks):
            self.step()
        return self.steps_frame()

    def steps_frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.datacollector.model_vars)

    # --- life --------------------------------------------------------------------------------
    def _replace_deceased(self, week: int) -> int:
        """In slot order, each resident who died leaves; an adult moves into their slot and household."""
        p, key = self.params, self.key
        pop, n = p.population, len(self.slots)
        deaths = 0
        for i in range(n):
            old = self.slots[i]
            if not old.died:
                continue
            deaths += 1
            old.grieve_and_leave()
            personal = min(0.98, max(0.02, pop.personal_resources_mean - pop.personal_deprivation_effect
                                     * self.deprivation[old.hood] + 0.4 * (uniform(key, LIFE, week, i, _MIGRANT_PERSONAL) - 0.5)))
            first = int(uniform(key, LIFE, week, i, _MIGRANT_INTEREST) * pop.n_interests)
            second = int(uniform(key, LIFE, week, i, _MIGRANT_INTEREST + 1) * pop.n_interests)
            volunteer = uniform(key, LIFE, week, i, _MIGRANT_CONTRIB) < pop.contributor_share
            new = Resident(
                self, i, old.capacity, hood=old.hood, household=old.household,
                age=min(18.0 + exponential(key, LIFE, week, i, _MIGRANT_AGE, p.needs.migrant_age_mean), 95.0),
                personal=personal, wellbeing=baseline_wellbeing(personal, p.wellbeing),
                asking=baseline_asking(personal, p.support), interests=(1 << first) | (1 << second),
                chronic=0.0, acute=0.0, strain=0.0, burnout_until=codes.NEVER, dependency=0.0,
                service=codes.NO_SERVICE, service_hours=0.0, service_until=codes.NEVER, next_review=codes.NEVER,
                contributor=codes.VOLUNTEER if volunteer else codes.NOT_CONTRIBUTOR,
                aware=volunteer or uniform(key, LIFE, week, i, _MIGRANT_AWARE) < pop.awareness,
                weeks_unmet=0, queued_since=codes.NEVER, last_contact=codes.NEVER, contacts=0, died=False,
                contacted=False, since_last=0, **{name: getattr(old, name) for name in _CARRIED})
            self.slots[i] = new
            residents = self.hood_residents[old.hood]
            residents[residents.index(old)] = new
            old.remove()
            for j in range(max(0, i - 8), min(n, i + 9)):  # households are contiguous
                if j != i and self.slots[j].household == new.household:
                    add_tie(new, self.slots[j], 0.9, codes.HOUSEHOLD)
        return deaths

    # --- community ---------------------------------------------------------------------------
    def found_group(self, first_free: int, hood: int, interest: int) -> Group | None:
        """Open a group in the first free slot from ``first_free``; None when every slot is taken."""
        for group in self.groups[first_free:]:
            if not group.alive:
                group.alive, group.hood, group.interest, group.activity = True, hood, interest, 0.3
                return group
        return None

    def _update_groups(self, week: int, activity_mult: float) -> None:
        """Activity follows membership and funding; inactive groups dissolve; contributors found new ones."""
        comm = self.params.community
        age_sum = [0.0] * len(self.groups)
        age_sq = [0.0] * len(self.groups)
        for g in self.groups:
            g.members = 0
        for r in self.slots:
            for g in r.member:
                if g is not None:
                    g.members += 1
                    age_sum[g.slot] += r.age
                    age_sq[g.slot] += r.age * r.age
        for g in self.groups:
            if not g.alive:
                continue
            if g.members > 1:
                mean = age_sum[g.slot] / g.members
                g.diversity = min(1.0, math.sqrt(max(0.0, age_sq[g.slot] / g.members - mean * mean)) / 20.0)
            else:
                g.diversity = 0.0
            g.activity += comm.activity_rate * (min(1.0, g.members / comm.critical_mass) * activity_mult - g.activity)
            if g.activity < comm.dissolve_activity and activity_mult > 0:
                g.alive, g.activity = False, 0.0
        free = 0
        for h, residents in enumerate(self.hood_residents):
            contributors = sum(1 for r in residents if r.contributor != codes.NOT_CONTRIBUTOR)
            rate = comm.formation_weekly * contributors / (0.15 * len(residents)) if residents else 0.0
            if activity_mult <= 0 or uniform(self.key, COMMUNITY, week, h, 100) >= rate:
                continue
            group = self.found_group(free, h, below(self.key, COMMUNITY, week, h, 101, self.params.population.n_interests))
            if group is None:
                return
            free = group.slot
            for k, r in enumerate(residents):
                if (r.contributor != codes.NOT_CONTRIBUTOR or uniform(self.key, COMMUNITY, week, h, 200 + k) < 0.05) \
                        and shares_interest(r.interests, group.interest):
                    join_group(r, group)

    def _form_ties(self, week: int, group_mult: float) -> None:
        """New neighbour ties in each neighbourhood, new group-mate ties in each group."""
        key, net = self.key, self.params.network

        def pairs(subject: int, expected: float, people: list[Resident], tie_kind: int) -> None:
            count = int(expected) + (uniform(key, COMMUNITY, week, subject, 0) < expected - int(expected))
            for t in range(count):
                a = people[below(key, COMMUNITY, week, subject, 1 + 2 * t, len(people))]
                b = people[below(key, COMMUNITY, week, subject, 2 + 2 * t, len(people))]
                add_tie(a, b, 0.3, tie_kind)

        for h, residents in enumerate(self.hood_residents):
            pairs(h, net.neighbour_formation * len(residents), residents, codes.NEIGHBOUR)
        members = [[] for _ in self.groups]
        for r in self.slots:
            for g in r.member:
                if g is not None:
                    members[g.slot].append(r)
        for g in self.groups:
            if len(members[g.slot]) >= 2:
                rate = net.groupmate_formation * g.members * g.activity * group_mult
                pairs(self.n_hoods + g.slot, rate, members[g.slot], codes.GROUPMATE)

    # --- support -----------------------------------------------------------------------------
    def _community_pool(self, activity_mult: float, helper_mult: float) -> None:
        """Hours of community support each neighbourhood can give: volunteers and active groups."""
        comm = self.params.community
        for h, residents in enumerate(self.hood_residents):
            hours = 0.0
            for r in residents:
                if r.contributor != codes.NOT_CONTRIBUTOR and r.helper_cap > 0:
                    hours += comm.volunteer_hours * helper_mult
            self.pool[h], self.pool_used[h] = hours, 0.0
        for g in self.groups:
            if g.alive:
                self.pool[g.hood] += g.activity * comm.group_support_hours * activity_mult

    def _allocate(self) -> None:
        """Services and personal resources, two rounds of asking the network, then community support."""
        for r in self.slots:
            r.meet_own_need(self.front_door_policy.plan_support_hours)
        for _ in range(2):
            self._ask_network()
        cap = self.params.support.community_max_hours
        for h, residents in enumerate(self.hood_residents):
            wanted = 0.0
            for r in residents:
                r.ask = min(r.need - r.met_service - r.met_personal - r.met_network, cap) * r.community_access()
                wanted += r.ask
            fill = min(1.0, self.pool[h] / wanted) if wanted > 0 else 0.0
            used = 0.0
            for r in residents:
                r.met_community = r.ask * fill
                used += r.met_community
                r.unmet = max(0.0, r.need - r.met_service - r.met_personal - r.met_network - r.met_community)
            self.pool_used[h] = used

    def _ask_network(self) -> None:
        """One round: askers spread their request over ties with spare time by weight; each helper gives
        at most their spare time, filling every request by one ratio; the rest is asked again next round."""
        weight = self.params.network.household_weight
        for j in self.slots:
            j.has_spare = j.helper_cap - j.helper_load > 1e-9
        for i in self.slots:
            total = 0.0
            if i.ask > 0:
                for tie in i.ties:
                    if tie.other(i).has_spare:
                        total += tie.weight(weight)
            i.weight_total = total
            i.asking_now = i.ask > 0 and total > 0
        for j in self.slots:
            demand = 0.0
            if j.has_spare:
                for tie in j.ties:
                    i = tie.other(j)
                    if i.asking_now:
                        demand += i.ask * tie.weight(weight) / i.weight_total
            j.fill = min(1.0, (j.helper_cap - j.helper_load) / demand) if demand > 0 else 0.0
            j.helper_load += demand * j.fill
        for i in self.slots:
            got = 0.0
            if i.asking_now:
                for tie in i.ties:
                    got += i.ask * tie.weight(weight) / i.weight_total * tie.other(i).fill
            got = min(got, i.ask)
            i.met_network += got
            i.ask -= got

    # --- front door --------------------------------------------------------------------------
    def _spare_community(self, r: Resident) -> float:
        return max(0.0, self.pool[r.hood] - self.pool_used[r.hood])

    def _carried(self, r: Resident) -> float:
        """Hours a week ``r``'s ties and neighbourhood could carry now: what a strengths-based review looks for."""
        return min(self.params.support.community_max_hours, self._spare_community(r)) + r.network_spare()

    def _start_package(self, week: int, r: Resident) -> None:
        """A long-term package sized to the need nothing else meets (residential, day care or home care)."""
        svc, pol = self.params.services, self.front_door_policy
        if r.need >= svc.residential_hours and r.met_network < 0.3 * r.need and \
                uniform(self.key, TRIAGE, week, r.slot, _PERSONAL_BUDGET) >= pol.personal_budget_share:
            shared = uniform(self.key, TRIAGE, week, r.slot, _SHARED_LIVES) < svc.shared_lives_share
            r.service = codes.SHARED_LIVES if shared else codes.RESIDENTIAL
        elif r.isolated and r.unmet <= svc.day_care_max_hours:
            shared = uniform(self.key, TRIAGE, week, r.slot, _SHARED_LIVES) < svc.shared_lives_share
            r.service = codes.SHARED_LIVES if shared else codes.DAY_CARE
        else:
            r.service, r.service_hours = codes.HOME_CARE, r.unmet
        r.next_review = week + pol.review_weeks

    def _link_to_group(self, r: Resident) -> None:
        """Introduce ``r`` to the most active group in their neighbourhood sharing one of their interests."""
        r.aware = True
        if r.member[1] is not None:
            return
        best, best_activity = None, 0.0
        for g in self.hood_groups[r.hood]:
            if shares_interest(r.interests, g.interest) and g.activity > best_activity and r.member[0] is not g:
                best, best_activity = g, g.activity
        if best is not None:
            r.member[1 if r.member[0] is not None else 0] = best

    def _review_and_transition(self, week: int, staff_hours: float) -> float:
        """End due plans and reablement (reablement ends in an assessment); review long-term packages
        while staff hours last.  Returns the hours left."""
        pol, sup = self.front_door_policy, self.params.support
        self.transitions = [0, 0, 0]  # long-term starts, step-downs, reviews
        for r in self.slots:
            st = r.service
            if (st == codes.COMMUNITY_PLAN or st == codes.REABLEMENT) and r.service_until <= week:
                r.service, r.service_until = codes.NO_SERVICE, codes.NEVER
                need_for_service = r.unmet + r.met_service
                if st == codes.REABLEMENT and need_for_service >= pol.eligibility_hours and not (
                        pol.step_down and self._carried(r) >= need_for_service):
                    r.unmet += r.met_service
                    self._start_package(week, r)
                    self.transitions[0] += 1
            elif on_long_term(st) and r.next_review <= week and staff_hours >= pol.review_hours:
                staff_hours -= pol.review_hours
                self.transitions[2] += 1
                r.next_review = week + pol.review_weeks
                carried = self._carried(r)
                need_for_service = r.met_service + r.unmet
                if need_for_service < pol.eligibility_hours or (
                        pol.step_down and st != codes.RESIDENTIAL and carried >= need_for_service):
                    r.service, r.service_hours = codes.NO_SERVICE, 0.0
                    self.transitions[1] += 1
                elif st == codes.HOME_CARE:
                    r.service_hours = need_for_service
        return staff_hours

    def _triage(self, week: int, staff_hours: float, community_first: bool) -> float:
        """Serve the queue, oldest contact first, while staff hours remain; each outcome follows from the
        help the practitioner can find around the person.  Returns the hours left (negative: overrun)."""
        pol, sup, svc = self.front_door_policy, self.params.support, self.params.services
        self.outcomes = [0] * len(codes.OUTCOMES)
        self.hours_used = self.waited = self.assessments = 0
        for r in sorted((r for r in self.slots if r.queued_since != codes.NEVER), key=lambda r: r.queued_since):
            unmet = r.unmet
            spare_net = r.network_spare()
            asking = r.asking + pol.mobilisation * (1.0 - r.asking)
            found_net = min(spare_net * (1.0 + pol.connect_boost),
                            (asking - r.asking) * (r.need - r.met_service - r.met_personal))
            spare_pool = self._spare_community(r)
            acute_led = r.acute > 0.5 * r.need
            eligible = unmet >= pol.eligibility_hours
            if community_first:
                found_comm = min(sup.community_max_hours, spare_pool) * (1.0 if pol.link_groups else 0.5)
                if found_net + found_comm >= unmet:
                    outcome, hours = codes.RESOLVED, pol.contact_hours
                elif acute_led and eligible and pol.reablement_first:
                    outcome, hours = codes.SHORT_TERM, pol.contact_hours + pol.plan_hours
                elif not eligible or found_net + min(sup.community_max_hours, spare_pool) + pol.plan_support_hours >= unmet:
                    outcome, hours = codes.PLAN, pol.contact_hours + pol.plan_hours
                else:
                    outcome, hours = codes.LONG_TERM, pol.contact_hours + pol.plan_hours + pol.assessment_hours
            elif not eligible:
                outcome, hours = codes.SIGNPOSTED, pol.contact_hours
            elif acute_led and pol.reablement_first:
                outcome, hours = codes.SHORT_TERM, pol.contact_hours + pol.assessment_hours
            else:
                outcome, hours = codes.LONG_TERM, pol.contact_hours + pol.assessment_hours
            if staff_hours <= 0:
                break
            staff_hours -= hours

            if outcome in (codes.RESOLVED, codes.PLAN):
                cover = min(unmet, found_net)
                r.asking = asking
                self._mobilise(r, cover, spare_net)
                self.pool_used[r.hood] += min(max(0.0, unmet - cover), spare_pool)
                if pol.link_groups:
                    self._link_to_group(r)
                r.aware = True
                if outcome == codes.PLAN:
                    r.service, r.service_until = codes.COMMUNITY_PLAN, week + pol.plan_weeks
            elif outcome == codes.SIGNPOSTED:
                if uniform(self.key, TRIAGE, week, r.slot, _UPTAKE) < pol.signpost_uptake:
                    self._link_to_group(r)
            elif outcome == codes.SHORT_TERM:
                r.service, r.service_until = codes.REABLEMENT, week + svc.reablement_weeks
            else:
                self._start_package(week, r)
            r.weeks_unmet = -sup.patience_weeks
            self.outcomes[outcome] += 1
            self.hours_used += hours
            self.waited += week - r.queued_since
            self.assessments += outcome == codes.LONG_TERM or (outcome == codes.SHORT_TERM and not community_first)
            r.queued_since = codes.NEVER
        return staff_hours

    def _mobilise(self, r: Resident, cover: float, spare_total: float) -> None:
        """A connect conversation: book the ties' spare help the plan counts on and strengthen the ties."""
        boost = self.front_door_policy.connect_boost
        take = min(1.0, cover / spare_total) if spare_total > 0 else 0.0
        for tie in r.ties:
            j = tie.other(r)
            j.helper_load += take * tie.strength * tie.strength * max(0.0, j.helper_cap - j.helper_load)
            if boost > 0:
                tie.strength = tie.strength + boost * (1.0 - tie.strength)

    # --- measures ----------------------------------------------------------------------------
    def builder_tally(self) -> list[int]:
        """What the builder sites did since the last recorded week."""
        total = [sum(site.tally[k] for site in self.sites) for k in range(4)]
        week = [a - b for a, b in zip(total, self._recorded_tally)]
        self._recorded_tally = total
        return week


def _reporters() -> dict:
    """The engine's core per-step measures, each computed from the agents (names as in ``steps.parquet``)."""
    slots = lambda m: m.slots  # noqa: E731
    n = lambda m: len(m.slots)  # noqa: E731

    def need(m):
        return sum(r.need for r in m.slots)

    def unmet(m):
        return sum(r.unmet for r in m.slots)

    def carers(m):
        return [r for r in m.slots if r.helper_load > 0]

    def caseload(service):
        return lambda m: sum(1 for r in m.slots if r.service == service)

    def ties_active(m):
        threshold = m.params.network.active_threshold
        return sum(1 for r in m.slots for t in r.ties if t.strength >= threshold) // 2

    def alive_groups(m):
        return [g for g in m.groups if g.alive]

    reporters = {
        "week": lambda m: m.week,
        "deaths": lambda m: m.deaths,
        "contacts": lambda m: sum(r.contacted for r in slots(m)),
        "recontacts_12w": lambda m: sum(r.contacted and r.since_last <= 12 for r in slots(m)),
        "recontacts_26w": lambda m: sum(r.contacted and r.since_last <= 26 for r in slots(m)),
        **{f"outcome_{name}": (lambda k: lambda m: m.outcomes[k])(k) for k, name in enumerate(codes.OUTCOMES)},
        "contacts_served": lambda m: sum(m.outcomes),
        "queue_length": lambda m: sum(r.queued_since != codes.NEVER for r in slots(m)),
        "queue_deaths": lambda m: m.queue_deaths,
        "staff_hours_available": lambda m: m.staff_available,
        "staff_hours_used": lambda m: m.hours_used + m.transitions[2] * m.params.policy.review_hours,
        "statutory_starts": lambda m: m.outcomes[codes.LONG_TERM] + m.transitions[0],
        "full_assessments": lambda m: m.assessments + m.transitions[0],
        "step_downs": lambda m: m.transitions[1],
        "reviews": lambda m: m.transitions[2],
        "groups_active": lambda m: len(alive_groups(m)),
        "group_diversity": lambda m: (sum(g.diversity for g in alive_groups(m)) / len(alive_groups(m))
                                      if alive_groups(m) else 0.0),
        "ties_active": ties_active,
        "introductions": lambda m: m.builder_tally()[0] + m.connector_introductions,
        **{f"caseload_{name}": caseload(code) for code, name in enumerate(codes.SERVICES) if code},
        "caseload_long_term": lambda m: sum(1 for r in slots(m) if on_long_term(r.service)),
        "home_care_hours": lambda m: sum(r.met_service for r in slots(m) if r.service == codes.HOME_CARE),
        "need_hours": need,
        "unmet_hours": unmet,
        "unmet_share": lambda m: unmet(m) / need(m) if need(m) > 0 else 0.0,
        "with_unmet_need": lambda m: sum(r.unmet > m.params.support.unmet_threshold for r in slots(m)),
        "isolation_rate": lambda m: sum(r.isolated for r in slots(m)) / n(m),
        "wellbeing_mean": lambda m: sum(r.wellbeing for r in slots(m)) / n(m),
        "wellbeing_p10": lambda m: sorted(r.wellbeing for r in slots(m))[n(m) // 10],
        "carers": lambda m: len(carers(m)),
        "carer_strain_mean": lambda m: (sum(r.strain for r in carers(m)) / len(carers(m))) if carers(m) else 0.0,
        "carers_high_strain": lambda m: sum(r.strain >= 0.5 for r in carers(m)),
        "aware_share": lambda m: sum(r.aware for r in slots(m)) / n(m),
        "contributors": lambda m: sum(r.contributor != codes.NOT_CONTRIBUTOR for r in slots(m)),
        "group_members": lambda m: sum(r.member[0] is not None for r in slots(m)),
    }
    return reporters


def simulate(params: Params) -> pl.DataFrame:
    """Build and run one reference model; its per-step table."""
    return ReferenceModel(params).run()
