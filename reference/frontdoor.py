"""The council's front door in plain Python: the rules of ``model/phases/`` team, reviews and front door.

The team's hours go first to supporting people on plans, then to assessments when plans and
reablement end and to the reviews due, then to the queue, served oldest contact first while hours
remain; each outcome follows from the help the practitioner can find around the person.  Each piece
of work is done in the policy's practice with chance ``practice_share`` (it ramps in), else in the
status quo's.
"""

from __future__ import annotations

from model import codes
from model.draws import PRACTICE, REVIEW_PRACTICE, SHARED_LIVES, SIGNPOST_UPTAKE
from model.rng import TRIAGE, uniform

from .agents import Resident, matching_group, on_long_term, take_place


class FrontDoor:
    """The front-door rules of ``ReferenceModel`` (a mixin: they use its residents, pools and groups)."""

    # --- front door --------------------------------------------------------------------------
    def _spare_community(self, r: Resident) -> float:
        return max(0.0, self.pool[r.hood] - self.pool_used[r.hood])

    def _carried(self, r: Resident) -> float:
        """Hours a week ``r``'s ties and neighbourhood could carry now: what a strengths-based review looks for."""
        return min(self.params.support.community_max_hours, self._spare_community(r)) + r.network_spare()

    def _practice(self, week: int, r: Resident, draw: int):
        """(new?, policy, review practice, community-first?) of the practitioner who takes this piece of work:
        the policy's with chance ``practice_share`` (it ramps in), else the status quo's."""
        p = self.params
        if uniform(self.key, TRIAGE, week, r.slot, draw) < self.practice_share:
            return True, self.front_door_policy, self.front_door_policy.review, self.community_first
        return False, p.warmup_policy, p.warmup_policy.review, p.warmup_policy.mode == "community_first"

    def needs_care_home(self, r: Resident) -> bool:
        """Whether ``r``'s package would be a care home: high need the network meets less than 30% of."""
        return r.need >= self.params.services.residential_hours and r.met_network < 0.3 * r.need

    def care_at_home(self, week: int, r: Resident) -> None:
        """Day care (or Shared Lives) for an isolated person day care can serve, else home care sized to the unmet need."""
        svc = self.params.services
        if r.isolated and r.unmet <= svc.day_care_max_hours:
            shared = uniform(self.key, TRIAGE, week, r.slot, SHARED_LIVES) < svc.shared_lives_share
            r.service = codes.SHARED_LIVES if shared else codes.DAY_CARE
        else:
            r.service, r.service_hours = codes.HOME_CARE, r.unmet

    def _start_package(self, week: int, r: Resident, review, new: bool) -> None:
        """A long-term package sized to the need nothing else meets (a care home, else care at home); listed in the
        week's starts (``self.starts``) for the programmes that change the choice."""
        svc = self.params.services
        if self.needs_care_home(r):
            shared = uniform(self.key, TRIAGE, week, r.slot, SHARED_LIVES) < svc.shared_lives_share
            r.service = codes.SHARED_LIVES if shared else codes.RESIDENTIAL
        else:
            self.care_at_home(week, r)
        r.next_review = week + review.review_weeks
        self.starts.append((r, new))

    def _review_and_transition(self, week: int, staff_hours: float) -> float:
        """End due plans and reablement, each followed by an assessment where eligible need is left; review
        long-term packages due (brought forward by unmet need) while staff hours last.  Returns the hours left."""
        sup = self.params.support
        self.transitions = {"step_downs": 0, "reviews": 0, "reassessments": 0, "end_assessments": 0, "hours": 0.0}
        for r in self.slots:
            st = r.service
            if (st == codes.COMMUNITY_PLAN or st == codes.REABLEMENT) and r.service_until <= week:
                r.service, r.service_until = codes.NO_SERVICE, codes.NEVER
                need_for_service = r.unmet + r.met_service
                new, pol, review, _ = self._practice(week, r, REVIEW_PRACTICE)
                if need_for_service < pol.eligibility_hours:
                    continue
                staff_hours -= pol.assessment_hours
                self.transitions["hours"] += pol.assessment_hours
                self.transitions["reassessments" if st == codes.COMMUNITY_PLAN else "end_assessments"] += 1
                if not (review.step_down and self._carried(r) >= need_for_service):
                    r.unmet += r.met_service
                    self._start_package(week, r, review, new)
            elif on_long_term(st) and r.next_review <= week:
                _, pol, review, _ = self._practice(week, r, REVIEW_PRACTICE)
                if staff_hours < review.review_hours:
                    continue
                staff_hours -= review.review_hours
                self.transitions["hours"] += review.review_hours
                self.transitions["reviews"] += 1
                r.next_review = week + review.review_weeks
                r.weeks_unmet = -sup.patience_weeks
                carried = self._carried(r)
                need_for_service = r.met_service + r.unmet
                if need_for_service < pol.eligibility_hours or (
                        review.step_down and st != codes.RESIDENTIAL and carried >= need_for_service):
                    r.service, r.service_hours = codes.NO_SERVICE, 0.0
                    self.transitions["step_downs"] += 1
                elif st == codes.HOME_CARE or (st == codes.DAY_CARE and r.unmet > sup.unmet_threshold):
                    r.service, r.service_hours = codes.HOME_CARE, need_for_service
        return staff_hours

    def _triage(self, week: int, staff_hours: float) -> float:
        """Serve the queue, oldest contact first, while staff hours remain; each outcome follows from the
        help the practitioner can find around the person.  Returns the hours left (negative: overrun)."""
        sup, svc = self.params.support, self.params.services
        self.outcomes = [0] * len(codes.OUTCOMES)
        self.hours_used = self.waited = self.assessments = 0
        for r in sorted((r for r in self.slots if r.queued_since != codes.NEVER), key=lambda r: r.queued_since):
            if staff_hours <= 0:
                break
            new, pol, review, community_first = self._practice(week, r, PRACTICE)
            unmet = r.unmet
            spare_net = r.network_spare()
            asking = r.asking + pol.mobilisation * (1.0 - r.asking)
            found_net = min(spare_net * (1.0 + pol.connect_boost),
                            (asking - r.asking) * (r.need - r.met_service - r.met_personal))
            spare_pool = self._spare_community(r)
            connection = self.connection.find(self, r, new) if self.connection else None
            acute_led = r.acute > 0.5 * r.need
            eligible = unmet >= pol.eligibility_hours
            if community_first:
                found_comm = min(sup.community_max_hours, spare_pool) * (1.0 if connection is not None else 0.5)
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
            staff_hours -= hours

            if outcome in (codes.RESOLVED, codes.PLAN):
                cover = min(unmet, found_net)
                r.asking = asking
                self._mobilise(r, cover, spare_net, pol.connect_boost)
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
            elif outcome == codes.SHORT_TERM:
                r.service, r.service_until = codes.REABLEMENT, week + svc.reablement_weeks
            else:
                self._start_package(week, r, review, new)
            r.weeks_unmet = -sup.patience_weeks
            self.outcomes[outcome] += 1
            self.hours_used += hours
            self.waited += week - r.queued_since
            self.assessments += outcome == codes.LONG_TERM or (outcome == codes.SHORT_TERM and not community_first)
            r.queued_since = codes.NEVER
        return staff_hours

    def _mobilise(self, r: Resident, cover: float, spare_total: float, boost: float) -> None:
        """A connect conversation: book the ties' spare help the plan counts on and strengthen the ties."""
        take = min(1.0, cover / spare_total) if spare_total > 0 else 0.0
        main = r.closest_carer()
        for tie in r.ties:
            j = tie.other(r)
            j.helper_load += take * r.tie_spare(tie, main)
            if tie is main:  # care booked from a main carer is theirs to give, as in main care
                j.helper_cap = max(j.helper_cap, j.helper_load)
            if boost > 0:
                tie.strength = tie.strength + boost * (1.0 - tie.strength)
