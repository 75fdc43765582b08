"""The plain-Mesa reference model: the engine's weekly rules, one Python object per resident.

``ReferenceModel`` builds the same starting town as the engine (``model.population.build_population``,
converted into agents) and runs the same mechanisms in the same order with the same counter-based
draws, in plain Python loops over agents.  Two uses:

* a cross-check of the numba engine (``tests/test_reference.py``): each rule restated as plain
  per-agent Python gives the same per-step measures run by run, so a kernel that drifts from its
  rule (an optimisation that changes results, a parallel race) is caught;
* the speed baseline of ``benchmarks/bench_engine.py``.

Engine behaviours it reproduces on purpose, because they shape results:

* members leave a group as soon as it dissolves, before its slot can be reused by a new group;
* an in-migrant takes the slot of the resident who died with no record of last week's support, and
  until this week's are worked out, the slot's helper capacity, isolation flag and main carer (``_CARRIED``);
* in-migrants arrive one slot after another: two residents of one household who die in one week each grieve
  the other's in-migrant, as the ties stand when their turn comes;
* triage and group referrals use the list of groups alive when the week's community step began.

Not reproduced: the neighbourhood table (the engine's ``neighbourhoods.parquet``).
"""

from __future__ import annotations

import math
from functools import partial

import mesa
import numpy as np
import polars as pl

from model import codes
from model.components import Params
from model.population import build_population
from model.draws import (FOUND_GROUP, FOUND_INTEREST, FOUNDER_JOIN, MIGRANT_AGE, MIGRANT_AGE_WITHIN, MIGRANT_AWARE,
                         MIGRANT_CONTRIB, MIGRANT_INTEREST, MIGRANT_LIFELONG, MIGRANT_NEED, MIGRANT_PERSONAL,
                         MIGRANT_WEALTH)
from model.rng import COMMUNITY, LIFE, below, exponential, run_key, uniform
from model.week import practice_share, scenario_effects

from .agents import (Group, Resident, Tie, add_tie, age_from_draws, baseline_asking, baseline_wellbeing, join_group,
                     shares_interest, starting_need, wealth_share)
from .care_homes import CareHomes
from .frontdoor import FrontDoor
from .measures import reporters
from .programmes import COMMUNITY_PROGRAMMES, PROGRAMMES

# The slot's record of last week that an in-migrant inherits (see the module docstring)
_CARRIED = ("helper_cap", "helper_load", "carer", "care_received", "isolated", "onsets")
# Each resident's attributes at the start: the population builder's value where it sets one, else this.
_START = {"age": None, "hood": None, "household": None, "interests": None, "chronic": None, "lifelong": None,
          "acute": 0.0, "personal": None, "wellbeing": None, "wealthy": None, "strain": 0.0,
          "burnout_until": codes.NEVER, "dependency": 0.0, "hospital_until": codes.NEVER, "in_hospital": False,
          "discharged": False, "service": codes.NO_SERVICE, "service_hours": 0.0, "service_until": codes.NEVER,
          "long_term_since": codes.NEVER, "next_review": codes.NEVER, "last_review": codes.NEVER,
          "self_funded": False, "funds_until": codes.NEVER, "contributor": None, "aware": None, "asking": None,
          "need": None, "met_service": 0.0, "met_personal": 0.0, "met_network": 0.0, "met_community": 0.0,
          "unmet": 0.0, "helper_cap": 0.0, "helper_load": 0.0, "care_cap": 0.0, "carer": None, "care_received": 0.0,
          "isolated": False, "weeks_unmet": 0, "crisis": False, "died": False, "onsets": 0, "breaking": False,
          "queued_since": codes.NEVER, "last_contact": codes.NEVER, "contacts": 0, "route": codes.COMMUNITY_ROUTE,
          "contacted": False, "since_last": 0, "review_requested": False}
# What an in-migrant starts with where nothing is drawn for them (the engine's declared arrival values)
_ARRIVAL = {**{name: value for name, value in _START.items() if value is not None and name not in _CARRIED},
            "need": 0.0}


