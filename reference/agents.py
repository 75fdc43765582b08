"""Residents, their ties and groups as plain Python objects, and each resident's own weekly rules.

A resident is a ``mesa.Agent`` with ordinary attributes; a tie is one object shared by both ends, so
a change of strength is seen from both sides; a group is one slot of the town's fixed pool of
association slots (a slot freed when a group dissolves is reused by the next group founded, as in
the engine).  Rules that involve only the resident and what they can see (their ties, their groups)
are methods here, with who a newcomer is (``lib.baselines``: an age, a starting need, assets); rules that need
the whole town in order (group formation, tie formation, support sharing, in-migration) live in
``reference/model.py``, the council's (the team, reviews, the queue) in ``reference/frontdoor.py``, and packages
and care homes in ``reference/care_homes.py``.

Every random draw is ``model.rng.uniform`` keyed exactly as in the engine's kernels, so a rule
written here and the same rule in ``model/`` see the same numbers.
"""

from __future__ import annotations

import math

import mesa

from model import codes
from model.draws import (ACUTE, ACUTE_SIZE, ADMITTED, AWARE, CARER_BREAKDOWN, DEATH, HEAVY_ONSET, IN_TOUCH, JOIN,
                         JOIN_PICK, LAPSE, LEAVE, ONSET, ONSET_SIZE, RECIPROCITY, RESIDENT_OFFSET, ROLE, STAY)
from model.rng import BUILDERS, COMMUNITY, CONTACT, HOSPITAL, LIFE, TIES, below, exponential, uniform


def on_long_term(service: int) -> bool:
    """Whether a service is a statutory long-term package (home care, day care, Shared Lives, a care home)."""
    return service >= codes.HOME_CARE


def in_care_home(service: int) -> bool:
    """Whether a service is a care home (residential or nursing)."""
    return service == codes.RESIDENTIAL or service == codes.NURSING


def lives_away(service: int) -> bool:
    """Whether someone lives in a placement (a care home or Shared Lives): no help to give, no group life."""
    return service >= codes.SHARED_LIVES


def can_take_part(service: int) -> bool:
    """Whether someone can meet neighbours or join in (not living in a care home or a Shared Lives placement)."""
    return not lives_away(service)


class Tie:
    """An undirected tie; the same object sits in both residents' ``ties`` lists."""

    __slots__ = ("a", "b", "strength", "kind", "updated")

    def __init__(self, a: "Resident", b: "Resident", strength: float, kind: int):
        self.a, self.b, self.strength, self.kind = a, b, strength, kind
        self.updated = -1  # week of the last contact-or-decay update

    def other(self, me: "Resident") -> "Resident":
        return self.b if self.a is me else self.a

    def weight(self, household_weight: float) -> float:
        """How much of a request goes along this tie (household ties are asked first)."""
        return self.strength * (household_weight if self.kind == codes.HOUSEHOLD else 1.0)


class Group:
    """One association slot: a group while ``alive``, free otherwise."""

    __slots__ = ("slot", "hood", "interest", "activity", "members", "alive", "diversity")

    def __init__(self, slot: int, hood: int, interest: int, activity: float, members: int, alive: bool):
        self.slot, self.hood, self.interest, self.activity = slot, hood, interest, activity
        self.members, self.alive, self.diversity = members, alive, 0.0


def shares_interest(interests: int, category: int) -> bool:
    return (interests >> category) & 1 == 1


def add_tie(i: "Resident", j: "Resident", strength: float, kind: int) -> bool:
    """Tie ``i`` and ``j`` unless they are the same, already tied, or either has no room; True if added."""
    if i is j or any(t.other(i) is j for t in i.ties):
        return False
    if len(i.ties) >= i.capacity or len(j.ties) >= j.capacity:
        return False
    tie = Tie(i, j, strength, kind)
    i.ties.append(tie)
    j.ties.append(tie)
    return True


