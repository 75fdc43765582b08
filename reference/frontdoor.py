"""The council's practice work in plain Python: the rules of ``model/phases/`` team, reviews and front door.

The team's hours go first to supporting people on plans, then to assessments when plans and reablement end and
to the reviews due (within the review budget, oldest due first), then to the queue, discharges from hospital
first and then oldest request first, while hours remain; each outcome follows from the need left unmet and the
help the practitioner can find around the person.  Each piece of work is done in the policy's practice with
chance ``practice_share`` (it ramps in), else in the status quo's.
"""

from __future__ import annotations

from model import codes
from model.draws import CARER_AGREES, PRACTICE, REVIEW_PRACTICE, SIGNPOST_UPTAKE
from model.rng import TRIAGE, uniform

from .agents import Resident, in_care_home, lives_away, matching_group, on_long_term, take_place

_QUARTER = 13  # weeks of review time that can accrue (model/phases/reviews.py)


class FrontDoor:
    """The team, review and front-door rules of ``ReferenceModel`` (a mixin: they use its residents, pools,
    groups and the package rules of ``reference/care_homes.py``)."""

    # --- what a practitioner finds -----------------------------------------------------------
    def _spare_community(self, r: Resident) -> float:
        return max(0.0, self.pool[r.hood] - self.pool_used[r.hood])

    def carer_agrees(self, week: int, r: Resident) -> bool:
        """Whether ``r``'s main carer agrees this week to give more when a practitioner asks (with chance
        ``network.carer_agreement``: the council cannot assume a carer's time, Care and Support Statutory
        Guidance 13.4; ``carers_known_stretched``)."""
        return uniform(self.key, TRIAGE, week, r.slot, CARER_AGREES) < self.params.network.carer_agreement

    def _can_carry(self, week: int, r: Resident) -> float:
        """Hours a week ``r``'s ties and neighbourhood could carry now, their main carer's only if they agree: what
        a strengths-based review or assessment looks for."""
        community = min(self.params.support.community_max_hours, self._spare_community(r))
        return community + r.network_spare(self.carer_agrees(week, r))

    def _practice(self, week: int, r: Resident, draw: int, reached: bool = True):
        """(new?, policy, review practice, community-first?) of the practitioner who takes this piece of work:
        the policy's with chance ``practice_share`` (it ramps in) if that practice ``reached`` the person, else the
        status quo's."""
        p = self.params
        if reached and uniform(self.key, TRIAGE, week, r.slot, draw) < self.practice_share:
            return True, self.front_door_policy, self.front_door_policy.review, self.community_first
        return False, p.warmup_policy, p.warmup_policy.review, p.warmup_policy.mode == "community_first"

    # --- the team ----------------------------------------------------------------------------
    def _open_team_week(self, staff_multiplier: float) -> float:
        """The team's hours this week (``policy.staff_fte_per_10k`` FTE per 10,000 adults), less the support of
        people on community plans and any overrun from last week.  Returns the hours left."""
        pol = self.front_door_policy
        self.staff_available = (pol.staff_fte_per_10k * len(self.slots) / 10_000 * pol.productive_hours
                                * staff_multiplier)
        self.plan_support = sum((r.met_service for r in self.slots if r.service == codes.COMMUNITY_PLAN), 0.0)
        self.starts = []
        return self.staff_available + min(0.0, self._team_hours) - self.plan_support

    # --- reviews -----------------------------------------------------------------------------
    def _review_and_transition(self, week: int, staff_hours: float) -> float:
        """Ends of time-limited support, then reviews of long-term packages due.  Returns the hours left."""
        self.transitions = {"step_downs": 0, "reductions": 0, "reviews": 0, "reassessments": 0, "end_assessments": 0,
                            "reablement_ended": 0, "reabled_to_long_term": 0, "moves": 0, "increases": 0, "hours": 0.0}
        due = []
        for r in self.slots:
            st = r.service
            if r.in_hospital:
                continue  # reviewed, or assessed as reablement ends, once home
            if st in (codes.COMMUNITY_PLAN, codes.REABLEMENT, codes.LOW_LEVEL) and r.service_until <= week:
                staff_hours = self._end_support(week, r, staff_hours)
            elif on_long_term(st) and not r.self_funded and r.next_review <= week:
                due.append(r)
        return self._review_packages(week, sorted(due, key=lambda r: r.next_review), staff_hours)

    def _end_support(self, week: int, r: Resident, staff_hours: float) -> float:
        """Low-level support simply ends.  A plan or reablement that ends is followed by an assessment (an overrun
        carried as in triage) if the need it leaves is eligible: a long-term package unless, where the review
        practice looks to the network, the person's network and community can carry it.  Returns the hours left."""
        st = r.service
        r.service, r.service_until = codes.NO_SERVICE, codes.NEVER
        if st == codes.LOW_LEVEL:
            return staff_hours
        self.transitions["reablement_ended"] += st == codes.REABLEMENT
        need_for_service = r.unmet + r.met_service
        new, pol, review, _ = self._practice(week, r, REVIEW_PRACTICE)
        if need_for_service < pol.eligibility_hours:
            return staff_hours
        staff_hours -= pol.assessment_hours
        self.transitions["hours"] += pol.assessment_hours
        self.transitions["reassessments" if st == codes.COMMUNITY_PLAN else "end_assessments"] += 1
        carried = self._can_carry(week, r) if review.step_down else 0.0
        if not (review.step_down and carried >= need_for_service):
            this_week = r.unmet
            r.unmet += r.met_service  # what the package must now meet: start_package sizes it by unmet
            funded = self.start_package(week, r, new, False, review.review_weeks)
            r.unmet = this_week
            self.transitions["reabled_to_long_term"] += st == codes.REABLEMENT and funded
        return staff_hours

    def _review_packages(self, week: int, due: list[Resident], staff_hours: float) -> float:
        """Reviews of the packages due, oldest due first, while the week's review budget and the team's hours last;
        a review not held waits (long-stay clients reviewed in a year, ASC-FR).

        The budget is ``review.team_share`` of the team's hours a week, accruing from week to week up to a
        quarter's (``review_credit``).  A review resizes a package to the need it meets and ends one whose need
        has fallen below eligibility; someone at home whose care would be beyond what a council offers at home
        moves into a care home.  A strengths-based review (``review.step_down``) looks first to what the person's
        network and community can carry, with the carer's agreement: a package is ended where they can carry the
        need, and an increase in need is met by them first.  Returns the hours left."""
        sup, svc = self.params.support, self.params.services
        in_force = self.front_door_policy.review
        weekly = in_force.team_share * self.staff_available
        budget = min(self.review_credit + weekly, max(_QUARTER * weekly, in_force.review_hours))
        spent = 0.0
        for r in due:
            st = r.service
            new, pol, review, _ = self._practice(week, r, REVIEW_PRACTICE)
            if budget - spent < review.review_hours or staff_hours < review.review_hours:
                break  # the practitioner who would take it has no review time left this week
            staff_hours -= review.review_hours
            spent += review.review_hours
            self.transitions["hours"] += review.review_hours
            self.transitions["reviews"] += 1
            r.next_review, r.last_review = week + review.review_weeks, week
            r.weeks_unmet = -sup.patience_weeks  # a resized package is given time to work
            need_for_service = r.met_service + r.unmet
            carried = self._can_carry(week, r) if review.step_down and not in_care_home(st) else 0.0
            if need_for_service < pol.eligibility_hours or carried >= need_for_service:
                r.service, r.service_hours = codes.NO_SERVICE, 0.0
                self.transitions["step_downs"] += 1
            elif not lives_away(st) and need_for_service - carried >= svc.home_care_max_hours:
                this_week = r.unmet
                r.unmet = need_for_service - carried  # care at home no longer enough: a move into a care home
                moved = self.start_package(week, r, new, True, review.review_weeks)
                r.unmet = this_week
                self.transitions["moves"] += moved  # a self-funder's move is not the council's admission
            elif st == codes.HOME_CARE or (st == codes.DAY_CARE and r.unmet > sup.unmet_threshold):
                hours = need_for_service
                if review.step_down and hours > r.service_hours:  # an increase is met by the network first
                    hours = max(r.service_hours, hours - carried)
                self.transitions["reductions"] += st == codes.HOME_CARE and hours < r.service_hours
                self.transitions["increases"] += st != codes.HOME_CARE or hours > r.service_hours
                r.service, r.service_hours = codes.HOME_CARE, hours
        self.review_credit = budget - spent
        return staff_hours

    # --- front door --------------------------------------------------------------------------
    def _outcome(self, r: Resident, hospital: bool, found_net: float, spare_pool: float, connected: bool,
                 first: bool, pol):
        """The outcome of a request and the team hours it takes: a ladder by the need left unmet (``gap``).

        Under every practice: need met by the time the person is seen gets no services; a discharge from hospital
        whose care at home would be beyond what a council offers goes to a care home (discharge pathway 3); other
        discharges get short-term support first where the practice offers it (discharge to assess), as does an
        eligible need that came with an episode (``policy.reablement_first``); below eligibility, unmet need of
        ``services.low_level_min_hours`` or more gets equipment or telecare (ongoing low-level support).  A
        service-first practice then offers nothing below ``services.signpost_min_hours``, information and
        signposting below eligibility, and long-term support from it (``asc_fr_outcomes``); a community-first
        practice holds its conversation instead."""
        sup, svc = self.params.support, self.params.services
        gap = r.unmet
        if gap < sup.unmet_threshold:
            return codes.NO_SERVICES, pol.contact_hours
        if hospital and gap >= svc.home_care_max_hours:
            return codes.LONG_TERM, pol.contact_hours + pol.assessment_hours
        eligible = gap >= pol.eligibility_hours
        short_term = pol.reablement_first and (hospital or (eligible and r.acute > 0.5 * r.need))
        low_level = not eligible and gap >= svc.low_level_min_hours
        if first:
            found_comm = min(sup.community_max_hours, spare_pool) * (1.0 if connected else 0.5)
            if found_net + found_comm >= gap:
                return codes.RESOLVED, pol.contact_hours
            if short_term:
                return codes.SHORT_TERM, pol.contact_hours + pol.plan_hours
            if low_level:
                return codes.LOW_LEVEL_SUPPORT, pol.contact_hours + pol.plan_hours
            if not eligible or found_net + min(sup.community_max_hours, spare_pool) + pol.plan_support_hours >= gap:
                return codes.PLAN, pol.contact_hours + pol.plan_hours
            return codes.LONG_TERM, pol.contact_hours + pol.plan_hours + pol.assessment_hours
        if short_term:
            return codes.SHORT_TERM, pol.contact_hours + pol.assessment_hours
        if low_level:
            return codes.LOW_LEVEL_SUPPORT, pol.contact_hours + pol.plan_hours
        if gap < svc.signpost_min_hours:
            return codes.NO_SERVICES, pol.contact_hours
        if not eligible:
            return codes.SIGNPOSTED, pol.contact_hours
        return codes.LONG_TERM, pol.contact_hours + pol.assessment_hours

    def _triage(self, week: int, staff_hours: float) -> float:
        """Serve the queue, discharges from hospital first, then oldest request first, while staff hours remain.

        A discharge is taken in the policy's practice only where that practice reaches the hospital route
        (``policy.hospital_practice``), else by the status quo's discharge team.  A main carer's time counts only
        as far as they are able (less the more strained they are) and agree to give more; what the practitioner
        finds is booked.  A long-term outcome starts a package; one a self-funder pays for (a care home) is no
        services from the council.  Returns the hours left (negative: an overrun, carried into next week)."""
        sup, svc = self.params.support, self.params.services
        self.outcomes = [0] * len(codes.OUTCOMES)
        self.hours_used = self.waited = self.assessments = self.from_hospital = 0
        waiting = [r for r in self.slots if r.queued_since != codes.NEVER]
        for r in sorted(waiting, key=lambda r: (r.route != codes.HOSPITAL_ROUTE, r.queued_since)):
            if staff_hours <= 0:
                break
            if r.in_hospital:
                continue  # admitted while waiting: the request waits for them
            hospital = r.route == codes.HOSPITAL_ROUTE
            new, pol, review, first = self._practice(week, r, PRACTICE,
                                                     reached=not hospital or self.front_door_policy.hospital_practice)
            unmet = r.unmet
            agrees = self.carer_agrees(week, r)
            spare_net = r.network_spare(agrees)
            asking = r.asking + pol.mobilisation * (1.0 - r.asking)
            found_net = min(spare_net * (1.0 + pol.connect_boost),
                            (asking - r.asking) * (r.need - r.met_service - r.met_personal))
            spare_pool = self._spare_community(r)
            connection = self.connection.find(self, r, new) if self.connection else None
            outcome, hours = self._outcome(r, hospital, found_net, spare_pool, connection is not None, first, pol)
            staff_hours -= hours

            if outcome in (codes.RESOLVED, codes.PLAN):
                cover = min(unmet, found_net)
                r.asking = asking
                self._mobilise(r, cover, spare_net, pol.connect_boost, agrees)
                self.pool_used[r.hood] += min(max(0.0, unmet - cover), spare_pool)
                r.aware = True
                if self.connection:
                    self.connection.take(self, r, connection)
                if outcome == codes.PLAN:
                    r.service, r.service_until = codes.COMMUNITY_PLAN, week + pol.plan_weeks
            elif outcome == codes.SIGNPOSTED:
                if uniform(self.key, TRIAGE, week, r.slot, SIGNPOST_UPTAKE) < pol.signpost_uptake:
                    r.aware = True
                    take_place(r, matching_group(self, r))
            elif outcome == codes.LOW_LEVEL_SUPPORT:
                r.service, r.service_until = codes.LOW_LEVEL, week + svc.low_level_weeks
            elif outcome == codes.SHORT_TERM:
                r.service, r.service_until = codes.REABLEMENT, week + svc.reablement_weeks
            elif outcome == codes.LONG_TERM:
                self.assessments += 1
                if not self.start_package(week, r, new, False, review.review_weeks):
                    outcome = codes.NO_SERVICES  # assessed; they pay for their care home themselves
            r.weeks_unmet = -sup.patience_weeks
            self.outcomes[outcome] += 1
            self.hours_used += hours
            self.waited += week - r.queued_since
            self.assessments += outcome == codes.SHORT_TERM and not first
            self.from_hospital += hospital
            r.queued_since = codes.NEVER
        return staff_hours

    def _mobilise(self, r: Resident, cover: float, spare_total: float, boost: float, agrees: bool) -> None:
        """A connect conversation: book the ties' spare help the plan counts on and strengthen the ties."""
        take = min(1.0, cover / spare_total) if spare_total > 0 else 0.0
        main = r.closest_carer()
        for tie in r.ties:
            j = tie.other(r)
            j.helper_load += take * r.tie_spare(tie, main, agrees)
            if tie is main:  # care booked from a main carer is theirs to give, as in main care
                j.helper_cap = max(j.helper_cap, j.helper_load)
            if boost > 0:
                tie.strength = tie.strength + boost * (1.0 - tie.strength)
