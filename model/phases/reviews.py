"""Reviews: what happens when a community plan, reablement or low-level support ends, and the review of long-term
packages.

The review practice (``policy.review``, config group ``review``) is a lever of its own: any front door can
take either practice.  Reviews are limited by the team's hours: ``review.team_share`` of them a week is set
aside for reviews (the time accrues from week to week, up to a quarter's), taken oldest first; a review not held
waits (long-stay clients reviewed in a year, ASC-FR).  A
review resizes a package to the need it meets on reassessment and ends one whose need has fallen below
eligibility; in the strengths-based practice (``review.step_down``) it looks first to what the person's
network and community can carry, with the carer's agreement (the council cannot assume a carer's time:
``care_act_reviews``): a package is ended where they can carry all of the need it meets, and an increase in need
is met by them first (fewer increases); otherwise a package is resized only to reassessed need, under either
practice.  Someone in hospital is reviewed, or assessed when their reablement ends, once they are home.  The
work draws on the team's hours after plan support and before the queue (``phases/team.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import codes
from ..component import Component
from ..draws import CARER_AGREES, REVIEW_PRACTICE
from ..lib.carers import network_spare
from ..lib.packages import in_care_home, lives_away, on_long_term, start_package
from ..params import kernel_view
from ..rng import TRIAGE, uniform
from ..schema import Column
from ..state import COUNCIL, ONE, PER_RESIDENT, RESIDENTS, Array, Kernel

# Slots of the week's tallies: step-downs and reductions at review, reviews held, assessments when a plan ends and
# when reablement ends, reablement episodes ended and those ending in long-term support, the team hours all of
# these took, moves into a care home at review, and packages increased at review
STEP_DOWNS, REDUCTIONS, REVIEWS, REASSESSMENTS, END_ASSESSMENTS, REABLEMENT_ENDED, REABLED_TO_LONG_TERM, WORK_HOURS, \
    MOVES, INCREASES = range(10)
N_TALLIES = 10
_QUARTER = 13  # weeks of review time that can accrue


@njit(cache=True)
def _can_carry(key, week, i, hood_pool, hood_pool_used, hood, indptr, degree, other, strength, kind, helper_cap,
               helper_load, care_cap, able_to_care, strain, network_pars, support_pars):
    """Hours a week the person's ties and neighbourhood could carry now, their main carer's only if they agree:
    what a strengths-based review or assessment looks for."""
    h = hood[i]
    community = min(support_pars.community_max_hours, max(0.0, hood_pool[h] - hood_pool_used[h]))
    agrees = uniform(key, TRIAGE, week, i, CARER_AGREES) < network_pars.carer_agreement
    return community + network_spare(i, indptr, degree, other, strength, kind, helper_cap=helper_cap,
                                     helper_load=helper_load, care_cap=care_cap, able_to_care=able_to_care,
                                     strain=strain, main_agrees=agrees, network_pars=network_pars)


@njit(cache=True)
def review_and_transition(key, week, staff_hours, review_budget, need, unmet, met_service, isolated, in_hospital,
                          wealthy, self_funded, funds_until, service, service_hours, service_until, long_term_since,
                          next_review, last_review, weeks_unmet, indptr, degree, other, strength, kind, helper_cap,
                          helper_load, care_cap, able_to_care, strain, hood_pool, hood_pool_used, hood,
                          practice_share, policy_pars, review_pars, status_quo_pars, status_quo_review_pars,
                          network_pars, services_pars, support_pars, starts, n_starts, starts_new, starts_moved,
                          review_credit, due, transitions):
    """End time-limited support that is due, then review long-term packages that are due, oldest first, while the
    review budget and the team's hours last.

    Low-level support simply ends.  A plan or reablement that ends is followed by an assessment (the team's
    ``assessment_hours``, an overrun carried as in triage) if the need it leaves unmet is eligible: a
    long-term package unless, where the review practice looks to the network, the person's network and
    community can carry it.  Each piece of work is done in the practice of whoever takes it (the new one with
    chance ``practice_share``).  ``due`` is scratch for the reviews due; ``transitions`` receives the week's
    tallies (the slots named above).  Returns staff hours left.
    """
    n_due = 0
    for i in range(service.shape[0]):
        st = service[i]
        if in_hospital[i]:
            continue  # reviewed, or assessed as reablement ends, once home: in hospital all need is met
        if (st == codes.COMMUNITY_PLAN or st == codes.REABLEMENT or st == codes.LOW_LEVEL) and service_until[i] <= week:
            service[i] = codes.NO_SERVICE
            service_until[i] = codes.NEVER
            if st == codes.LOW_LEVEL:
                continue
            transitions[REABLEMENT_ENDED] += st == codes.REABLEMENT
            need_for_service = unmet[i] + met_service[i]
            new = uniform(key, TRIAGE, week, i, REVIEW_PRACTICE) < practice_share
            policy, review = (policy_pars, review_pars) if new else (status_quo_pars, status_quo_review_pars)
            if need_for_service < policy.eligibility_hours:
                continue
            staff_hours -= policy.assessment_hours
            transitions[WORK_HOURS] += policy.assessment_hours
            transitions[REASSESSMENTS if st == codes.COMMUNITY_PLAN else END_ASSESSMENTS] += 1
            carried = _can_carry(key, week, i, hood_pool, hood_pool_used, hood, indptr, degree, other=other,
                                 strength=strength, kind=kind, helper_cap=helper_cap, helper_load=helper_load, care_cap=care_cap,
                                 able_to_care=able_to_care, strain=strain, network_pars=network_pars,
                                 support_pars=support_pars) if review.step_down else 0.0
            if not (review.step_down and carried >= need_for_service):
                this_week = unmet[i]
                unmet[i] += met_service[i]  # what the package must now meet: start_package sizes it by unmet
                funded = start_package(key, week, i, new, False, need=need, unmet=unmet, isolated=isolated,
                                       wealthy=wealthy, self_funded=self_funded, funds_until=funds_until,
                                       service=service, service_hours=service_hours, long_term_since=long_term_since,
                                       next_review=next_review,
                                       review_weeks=review.review_weeks, services_pars=services_pars, starts=starts,
                                       n_starts=n_starts, starts_new=starts_new, starts_moved=starts_moved)
                unmet[i] = this_week
                transitions[REABLED_TO_LONG_TERM] += st == codes.REABLEMENT and funded
        elif on_long_term(st) and not self_funded[i] and next_review[i] <= week:
            due[n_due] = i
            n_due += 1
    spent = 0.0
    for t in np.argsort(next_review[due[:n_due]], kind="mergesort"):  # oldest due first, then by resident
        i = due[t]
        st = service[i]
        new = uniform(key, TRIAGE, week, i, REVIEW_PRACTICE) < practice_share
        policy, review = (policy_pars, review_pars) if new else (status_quo_pars, status_quo_review_pars)
        if review_budget - spent < review.review_hours or staff_hours < review.review_hours:
            break  # the practitioner who would take it has no review time left this week
        staff_hours -= review.review_hours
        spent += review.review_hours
        transitions[WORK_HOURS] += review.review_hours
        transitions[REVIEWS] += 1
        next_review[i] = week + review.review_weeks
        last_review[i] = week
        weeks_unmet[i] = -support_pars.patience_weeks  # a resized package is given time to work
        need_for_service = met_service[i] + unmet[i]
        carried = _can_carry(key, week, i, hood_pool, hood_pool_used, hood, indptr, degree, other=other,
                             strength=strength, kind=kind, helper_cap=helper_cap, helper_load=helper_load, care_cap=care_cap,
                             able_to_care=able_to_care, strain=strain, network_pars=network_pars,
                             support_pars=support_pars) if review.step_down and not in_care_home(st) else 0.0
        if need_for_service < policy.eligibility_hours or carried >= need_for_service:
            service[i] = codes.NO_SERVICE
            service_hours[i] = 0.0
            transitions[STEP_DOWNS] += 1
        elif not lives_away(st) and need_for_service - carried >= services_pars.home_care_max_hours:
            this_week = unmet[i]
            unmet[i] = need_for_service - carried  # care at home no longer enough: a move into a care home
            moved = start_package(key, week, i, new, True, need=need, unmet=unmet, isolated=isolated, wealthy=wealthy,
                          self_funded=self_funded, funds_until=funds_until, service=service,
                          service_hours=service_hours, long_term_since=long_term_since, next_review=next_review,
                          review_weeks=review.review_weeks,
                          services_pars=services_pars, starts=starts, n_starts=n_starts, starts_new=starts_new,
                          starts_moved=starts_moved)
            unmet[i] = this_week
            transitions[MOVES] += moved  # a self-funder's move is theirs to pay for: not the council's admission
        elif st == codes.HOME_CARE or (st == codes.DAY_CARE and unmet[i] > support_pars.unmet_threshold):
            hours = need_for_service
            if review.step_down and hours > service_hours[i]:  # an increase is met by the network first
                hours = max(service_hours[i], hours - carried)
            transitions[REDUCTIONS] += st == codes.HOME_CARE and hours < service_hours[i]
            transitions[INCREASES] += st != codes.HOME_CARE or hours > service_hours[i]
            service[i] = codes.HOME_CARE
            service_hours[i] = hours
    review_credit[0] = review_budget - spent
    return staff_hours


class Reviews(Component):
    """Phase: ends of plans, reablement and low-level support, and reviews of long-term packages, while the team's
    hours last.

    Owns when each package is next reviewed.  Measures the assessments when a plan ends, the reviews held and
    the packages they ended or reduced, and reablement's outcomes; adds its hours and its assessments to the
    team's week.
    """

    name = "reviews"
    arrays = (Array(RESIDENTS, "next_review", np.int32, PER_RESIDENT, "week",
                    "week the long-term package is reviewed", start=codes.NEVER, arrival=codes.NEVER),
              Array(RESIDENTS, "last_review", np.int32, PER_RESIDENT, "week", "week the package was last reviewed",
                    start=codes.NEVER, arrival=codes.NEVER),
              Array(COUNCIL, "review_credit", np.float64, ONE, "hours", "team hours set aside for reviews and not yet "
                    "spent (they accrue from week to week, up to a quarter's)", start=0.0))
    results = (
        Column("plan_reassessments", "int", "people", "assessments when a community plan ends with eligible need unmet"),
        Column("step_downs", "int", "people", "long-term packages ended at review"),
        Column("reviews", "int", "reviews", "reviews of long-term packages"),
        Column("package_reductions", "int", "people", "home-care packages reduced at review"),
        Column("reablement_ended", "int", "people", "reablement episodes that ended this week"),
        Column("reablement_to_long_term", "int", "people",
               "reablement episodes that ended in a council-funded long-term package"),
        Column("care_home_moves", "int", "people", "people on a package at home moved into a care home the council "
               "funds at review"),
        Column("package_increases", "int", "people", "packages at home increased at review (home care resized up, or "
               "day care turned into home care)"),
    )

    def __init__(self, model):
        self._tallies = np.zeros(N_TALLIES)
        due = np.zeros(model.state.residents.n, dtype=np.int64)
        self._review_and_transition = Kernel(review_and_transition,
                                             {**model.sources, "transitions": self._tallies, "due": due})
        status_quo = model.params.warmup_policy
        self._status_quo = kernel_view(status_quo), kernel_view(status_quo.review)
        self._staff_hours, self._staff_used = model.sources["team_hours"], model.sources["staff_used"]
        self._available, self._assessments = model.sources["staff_available"], model.sources["assessments"]
        self._credit = model.sources["review_credit"]

    def step(self, model, week) -> None:
        status_quo, status_quo_review = self._status_quo
        self._tallies[:] = 0.0
        weekly = week.review.team_share * float(self._available[0])
        budget = min(float(self._credit[0]) + weekly, max(_QUARTER * weekly, week.review.review_hours))
        self._staff_hours[0] = self._review_and_transition(
            week=week.week, staff_hours=float(self._staff_hours[0]), review_budget=budget,
            practice_share=week.practice_share,
            policy_pars=week.policy, review_pars=week.review, status_quo_pars=status_quo,
            status_quo_review_pars=status_quo_review)
        self._staff_used[0] += self._tallies[WORK_HOURS]
        self._assessments[0] += int(self._tallies[REASSESSMENTS] + self._tallies[END_ASSESSMENTS])

    def measures(self, model, week) -> dict:
        t = self._tallies
        return {"plan_reassessments": int(t[REASSESSMENTS]), "step_downs": int(t[STEP_DOWNS]), "reviews": int(t[REVIEWS]),
                "package_reductions": int(t[REDUCTIONS]), "reablement_ended": int(t[REABLEMENT_ENDED]),
                "reablement_to_long_term": int(t[REABLED_TO_LONG_TERM]), "care_home_moves": int(t[MOVES]),
                "package_increases": int(t[INCREASES])}