def join_group(resident: "Resident", group: Group) -> None:
    """Take ``group`` into a free membership slot, unless already a member."""
    m = resident.member
    if m[0] is group or m[1] is group:
        return
    if m[0] is None:
        m[0] = group
    elif m[1] is None:
        m[1] = group


class Resident(mesa.Agent):
    """One adult: needs, resources and assets, ties, memberships, hospital stays, services and front-door history
    (attributes named as the engine's arrays)."""

    def __init__(self, model: mesa.Model, slot: int, capacity: int, **attributes):
        super().__init__(model)
        self.slot = slot  # position in the town, which keys the resident's draws
        self.capacity = capacity  # most ties the resident can hold
        self.ties: list[Tie] = []
        self.member: list[Group | None] = [None, None]
        self.__dict__.update(attributes)

    # --- life events -------------------------------------------------------------------------
    def live_week(self, week: int, onset_mult: float) -> None:
        """Age a week; die, fall ill or have an acute episode by the hazards of ``params.needs``.

        Mortality rises with age (Gompertz), need and isolation, and is ``mortality_care_home`` times higher in a
        care home (those admitted are the frailest: ``care_home_stay``).  Chronic need recovers slowly, grows with
        unmet need (the revolving door) and never falls below a lifelong condition's need (``lifelong``).  An
        onset's hazard rises with age and deprivation (and isolation), more steeply for someone already in need
        (``onset_progression``: frailty accumulates), and a share ``heavy_share`` of onsets are heavy conditions
        (dementia, a stroke: :func:`onset_size`), so heavy needs gather in fewer people (``hse_2021_adl``,
        ``census_care_bands``).  Acute episodes come more often to someone already in need
        (``acute_progression``)."""
        m, nd, i = self.model, self.model.params.needs, self.slot
        self.age += 1.0 / 52.0
        need_term = 1.0 + nd.mortality_need_effect * (self.chronic + self.acute)
        if in_care_home(self.service):
            need_term *= nd.mortality_care_home
        isolation_term = 1.0 + nd.mortality_isolation * self.isolated
        annual = math.exp(nd.mortality_log_base + nd.mortality_age_slope * self.age) * need_term * isolation_term
        u = uniform(m.key, LIFE, week, i, DEATH)
        self.died = u < annual and u < 1.0 - (1.0 - min(annual, 1.0)) ** (1.0 / 52.0)
        self.acute *= 1.0 - nd.acute_recovery
        self.chronic = max(self.lifelong, self.chronic * (1.0 - nd.chronic_recovery) + nd.deterioration * self.unmet)
        deprived = 1.0 + nd.onset_deprivation * m.deprivation[self.hood]
        accumulating = (1.0 + nd.onset_isolation * self.isolated) * onset_mult * (
            1.0 + nd.onset_progression * (self.chronic >= 1.0))
        frailty = nd.onset_age_factor ** ((self.age - 75.0) / 10.0) * deprived
        frail = 1.0 + nd.acute_progression * (self.chronic >= 1.0)
        if uniform(m.key, LIFE, week, i, ONSET) < nd.onset_weekly * frailty * accumulating:
            self.chronic += onset_size(uniform(m.key, LIFE, week, i, HEAVY_ONSET),
                                       uniform(m.key, LIFE, week, i, ONSET_SIZE), nd)
            self.onsets += 1
        self.crisis = uniform(m.key, LIFE, week, i, ACUTE) < nd.acute_weekly * frailty * frail
        if self.crisis:
            self.acute += exponential(m.key, LIFE, week, i, ACUTE_SIZE, nd.acute_mean_hours)
        total = self.chronic + self.acute
        if total > nd.max_need_hours:
            scale = nd.max_need_hours / total
            self.chronic *= scale
            self.acute *= scale

    def grieve_and_leave(self) -> None:
        """On death: everyone tied to this resident loses wellbeing, and the ties go."""
        bereavement = self.model.params.network.bereavement_wellbeing
        for tie in self.ties:
            j = tie.other(self)
            j.wellbeing = max(0.0, j.wellbeing - bereavement * tie.strength)
        for tie in self.ties:
            theirs = tie.other(self).ties
            k = theirs.index(tie)
            theirs[k] = theirs[-1]  # the engine's CSR rows delete by moving the last tie into the gap
            theirs.pop()
        self.ties = []

    # --- hospital ----------------------------------------------------------------------------
    def hospital_week(self, week: int) -> None:
        """Come home if the stay ends this week (``discharged``); else an acute episode this week is a hospital
        admission with chance ``hospital.admission``, for a stay of a week or more (geometric, mean ``stay_weeks``).  In
        hospital the NHS meets the person's need; most discharges that need support reach social care by the
        hospital route (``asc_fr_hospital_route``)."""
        m, hp, i = self.model, self.model.params.hospital, self.slot
        self.discharged = self.hospital_until == week
        if self.discharged:
            self.hospital_until = codes.NEVER
        elif self.crisis and self.hospital_until < week and uniform(m.key, HOSPITAL, week, i, ADMITTED) < hp.admission:
            stay = 1  # geometric: a chance 1 / stay_weeks of going home each week
            if hp.stay_weeks > 1.0:
                stay += int(math.log(1.0 - uniform(m.key, HOSPITAL, week, i, STAY)) / math.log(1.0 - 1.0 / hp.stay_weeks))
            self.hospital_until = week + stay
        self.in_hospital = self.hospital_until > week

    # --- services ----------------------------------------------------------------------------
    def receive_services(self) -> None:
        """Reablement restores (the acute part of need recovers faster, some chronic need is shed, confidence
        grows); a long-term package builds dependency and erodes personal resources (``premature_intervention``,
        ``nef_dependency``)."""
        svc = self.model.params.services
        if self.service == codes.REABLEMENT:
            self.acute *= 1.0 - svc.reablement_recovery
            self.chronic *= 1.0 - svc.reablement_gain
            self.personal += svc.reablement_gain * (1.0 - self.personal)
        if on_long_term(self.service):
            self.dependency += svc.dependency_rate * (1.0 - self.dependency)
            self.personal -= svc.resource_erosion * self.dependency * self.personal
        else:
            self.dependency -= svc.dependency_recovery * self.dependency

    # --- community ---------------------------------------------------------------------------
    def take_part(self, week: int, hood_groups: list[Group]) -> None:
        """Memberships lapse and form; volunteers start and stop; awareness spreads along active ties.

        Sets ``next_aware`` (everyone's awareness changes together, from last week's).
        """
        m, comm, pop = self.model, self.model.params.community, self.model.params.population
        s = RESIDENT_OFFSET + self.slot
        in_care = in_care_home(self.service)
        for slot in range(2):
            g = self.member[slot]
            if g is not None and (uniform(m.key, COMMUNITY, week, s, LEAVE + slot) < comm.leave_weekly or in_care):
                self.member[slot] = None
        if self.member[0] is None and self.member[1] is not None:
            self.member = [self.member[1], None]
        if self.aware and self.member[1] is None and not in_care:
            if uniform(m.key, COMMUNITY, week, s, JOIN) < comm.join_weekly and hood_groups:
                g = hood_groups[below(m.key, COMMUNITY, week, s, JOIN_PICK, len(hood_groups))]
                if shares_interest(self.interests, g.interest) and self.member[0] is not g:
                    self.member[1 if self.member[0] is not None else 0] = g

        share = pop.contributor_share
        if self.contributor == codes.NOT_CONTRIBUTOR:
            start = comm.contributor_lapse * share / (1.0 - share) if share < 1 else 1.0
            if self.met_community > 0 and self.unmet <= 0:
                start += comm.reciprocity
            if not in_care and uniform(m.key, COMMUNITY, week, s, RECIPROCITY) < start:
                connects = uniform(m.key, COMMUNITY, week, s, ROLE) * share < pop.connector_share
                self.contributor = codes.CONNECTOR if connects else codes.VOLUNTEER
        elif uniform(m.key, COMMUNITY, week, s, LAPSE) < comm.contributor_lapse or in_care:
            self.contributor = codes.NOT_CONTRIBUTOR

        if self.member[0] is not None or self.contributor != codes.NOT_CONTRIBUTOR:
            self.next_aware = True
        elif self.aware:
            self.next_aware = uniform(m.key, COMMUNITY, week, s, AWARE) >= comm.awareness_lapse
        else:
            active = m.params.network.active_threshold
            aware_ties = sum(1 for t in self.ties if t.other(self).aware and t.strength >= active)
            self.next_aware = aware_ties > 0 and (
                uniform(m.key, COMMUNITY, week, s, AWARE) < 1.0 - (1.0 - comm.awareness_spread) ** aware_ties)

    def introduce(self, week: int, subject: int, draw: int, neighbours: list["Resident"]) -> bool:
        """Introduce this resident to one of ``neighbours`` sharing an interest (up to 12 tries)."""
        m = self.model
        for t in range(12):
            j = neighbours[below(m.key, BUILDERS, week, subject, draw + t, len(neighbours))]
            if j is not self and self.interests & j.interests and can_take_part(j.service):
                if add_tie(self, j, m.params.community.introduction_strength, codes.NEIGHBOUR):
                    self.aware = j.aware = True
                    return True
        return False

    def connect_someone(self, week: int) -> bool:
        """As a connector: maybe introduce someone they know locally to a neighbour sharing an interest."""
        m = self.model
        if self.contributor != codes.CONNECTOR or not can_take_part(self.service) or not self.ties:
            return False
        s = RESIDENT_OFFSET + self.slot
        if uniform(m.key, BUILDERS, week, s, 0) >= m.params.community.connector_introductions:
            return False
        i = self.ties[below(m.key, BUILDERS, week, s, 1, len(self.ties))].other(self)
        if i.hood != self.hood or not can_take_part(i.service):
            return False
        return i.introduce(week, s, 2, m.hood_residents[self.hood])

    # --- ties --------------------------------------------------------------------------------
    def keep_in_touch(self, week: int, chance_by_kind: dict, mutual_aid: float) -> None:
        """Each tie is reinforced by contact or decays without it (once a week, whichever end comes
        first), with this week's contact chance of its kind; a package at either end crowds contact out;
        weak non-household ties are dropped from both ends' lists."""
        m, net = self.model, self.model.params.network
        kept = 1.0 - m.params.services.crowd_out
        n = len(m.slots)
        for tie in self.ties:
            if tie.updated == week:
                continue
            tie.updated = week
            j = tie.other(self)
            chance = chance_by_kind[tie.kind] * (kept if on_long_term(self.service) else 1.0)
            if on_long_term(j.service):
                chance *= kept
            if tie.strength >= net.active_threshold:
                chance = min(1.0, chance * (1.0 + mutual_aid))
            lo, hi = min(self.slot, j.slot), max(self.slot, j.slot)
            if uniform(m.key, TIES, week, lo * n + hi, 0) < chance:
                tie.strength += net.reinforce * (1.0 - tie.strength)
            else:
                tie.strength *= 1.0 - net.decay
        self.ties = [t for t in self.ties if t.kind == codes.HOUSEHOLD or t.strength >= net.drop_threshold]

    # --- support -----------------------------------------------------------------------------
    def set_helper_capacity(self, week: int, helper_mult: float) -> None:
        """Help this resident can give this week: light help to anyone they know (``helper_cap``, by age and own
        need) and, as a main carer of a household or family member, care (``care_cap``, by own need only); both
        fall in proportion to their own need, to none at ``network.carer_need_limit`` hours of it (many spouse
        carers have needs of their own: ``census_care_bands``).  None after a breakdown, in hospital, or living
        in a care home or a Shared Lives placement.  Strain does not shrink it: a carer keeps giving until they
        break down."""
        net = self.model.params.network
        if self.burnout_until > week or lives_away(self.service) or self.in_hospital:
            self.helper_cap = self.care_cap = 0.0
            return
        factor = 1.0 if self.age < 65 else (net.helper_hours_older if self.age < 85 else 0.25 * net.helper_hours_older)
        health = max(0.0, 1.0 - (self.chronic + self.acute) / net.carer_need_limit)
        self.helper_cap = net.helper_hours * factor * health * helper_mult
        self.care_cap = net.carer_hours * health * helper_mult

    def closest_carer(self) -> Tie | None:
        """The closest tie able to care: household or family, the largest weight (the first on equal weights)."""
        weight = self.model.params.network.household_weight
        best, best_weight = None, 0.0
        for tie in self.ties:
            if tie.kind in (codes.HOUSEHOLD, codes.FAMILY) and tie.other(self).care_cap > 0:
                w = tie.weight(weight)
                if w > best_weight:
                    best, best_weight = tie, w
        return best

    def meet_own_need(self, plan_hours: float) -> None:
        """Need this week, met first by any service, then by personal resources; what is left for the network
        (``ask``), the need beyond the person's own resources (``beyond_own``: what a main carer sizes their care
        by) and the main carer's care a statutory package displaces (``displaced``: ``services.crowd_out`` hours
        for each hour of a package or reablement).  A care home, a Shared Lives placement or a hospital bed meets
        all of it."""
        sup, svc = self.model.params.support, self.model.params.services
        total = self.chronic + self.acute
        self.need = total
        st = self.service
        if lives_away(st) or self.in_hospital:
            served = total
        elif st == codes.HOME_CARE:
            served = min(total, self.service_hours)
        elif st == codes.DAY_CARE:
            served = min(total, svc.day_care_hours)
        elif st == codes.REABLEMENT:
            served = min(total, svc.reablement_hours)
        elif st == codes.COMMUNITY_PLAN:
            served = min(total, plan_hours)
        elif st == codes.LOW_LEVEL:
            served = min(total, svc.low_level_hours)
        else:
            served = 0.0
        self.met_service = served
        own = min(total - served, self.personal * sup.personal_hours)
        self.met_personal = own
        self.ask = total - served - own
        self.beyond_own = total - min(total, self.personal * sup.personal_hours)
        self.displaced = svc.crowd_out * served if (on_long_term(st) or st == codes.REABLEMENT) else 0.0
        self.met_network = 0.0
        self.helper_load = 0.0
        self.carer, self.care_received = None, 0.0

    def community_access(self) -> float:
        """Share of remaining need this resident can bring to community support."""
        if self.service == codes.COMMUNITY_PLAN:
            return 1.0
        best = 0.0
        for g in self.member:
            if g is not None:
                best = max(best, g.activity)
        if self.aware:
            best = max(best, 0.5)
        return max(best, 0.1)

    def tie_spare(self, tie: Tie, main: Tie | None, agrees: bool) -> float:
        """Spare time along ``tie`` a practitioner can count on: from the main carer, only if they ``agree`` to give
        more (the council cannot assume a carer's time: Care and Support Statutory Guidance 13.4), the care they
        could still give (up to their household or family limit) less in proportion to their strain; from any
        other tie, its light help weighted by the square of its strength."""
        j, net = tie.other(self), self.model.params.network
        if tie is main:
            if not agrees:
                return 0.0
            limit = net.carer_hours if tie.kind == codes.HOUSEHOLD else net.carer_hours_family
            return max(0.0, min(j.care_cap, limit) - j.helper_load) * (1.0 - j.strain)
        return tie.strength * tie.strength * max(0.0, j.helper_cap - j.helper_load)

    def network_spare(self, agrees: bool) -> float:
        """Spare time of this resident's ties that a practitioner can count on."""
        main = self.closest_carer()
        return sum((self.tie_spare(tie, main, agrees) for tie in self.ties), 0.0)

    # --- after support -----------------------------------------------------------------------
    def strain_week(self, week: int) -> None:
        """Strain rises with the hours given this week against ``strain_hours`` and recovers; a strained carer
        breaks down with chance ``breakdown_weekly * strain**2`` (a draw of their life, the same under every
        policy for the same strain), so the risk rises progressively with the hours of care
        (``hirst_hours_distress``, ``barclay_breakdown``); one who breaks down (``breaking``) withdraws for
        ``burnout_weeks`` and their strain halves."""
        net = self.model.params.network
        self.strain = min(1.0, max(0.0, self.strain + net.strain_gain * self.helper_load / net.strain_hours
                                   - net.strain_recovery * self.strain))
        self.breaking = False
        if self.strain > 0.0 and self.burnout_until <= week:
            u = uniform(self.model.key, LIFE, week, self.slot, CARER_BREAKDOWN)
            self.breaking = u < net.breakdown_weekly * self.strain * self.strain
        if self.breaking:
            self.burnout_until = week + net.burnout_weeks
            self.strain *= 0.5

    def feel(self, week: int) -> None:
        """Isolation (groups count only while they meet), personal resources, asking, and wellbeing."""
        p = self.model.params
        net, sup, comm, wb = p.network, p.support, p.community, p.wellbeing
        active = sum(1 for t in self.ties if t.strength >= net.active_threshold)
        in_group = any(g is not None and g.activity >= comm.belonging_activity for g in self.member)
        self.isolated = active < 2 and not in_group and self.service != codes.DAY_CARE

        if in_group:
            self.personal += comm.membership_confidence * (1.0 - self.personal)
        if self.unmet > sup.unmet_threshold:
            self.personal -= wb.discouragement * self.personal
        self.asking += sup.asking_return * (baseline_asking(self.personal, sup) - self.asking)
        target = baseline_wellbeing(self.personal, wb) - wb.unmet_weight * min(1.0, self.unmet / wb.unmet_scale)
        target += wb.group_weight * in_group - wb.isolation_weight * self.isolated - wb.strain_weight * self.strain
        self.wellbeing = min(1.0, max(0.0, self.wellbeing + wb.adjustment * (target - self.wellbeing)))

    def maybe_contact(self, week: int) -> None:
        """This week's request, if any (programmes' routes are ``reference/programmes/``).

        Someone on a long-term package whose need has gone unmet for ``support.persist_weeks``, or who comes home
        from hospital, has their review brought forward to this week (``review_requested``) instead.  No one
        waiting, in hospital or in reablement asks again.  A discharge whose need exceeds what the person's own
        resources meet by ``hospital.discharge_hours`` is referred by the hospital (``asc_fr_hospital_route``);
        otherwise a crisis with unmet need brings a request with chance ``support.crisis_contact``, and unmet need
        that has lasted ``persist_weeks`` with a chance rising with the hours unmet."""
        m = self.model
        sup = m.params.support
        self.contacted = self.review_requested = False
        self.weeks_unmet = self.weeks_unmet + 1 if self.unmet > sup.unmet_threshold else 0
        if on_long_term(self.service):  # a self-funder's care home is theirs to arrange: no review to ask for
            if not self.self_funded and (self.weeks_unmet >= sup.persist_weeks or self.discharged) \
                    and self.next_review > week:
                self.next_review, self.review_requested = week, True
            return
        if self.queued_since != codes.NEVER or self.service == codes.REABLEMENT or self.in_hospital:
            return
        if self.discharged and self.need - self.personal * sup.personal_hours >= m.params.hospital.discharge_hours:
            self.come_in(week, codes.HOSPITAL_ROUTE)
            return
        chance = 0.0
        if self.crisis and self.unmet > sup.unmet_threshold:
            chance = sup.crisis_contact
        if self.weeks_unmet >= sup.persist_weeks:
            chance = max(chance, sup.contact_weekly * min(1.0, self.unmet / sup.contact_scale_hours))
        if chance > 0 and self.in_touch(week) < chance:
            self.come_in(week)

    def in_touch(self, week: int) -> float:
        """This week's draw of whether the resident is in touch with the front door, by any route."""
        return uniform(self.model.key, CONTACT, week, self.slot, IN_TOUCH)

    def open_to_route(self, week: int) -> bool:
        """Whether a programme's route may bring this resident in: no service, not in hospital, no contact waiting,
        none lately."""
        return (self.service == codes.NO_SERVICE and not self.in_hospital and self.queued_since == codes.NEVER
                and week - self.last_contact > self.model.params.support.patience_weeks)

    def come_in(self, week: int, route: int = codes.COMMUNITY_ROUTE) -> None:
        """The resident's request joins the front door's queue, by ``route`` (``codes.ROUTES``)."""
        self.route = route
        self.contacted = True
        self.since_last = week - self.last_contact
        self.last_contact = week
        self.contacts += 1
        self.queued_since = week


