"""Reviews: what happens when a community plan or reablement ends, and the review of long-term packages.

The review practice (``policy.review``, config group ``review``) is a lever of its own: any front door can
take either practice.  A review resizes a package to the need it meets, ends a package whose need has fallen
below eligibility and, in the strengths-based practice (``review.step_down``), ends one the person's network
and community can now carry.  The work draws on the team's hours after plan support and before the queue
(``phases/team.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import codes
from ..component import Component
from ..draws import REVIEW_PRACTICE
from ..lib.carers import network_spare
from ..lib.packages import on_long_term, start_package
from ..params import kernel_view
from ..rng import TRIAGE, uniform
from ..schema import Column
from ..state import PER_RESIDENT, RESIDENTS, Array, Kernel

# Slots of the week's tallies: step-downs at review, reviews held, assessments when a plan ends and when
# reablement ends, and the team hours all of these took
STEP_DOWNS, REVIEWS, REASSESSMENTS, END_ASSESSMENTS, WORK_HOURS = 0, 1, 2, 3, 4
N_TALLIES = 5


@njit(cache=True)
def _can_carry(i, hood_pool, hood_pool_used, hood, indptr, degree, other, strength, kind, helper_cap, helper_load,
               care_cap, able_to_care, network_pars, support_pars):
    """Hours a week the person's ties and neighbourhood could carry now: what a strengths-based review looks for."""
    h = hood[i]
    community = min(support_pars.community_max_hours, max(0.0, hood_pool[h] - hood_pool_used[h]))
    return community + network_spare(i, indptr, degree, other, strength, kind, helper_cap=helper_cap,
                                     helper_load=helper_load, care_cap=care_cap, able_to_care=able_to_care,
                                     network_pars=network_pars)


@njit(cache=True)
def review_and_transition(key, week, staff_hours, need, unmet, met_service, met_network, isolated, service,
                          service_hours, service_until, next_review, weeks_unmet, indptr, degree, other, strength,
                          kind, helper_cap, helper_load, care_cap, able_to_care, hood_pool, hood_pool_used, hood,
                          practice_share, policy_pars, review_pars, status_quo_pars, status_quo_review_pars, network_pars,
                          services_pars, support_pars, starts, starts_new, n_starts, transitions):
    """End plans and reablement that are due, and review long-term packages while staff hours last.

    A plan or reablement that ends is followed by an assessment (the team's ``assessment_hours``, an
    overrun carried as in triage): a long-term package if the need it leaves unmet is eligible and,
    where the review practice steps down, the person's network and community cannot carry it.
    Reviews resize home care to the current need (day care that no longer meets it becomes home
    care), end packages whose need fell below eligibility and, where the review practice steps down,
    end packages the person's network and community can now carry.  Each piece of work is done in
    the practice of whoever takes it (the new one with chance ``practice_share``).
    ``transitions`` receives the week's tallies (the slots named above).  Returns staff hours left.
    """
    for i in range(service.shape[0]):
        st = service[i]
        if (st == codes.COMMUNITY_PLAN or st == codes.REABLEMENT) and service_until[i] <= week:
            service[i] = codes.NO_SERVICE
            service_until[i] = codes.NEVER
            need_for_service = unmet[i] + met_service[i]
            new = uniform(key, TRIAGE, week, i, REVIEW_PRACTICE) < practice_share
            policy, review = (policy_pars, review_pars) if new else (status_quo_pars, status_quo_review_pars)
            if need_for_service < policy.eligibility_hours:
                continue
            staff_hours -= policy.assessment_hours
            transitions[WORK_HOURS] += policy.assessment_hours
            transitions[REASSESSMENTS if st == codes.COMMUNITY_PLAN else END_ASSESSMENTS] += 1
            carried = _can_carry(i, hood_pool, hood_pool_used, hood, indptr, degree, other, strength, kind=kind,
                                 helper_cap=helper_cap, helper_load=helper_load, care_cap=care_cap,
                                 able_to_care=able_to_care, network_pars=network_pars, support_pars=support_pars) if review.step_down else 0.0
            if not (review.step_down and carried >= need_for_service):
                unmet[i] += met_service[i]
                start_package(key, week, i, new, need=need, unmet=unmet, met_network=met_network, isolated=isolated,
                              service=service, service_hours=service_hours, next_review=next_review,
                              review_weeks=review.review_weeks, services_pars=services_pars, starts=starts,
                              n_starts=n_starts, starts_new=starts_new)
        elif on_long_term(st) and next_review[i] <= week:
            new = uniform(key, TRIAGE, week, i, REVIEW_PRACTICE) < practice_share
            policy, review = (policy_pars, review_pars) if new else (status_quo_pars, status_quo_review_pars)
            if staff_hours < review.review_hours:
                continue
            staff_hours -= review.review_hours
            transitions[WORK_HOURS] += review.review_hours
            transitions[REVIEWS] += 1
            next_review[i] = week + review.review_weeks
            weeks_unmet[i] = -support_pars.patience_weeks  # a resized package is given time to work
            carried = _can_carry(i, hood_pool, hood_pool_used, hood, indptr, degree, other, strength, kind=kind,
                                 helper_cap=helper_cap, helper_load=helper_load, care_cap=care_cap,
                                 able_to_care=able_to_care, network_pars=network_pars, support_pars=support_pars)
            need_for_service = met_service[i] + unmet[i]
            if need_for_service < policy.eligibility_hours or (
                    review.step_down and st != codes.RESIDENTIAL and carried >= need_for_service):
                service[i] = codes.NO_SERVICE
                service_hours[i] = 0.0
                transitions[STEP_DOWNS] += 1
            elif st == codes.HOME_CARE or (st == codes.DAY_CARE and unmet[i] > support_pars.unmet_threshold):
                service[i] = codes.HOME_CARE
                service_hours[i] = need_for_service
    return staff_hours