class ReferenceModel(FrontDoor, CareHomes, mesa.Model):
    """Residents as Mesa agents stepped by plain Python rules; records the engine's weekly measures."""

    def __init__(self, params: Params):
        super().__init__(seed=params.seed)
        self.params = params
        self.key = run_key(params.seed)
        self.week = 0
        self._build(build_population(params))
        running = {name for policy in (params.policy, params.warmup_policy) for name in policy.programmes}
        if running - PROGRAMMES.keys():
            raise NotImplementedError(f"the reference restates no rule for {', '.join(sorted(running - PROGRAMMES.keys()))}")
        self.programmes = [cls(self) for name, cls in PROGRAMMES.items() if name in running]
        self.programmes += [cls(self) for cls in COMMUNITY_PROGRAMMES]
        self.connection = next((p for p in self.programmes if hasattr(p, "find")), None)
        self.builders = next((p for p in self.programmes if p.name == "builders"), None)
        self.front_door_policy = params.warmup_policy
        self._team_hours = 0.0
        self.review_credit = 0.0
        self.starts = []
        self.datacollector = mesa.DataCollector(model_reporters=reporters())

    def _build(self, town: dict) -> None:
        """Turn the engine's starting arrays into agents, shared tie objects and group slots."""
        self.deprivation = town["hood_deprivation"].tolist()
        self.deprivation_mean = float(town["hood_deprivation"].mean())  # as the engine takes it (numpy's sum)
        self.share_65_84 = town["hood_share_65_84"].tolist()
        self.share_85_plus = town["hood_share_85_plus"].tolist()
        self.n_hoods = len(self.deprivation)
        self.pool = [0.0] * self.n_hoods
        self.pool_used = [0.0] * self.n_hoods
        self.groups = [Group(g, int(town["group_hood"][g]), int(town["group_interest"][g]),
                             float(town["group_activity"][g]), int(town["group_members"][g]),
                             bool(town["group_alive"][g])) for g in range(town["group_alive"].size)]
        n = town["indptr"].size - 1
        columns = {name: town[name].tolist() if name in town else [value] * n for name, value in _START.items()}
        indptr, degree = town["indptr"].tolist(), town["degree"].tolist()
        self.slots: list[Resident] = []
        for i in range(n):
            resident = Resident(self, i, indptr[i + 1] - indptr[i], **{name: col[i] for name, col in columns.items()})
            resident.member = [self.groups[g] if g >= 0 else None for g in town["member"][i].tolist()]
            self.slots.append(resident)
        by_pair = {}
        other, strength, kind = town["other"].tolist(), town["strength"].tolist(), town["kind"].tolist()
        for i, resident in enumerate(self.slots):
            for k in range(indptr[i], indptr[i] + degree[i]):
                j = other[k]
                tie = by_pair.get((min(i, j), max(i, j)))
                if tie is None:
                    tie = by_pair[min(i, j), max(i, j)] = Tie(resident, self.slots[j], strength[k], kind[k])
                resident.ties.append(tie)
        start = town["hood_start"].tolist()
        self.hood_residents = [self.slots[start[h]:start[h + 1]] for h in range(self.n_hoods)]

    def deprivation_array(self) -> np.ndarray:
        return np.asarray(self.deprivation)

    @property
    def policy_week(self) -> int:
        return self.week - self.params.warmup_weeks

    # --- the week ----------------------------------------------------------------------------
    def step(self) -> None:
        """The engine's phases in their order (``model/components.py: PHASES``), each programme right after the
        phase it follows: life, hospital, services, community (builders), ties, support (mutual aid),
        wellbeing, contacts (outreach, referral), the team, reviews, the front door (personal budgets), care
        homes; then record (policy weeks only)."""
        p, t, sc = self.params, self.week, scenario_effects(self.params.scenario, self.policy_week)._asdict()
        policy_on = self.policy_week >= 0
        self.front_door_policy = p.policy if policy_on else p.warmup_policy
        self.community_first = policy_on and p.policy.mode == "community_first"
        self.practice_share = practice_share(p.policy, self.policy_week)
        groups_mult = sc["group_activity_multiplier"] * sc["group_funding_multiplier"]

        for r in self.slots:
            r.live_week(t, sc["onset_multiplier"])
        self.queue_deaths = sum(1 for r in self.slots if r.died and r.queued_since != codes.NEVER)
        self.deaths = self._replace_deceased(t)

        for r in self.slots:
            r.hospital_week(t)

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
        for programme in self.programmes:
            if hasattr(programme, "after_community"):
                programme.after_community(self, t)

        net = p.network
        contact = {codes.HOUSEHOLD: net.contact_household, codes.FAMILY: net.contact_family,
                   codes.FRIEND: net.contact_friend, codes.NEIGHBOUR: net.contact_neighbour,
                   codes.GROUPMATE: net.contact_groupmate}
        chance_by_kind = {kind: contact[kind] * (sc["visit_multiplier"] if kind != codes.HOUSEHOLD else 1.0)
                          * (sc["group_activity_multiplier"] if kind == codes.GROUPMATE else 1.0) for kind in contact}
        for r in self.slots:
            r.keep_in_touch(t, chance_by_kind, sc["mutual_aid"])
        self._form_ties(t, sc["group_activity_multiplier"])

        for r in self.slots:
            r.set_helper_capacity(t, sc["helper_capacity_multiplier"])
        self._community_pool(groups_mult, sc["helper_capacity_multiplier"])
        self._allocate()
        for programme in self.programmes:
            if hasattr(programme, "after_support"):
                programme.after_support(self, t, sc["mutual_aid"])

        for r in self.slots:
            r.strain_week(t)
        self._carer_breakdowns()
        for r in self.slots:
            r.feel(t)

        for r in self.slots:
            r.maybe_contact(t)
        for programme in self.programmes:
            if hasattr(programme, "bring_in"):
                programme.bring_in(self, t)

        staff_hours = self._open_team_week(sc["staff_multiplier"])
        staff_hours = self._review_and_transition(t, staff_hours)
        self._team_hours = self._triage(t, staff_hours)
        for programme in self.programmes:
            if hasattr(programme, "after_front_door"):
                programme.after_front_door(self, t)

        self._care_home_admissions(t)
        if policy_on:
            self.builder_done = self.builders.tally() if self.builders else [0, 0, 0, 0]
            self.costs = self._week_costs(sc["staff_multiplier"])
            self.datacollector.collect(self)
        self.week += 1

    def run(self) -> pl.DataFrame:
        """Warm up, run the policy weeks and return the per-step table."""
        for _ in range(self.params.warmup_weeks + self.params.weeks):
            self.step()
        return self.steps_frame()

    def steps_frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.datacollector.model_vars)

    # --- life --------------------------------------------------------------------------------
    def _replace_deceased(self, week: int) -> int:
        """In slot order, each resident who died leaves (their ties grieve them and the ties go) and an adult moves
        into their slot: their age from their neighbourhood's age structure as the town was built (so in-migration
        keeps it), their personal resources, interests and roles, the wellbeing and asking those resources give,
        the chronic need someone of their age arrives with or a lifelong condition (``needs.lifelong_share``),
        whether they have assets above the upper capital limit, and their household: the dead's, tied back to the
        housemates, unless the in-migrant is under 65 and a housemate is 65 or over, whom the death leaves living alone
        (``ons_older_living_alone``: widowhood is how most older people come to live alone), and then one of
        their own (an id no household of the town as built has)."""
        p, key = self.params, self.key
        pop, nd, n = p.population, p.needs, len(self.slots)
        deaths, refilled = 0, set()
        for i in range(n):
            old = self.slots[i]
            if not old.died:
                continue
            deaths += 1
            refilled.add(i)
            old.grieve_and_leave()
            h = old.hood
            draw = partial(uniform, key, LIFE, week, i)  # the in-migrant's draw by index
            age = age_from_draws(draw(MIGRANT_AGE), draw(MIGRANT_AGE_WITHIN), self.share_65_84[h], self.share_85_plus[h])
            personal = min(0.98, max(0.02, pop.personal_resources_mean - pop.personal_deprivation_effect
                                     * self.deprivation[h] + 0.4 * (draw(MIGRANT_PERSONAL) - 0.5)))
            first = int(draw(MIGRANT_INTEREST) * pop.n_interests)
            second = int(draw(MIGRANT_INTEREST + 1) * pop.n_interests)
            lifelong = 0.0
            if draw(MIGRANT_LIFELONG) < nd.lifelong_share:
                lifelong = exponential(key, LIFE, week, i, MIGRANT_LIFELONG + 1, nd.lifelong_mean_hours)
            need = starting_need(draw(MIGRANT_NEED), draw(MIGRANT_NEED + 1), draw(MIGRANT_NEED + 2), age,
                                 self.deprivation[h], self.deprivation_mean, nd)
            volunteer = draw(MIGRANT_CONTRIB) < pop.contributor_share
            household = old.household
            survivors = [self.slots[j] for j in range(max(0, i - 8), min(n, i + 9))
                         if j != i and j not in refilled and not self.slots[j].died]
            if age < 65.0 and any(r.household == household and r.age >= 65.0 for r in survivors):
                household = n + i
            new = Resident(
                self, i, old.capacity, **_ARRIVAL, hood=h, household=household, age=age, personal=personal,
                wellbeing=baseline_wellbeing(personal, p.wellbeing), asking=baseline_asking(personal, p.support),
                interests=(1 << first) | (1 << second), lifelong=lifelong, chronic=max(lifelong, need),
                contributor=codes.VOLUNTEER if volunteer else codes.NOT_CONTRIBUTOR,
                aware=volunteer or draw(MIGRANT_AWARE) < pop.awareness,
                wealthy=draw(MIGRANT_WEALTH) < wealth_share(pop, self.deprivation[h]),
                **{name: getattr(old, name) for name in _CARRIED})
            self.slots[i] = new
            residents = self.hood_residents[h]
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
            g.activity += comm.activity_rate * (min(1.0, min(1.0, g.members / comm.critical_mass) * activity_mult) - g.activity)
            if g.activity < comm.dissolve_activity and activity_mult > 0:
                g.alive, g.activity = False, 0.0
        for r in self.slots:  # members leave a dissolved group before its slot can be reused
            kept = [g for g in r.member if g is not None and g.alive]
            r.member = kept + [None] * (2 - len(kept))
        free = 0
        for h, residents in enumerate(self.hood_residents):
            contributors = sum(1 for r in residents if r.contributor != codes.NOT_CONTRIBUTOR)
            rate = comm.formation_weekly * contributors / (0.15 * len(residents)) if residents else 0.0
            if activity_mult <= 0 or uniform(self.key, COMMUNITY, week, h, FOUND_GROUP) >= rate:
                continue
            group = self.found_group(free, h, below(self.key, COMMUNITY, week, h, FOUND_INTEREST, self.params.population.n_interests))
            if group is None:
                return
            free = group.slot
            for k, r in enumerate(residents):
                if (r.contributor != codes.NOT_CONTRIBUTOR or uniform(self.key, COMMUNITY, week, h, FOUNDER_JOIN + k) < 0.05) \
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
        """Hours of community support each neighbourhood can give: volunteers and active groups, times capacity."""
        comm = self.params.community
        for h, residents in enumerate(self.hood_residents):
            hours = 0.0
            for r in residents:
                if r.contributor != codes.NOT_CONTRIBUTOR and r.helper_cap > 0:
                    hours += comm.volunteer_hours * helper_mult
            self.pool[h], self.pool_used[h] = hours * comm.capacity, 0.0
        for g in self.groups:
            if g.alive:
                self.pool[g.hood] += g.activity * comm.group_support_hours * activity_mult * comm.capacity

    def _allocate(self) -> None:
        """Services and personal resources, the main carer, two rounds of asking the network, then community support."""
        for r in self.slots:
            r.meet_own_need(self.front_door_policy.plan_support_hours)
        self._main_care()
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

    def _main_care(self) -> None:
        """Each asker, in slot order, asks their closest able household or family tie (their main carer).

        A main carer sizes their care by the person's need beyond their own resources, not by what services
        leave: someone they live with sees it and takes on ``network.household_care_share`` of it, up to
        ``network.carer_hours``; a relative elsewhere the share the person asks for (``asking``), up to
        ``network.carer_hours_family``; a statutory package displaces some of it (``displaced``), and no carer
        gives more than the need services leave.  So carers of people on packages keep caring, as the Census and
        the carers' surveys count them (``census_care_bands``, ``carers_known_stretched``).  A carer asked by
        several people gives each request the same share of their care capacity (``barclay_one_carer``), and has
        light-help time to spare only beyond what they give.  What each asker then asks the rest of their network
        for is the share of the need left that they ask for (``asking``), less what their main carer gave."""
        net = self.params.network
        askers = [r for r in self.slots if r.ask > 0]
        demand = {}
        for r in askers:
            tie = r.closest_carer()
            if tie is not None:
                r.carer = tie.other(r)
                if tie.kind == codes.HOUSEHOLD:
                    share, most = net.household_care_share, net.carer_hours
                else:
                    share, most = r.asking, net.carer_hours_family
                r.request = min(max(0.0, r.beyond_own * share - r.displaced), most, r.ask)
                demand[r.carer.slot] = demand.get(r.carer.slot, 0.0) + r.request
        for r in askers:
            c = r.carer
            got = 0.0
            if c is not None:
                got = r.request * min(1.0, c.care_cap / demand[c.slot]) if demand[c.slot] > 0 else 0.0
                r.care_received = got
                r.met_network += got
                c.helper_load += got
            r.ask = max(0.0, r.ask * r.asking - got)
        for r in askers:
            if r.carer is not None:
                r.carer.helper_cap = max(r.carer.helper_cap, r.carer.helper_load)

    def _carer_breakdowns(self) -> None:
        """A carer who broke down this week stops at once: the people they were main carer of lose this week's
        care from them and have a crisis (``barclay_fragile``), which may bring them to the front door; the carer
        takes it back (in the order of their ties) and has no time to spare."""
        for r in self.slots:
            c = r.carer
            if c is not None and c.breaking:
                r.met_network = max(0.0, r.met_network - r.care_received)
                r.unmet += r.care_received
                r.crisis = True
        for c in self.slots:
            if c.breaking:
                withdrawn = 0.0
                for tie in c.ties:
                    if tie.other(c).carer is c:
                        withdrawn += tie.other(c).care_received
                left = c.helper_load - withdrawn
                c.helper_load = left if left > 1e-9 else 0.0
                c.helper_cap = c.helper_load

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
            j.demand = 0.0
        for i in self.slots:  # requests reach each helper in ascending order of asker, as in the engine
            if i.asking_now:
                for tie in i.ties:
                    j = tie.other(i)
                    if j.has_spare:
                        j.demand += i.ask * tie.weight(weight) / i.weight_total
        for j in self.slots:
            j.fill = min(1.0, (j.helper_cap - j.helper_load) / j.demand) if j.demand > 0 else 0.0
            j.helper_load += j.demand * j.fill
        for i in self.slots:
            got = 0.0
            if i.asking_now:
                for tie in i.ties:
                    if tie.other(i).has_spare:  # the ties in weight_total
                        got += i.ask * tie.weight(weight) / i.weight_total * tie.other(i).fill
            got = min(got, i.ask)
            i.met_network += got
            i.ask -= got

    # --- costs -------------------------------------------------------------------------------
    def _week_costs(self, staff_multiplier: float) -> dict:
        """What the week cost (``model/phases/costs.py``): each council-funded service at its unit cost, the team
        (paid whether or not its hours are used), grants to the voluntary sector per hour of community support
        delivered, the transition while a new practice ramps in, and the builder sites; ``cost_total`` is every
        line but ``cost_statutory`` (their subtotal) summed."""
        c, p = self.params.costs, self.params
        clients = [r for r in self.slots if not r.self_funded]

        def caseload(service):
            return sum(1 for r in clients if r.service == service)

        home_care_hours = sum((r.met_service for r in self.slots if r.service == codes.HOME_CARE and not r.in_hospital),
                              0.0)
        by_service = {"cost_home_care": home_care_hours * c.home_care_hour,
                      "cost_day_care": caseload(codes.DAY_CARE) * c.day_care_week,
                      "cost_low_level": caseload(codes.LOW_LEVEL) * c.low_level_week,
                      "cost_residential": caseload(codes.RESIDENTIAL) * c.residential_week,
                      "cost_nursing": caseload(codes.NURSING) * c.nursing_week,
                      "cost_shared_lives": caseload(codes.SHARED_LIVES) * c.shared_lives_week,
                      "cost_reablement": caseload(codes.REABLEMENT) * c.reablement_week}
        team = p.policy.staff_fte_per_10k * len(self.slots) / 10_000 * c.staff_fte_year / 52
        changes = (p.policy.mode, p.policy.review.name) != (p.warmup_policy.mode, p.warmup_policy.review.name)
        builders = self.builders.in_policy if self.builders else None
        costs = {**by_service,
                 "cost_staff": team * staff_multiplier,
                 "cost_community": (sum(site.fte for site in self.builders.sites) * builders.site_cost_year / 52
                                    if builders is not None else 0.0),
                 "cost_voluntary_sector": sum((r.met_community for r in self.slots), 0.0) * c.community_hour,
                 "cost_transition": (team * p.policy.transition_share if changes and self.practice_share < 1.0
                                     else 0.0)}
        return {**costs, "cost_total": sum(costs.values(), 0.0), "cost_statutory": sum(by_service.values(), 0.0)}


def simulate(params: Params) -> pl.DataFrame:
    """Build and run one reference model; its per-step table."""
    return ReferenceModel(params).run()