def matching_group(model, r):
    """The most active group in ``r``'s neighbourhood sharing an interest, with room, that ``r`` is not in (the
    groups alive as the week began)."""
    best, best_activity = None, 0.0
    for g in model.hood_groups[r.hood]:
        if shares_interest(r.interests, g.interest) and g.activity > best_activity and r.member[0] is not g \
                and g.members < model.params.community.group_room:
            best, best_activity = g, g.activity
    return best


def take_place(r, group) -> None:
    """``r`` joins ``group`` (if any, and they have room), taking its place at once."""
    if group is not None and r.member[1] is None:
        r.member[1 if r.member[0] is not None else 0] = group
        group.members += 1


def baseline_asking(personal: float, sup) -> float:
    return min(1.0, sup.asking_base + sup.asking_personal * personal)


def baseline_wellbeing(personal: float, wb) -> float:
    return min(1.0, wb.base + wb.personal_weight * personal)


def wealth_share(pop, deprivation: float) -> float:
    """Chance that an adult in a neighbourhood of this ``deprivation`` has assets above the upper capital limit
    (and would pay for a care home themselves): ``population.wealth_share``, less as deprivation rises."""
    return pop.wealth_share * (1.0 - pop.wealth_deprivation_effect * deprivation)


def age_from_draws(band: float, within: float, share_65_84: float, share_85_plus: float) -> float:
    """An adult's age from two uniforms: the band (85 and over with chance ``share_85_plus``, 65-84 with chance
    ``share_65_84``, else 18-64), then the age within it (uniform, or 85 plus an exponential of mean 4 years up
    to 104.9)."""
    if band >= 1.0 - share_85_plus:
        return 85.0 + min(-4.0 * math.log(1.0 - within), 19.9)
    if band < share_65_84:
        return 65.0 + 20.0 * within
    return 18.0 + 47.0 * within