class Reviews(Component):
    """Phase: ends of plans and reablement, and reviews of long-term packages, while the team's hours last.

    Owns when each package is next reviewed.  Measures the assessments when a plan ends, the step-downs and
    the reviews held; adds its hours and its assessments to the team's week.
    """

    name = "reviews"
    arrays = (Array(RESIDENTS, "next_review", np.int32, PER_RESIDENT, "week",
                    "week the long-term package is reviewed", start=codes.NEVER, arrival=codes.NEVER),)
    results = (
        Column("plan_reassessments", "int", "people", "assessments when a community plan ends with eligible need unmet"),
        Column("step_downs", "int", "people", "long-term packages ended at review"),
        Column("reviews", "int", "reviews", "reviews of long-term packages"),
    )

    def __init__(self, model):
        self._tallies = np.zeros(N_TALLIES)
        self._review_and_transition = Kernel(review_and_transition, {**model.sources, "transitions": self._tallies})
        status_quo = model.params.warmup_policy
        self._status_quo = kernel_view(status_quo), kernel_view(status_quo.review)
        self._staff_hours, self._staff_used = model.sources["team_hours"], model.sources["staff_used"]
        self._assessments = model.sources["assessments"]

    def step(self, model, week) -> None:
        status_quo, status_quo_review = self._status_quo
        self._tallies[:] = 0.0
        self._staff_hours[0] = self._review_and_transition(
            week=week.week, staff_hours=float(self._staff_hours[0]), practice_share=week.practice_share,
            policy_pars=week.policy, review_pars=week.review, status_quo_pars=status_quo,
            status_quo_review_pars=status_quo_review)
        self._staff_used[0] += self._tallies[WORK_HOURS]
        self._assessments[0] += int(self._tallies[REASSESSMENTS] + self._tallies[END_ASSESSMENTS])

    def measures(self, model, week) -> dict:
        return {"plan_reassessments": int(self._tallies[REASSESSMENTS]), "step_downs": int(self._tallies[STEP_DOWNS]),
                "reviews": int(self._tallies[REVIEWS])}