def starting_need(has: float, heavy: float, size: float, age: float, deprivation: float, deprivation_mean: float,
                  nd) -> float:
    """Chronic need someone of this ``age`` arrives with, from three uniforms: whether they have any (a prevalence
    rising with age as the onset hazard does, ``needs.initial_need_share_85`` at 87, and with their
    neighbourhood's deprivation above the town's mean), whether it is a heavy condition (``needs.heavy_share``:
    :func:`onset_size`), and its size (a light one exponential of mean twice ``needs.onset_mean_hours``), up to
    ``needs.max_need_hours``."""
    prevalence = nd.initial_need_share_85 * nd.onset_age_factor ** ((age - 87.0) / 10.0)
    prevalence *= 1.0 + 0.5 * nd.onset_deprivation * (deprivation - deprivation_mean)
    if has >= prevalence:
        return 0.0
    if heavy < nd.heavy_share:
        return min(onset_size(heavy, size, nd), nd.max_need_hours)
    return min(-2.0 * nd.onset_mean_hours * math.log(1.0 - size), nd.max_need_hours)


def onset_size(heavy: float, size: float, nd) -> float:
    """Hours of need an onset adds, from two uniforms: a heavy condition with chance ``needs.heavy_share``,
    between half and one and a half times ``needs.heavy_mean_hours`` (uniform), else a light one, exponential
    of mean ``needs.onset_mean_hours``."""
    if heavy < nd.heavy_share:
        return nd.heavy_mean_hours * (0.5 + size)
    return -nd.onset_mean_hours * math.log(1.0 - size)
