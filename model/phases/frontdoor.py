"""The council's front door: the queue of contacts, served oldest first with the team's hours left, through triage.

No outcome share is a parameter.  Each contact's outcome follows from what the practitioner can find around
the person this week (spare capacity of their ties, spare community support in their neighbourhood,
whatever a programme connects them to) and from the staff hours left.  Capacity found for one person is
used up, so in a thin community later callers find less, which is where the revolving door comes from.
Programmes reach the front door only through ``phases/conversation.py``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import codes
from ..component import Component
from ..draws import CARER_AGREES, PRACTICE, SIGNPOST_UPTAKE
from ..lib.carers import closest_carer, network_spare, tie_spare
from ..lib.groups import best_place, take_place
from ..lib.packages import start_package
from ..lib.ties import strengthen_tie
from ..params import kernel_view
from ..rng import TRIAGE, uniform
from ..schema import Column
from ..state import Kernel
from .conversation import no_places

# Slots of the week's tallies: one per outcome (codes.OUTCOMES order), then these
N_OUTCOMES = len(codes.OUTCOMES)
HOURS_USED, SERVED, WEEKS_WAITED, ASSESSMENTS, FROM_HOSPITAL = range(N_OUTCOMES, N_OUTCOMES + 5)
N_COUNTS = N_OUTCOMES + 5

_OUTCOME_DOCS = {
    "resolved_first_contact": "contacts resolved at the first conversation (networks and community found)",
    "signposted": "contacts signposted elsewhere (service-first: not eligible)",
    "community_plan": "contacts given a time-limited community plan",
    "reablement": "contacts starting reablement",
    "long_term_service": "contacts starting a long-term statutory package",
    "no_services": "contacts given no services: need met by the time they were seen, or a care home they pay for",
    "low_level_support": "contacts given ongoing low-level support (equipment, telecare, minor adaptations)",
}


@njit(cache=True)
def _mobilise(i, cover, indptr, degree, other, strength, kind, active, helper_cap, helper_load, care_cap, able_to_care,
              strain, main_agrees, network_pars, boost, spare_total):
    """Reconnect ``i`` with their ties (boost strengths) and book the spare help the plan counts on
    (the same share of each tie's spare time, :func:`lib.carers.tie_spare`), so later callers this week
    cannot count on the same hours."""
    take = min(1.0, cover / spare_total) if spare_total > 0 else 0.0
    main = closest_carer(i, indptr, degree, other, strength, kind, able_to_care, network_pars.household_weight)
    for k in range(indptr[i], indptr[i] + degree[i]):
        j = other[k]
        helper_load[j] += take * tie_spare(k, main, indptr, degree, other, strength, kind, helper_cap=helper_cap,
                                           helper_load=helper_load, care_cap=care_cap, strain=strain,
                                           main_agrees=main_agrees, network_pars=network_pars)
        if k == main:  # care booked from a main carer is theirs to give, as in main care
            helper_cap[j] = max(helper_cap[j], helper_load[j])
        if boost > 0:
            strengthen_tie(indptr, degree, other, strength, active, network_pars, i=i, k=k, boost=boost)


@njit(cache=True)
def _outcome(gap, need, acute, hospital, found_net, spare_pool, connected, first, policy, support_pars, services_pars):
    """The outcome of a request and the team hours it takes, from what the practitioner finds (see :func:`triage`).

    Under every practice: need met by the time the person is seen gets no services; a discharge from hospital
    whose care at home would be beyond what a council offers goes to a care home (discharge pathway 3); other
    discharges get short-term support first where the practice offers it (discharge to assess, pathway 1), as
    does an eligible need that came with an episode (``policy.reablement_first``).  Below eligibility, unmet need
    of ``services.low_level_min_hours`` or more gets equipment or telecare (ongoing low-level support).  In a
    service-first practice the rest is a ladder by the need left unmet: below ``services.signpost_min_hours``
    nothing is offered (no services), then information and signposting, then, from eligibility, long-term
    support; a community-first practice holds its conversation instead."""
    if gap < support_pars.unmet_threshold:  # nothing left unmet by the time they are seen
        return codes.NO_SERVICES, policy.contact_hours
    if hospital and gap >= services_pars.home_care_max_hours:  # from hospital to a care home
        return codes.LONG_TERM, policy.contact_hours + policy.assessment_hours
    eligible = gap >= policy.eligibility_hours
    short_term = policy.reablement_first and (hospital or (eligible and acute > 0.5 * need))
    low_level = not eligible and gap >= services_pars.low_level_min_hours
    if first:
        found_comm = min(support_pars.community_max_hours, spare_pool) * (1.0 if connected else 0.5)
        if found_net + found_comm >= gap:
            return codes.RESOLVED, policy.contact_hours
        if short_term:
            return codes.SHORT_TERM, policy.contact_hours + policy.plan_hours
        if low_level:
            return codes.LOW_LEVEL_SUPPORT, policy.contact_hours + policy.plan_hours
        if not eligible or found_net + min(support_pars.community_max_hours, spare_pool) + \
                policy.plan_support_hours >= gap:
            return codes.PLAN, policy.contact_hours + policy.plan_hours
        return codes.LONG_TERM, policy.contact_hours + policy.plan_hours + policy.assessment_hours
    if short_term:
        return codes.SHORT_TERM, policy.contact_hours + policy.assessment_hours
    if low_level:
        return codes.LOW_LEVEL_SUPPORT, policy.contact_hours + policy.plan_hours
    if gap < services_pars.signpost_min_hours:
        return codes.NO_SERVICES, policy.contact_hours
    if not eligible:
        return codes.SIGNPOSTED, policy.contact_hours
    return codes.LONG_TERM, policy.contact_hours + policy.assessment_hours


@njit(cache=True)
def triage(key, week, staff_hours, order, need, acute, unmet, met_service, met_personal, asking, hood, interests,
           member, aware, isolated, in_hospital, wealthy, self_funded, funds_until, weeks_unmet, service, service_hours,
           service_until, long_term_since, next_review, queued_since, route, indptr, degree, other, strength, kind, active, strain,
           helper_cap, helper_load, care_cap, able_to_care, hood_pool, hood_pool_used, hood_groups_start, hood_groups,
           group_interest, group_activity, group_members, practice_share, community_first, policy_pars, review_pars,
           status_quo_first, status_quo_pars, status_quo_review_pars, network_pars, services_pars, support_pars,
           community_pars, place_start, places, place_interest, place_rank, place_taken, place_room, places_new,
           places_status_quo, held, free, connected, starts, starts_new, starts_moved, n_starts, counts):
    """Serve the queue in ``order`` (discharges from hospital first) while staff hours remain; someone in hospital
    waits for their discharge.

    Each request is taken by a practitioner of the new practice (``policy_pars``, ``review_pars``,
    ``community_first``) with chance ``practice_share``, else of the status quo's; a discharge from hospital
    only where the policy's practice reaches the hospital route (``policy.hospital_practice``), else by the
    status quo's discharge team.  The outcome follows from the need left unmet when the person is seen
    (:func:`_outcome`: the same ladder under every practice, a community-first practice holding its
    conversation before it).  Community support counts only through a resource that exists for the person: a
    place a programme offers (``place_*``, ``places_new``, ``places_status_quo``; ``held`` and ``free``, by
    queue position, the place each person holds and whether they can take another; ``connected`` receives the
    place each takes: ``phases/conversation.py``), or else the neighbourhood's voluntary services, half of whose
    spare hours a practitioner can count on.  A main carer's time counts only as far as they are able (less the
    more strained they are) and agree to give more (with chance ``network.carer_agreement``): the council cannot
    assume it (``care_act_reviews``).  What the practitioner finds is booked.  A long-term outcome starts a
    package (``lib.packages.start_package``); one a self-funder pays for (a care home) is no services from the
    council.

    The last person served may take more hours than were left: the overrun
    (a negative return) is carried into next week, so a contact needing more
    than a week's hours in a small team is served rather than blocking the queue.

    ``counts`` receives the week's tallies (the slots named above).  Returns the staff hours left
    (negative after an overrun).
    """
    for t in range(order.shape[0]):
        if staff_hours <= 0:
            break
        i = order[t]
        if in_hospital[i]:
            continue  # admitted while waiting: the request waits for them
        # The practitioner who takes it works in the new practice with chance practice_share (it ramps in), if
        # that practice reaches the route the request came by.
        reached = route[i] != codes.HOSPITAL_ROUTE or policy_pars.hospital_practice
        new = reached and uniform(key, TRIAGE, week, i, PRACTICE) < practice_share
        policy, review, first = ((policy_pars, review_pars, community_first) if new
                                 else (status_quo_pars, status_quo_review_pars, status_quo_first))
        gap = unmet[i]
        h = hood[i]
        agrees = uniform(key, TRIAGE, week, i, CARER_AGREES) < network_pars.carer_agreement
        spare_net = network_spare(i, indptr, degree, other, strength, kind, helper_cap=helper_cap,
                                  helper_load=helper_load, care_cap=care_cap, able_to_care=able_to_care,
                                  strain=strain, main_agrees=agrees, network_pars=network_pars)
        encouraged = asking[i] + policy.mobilisation * (1.0 - asking[i])
        remaining = need[i] - met_service[i] - met_personal[i]
        # A 'connect' conversation helps people ask for more; what they may get is bounded by their ties' spare time.
        found_net = min(spare_net * (1.0 + policy.connect_boost), (encouraged - asking[i]) * remaining)
        spare_pool = max(0.0, hood_pool[h] - hood_pool_used[h])
        connection = best_place(h, interests[i], held[t], place_start, places, interest=place_interest,
                                rank=place_rank, taken=place_taken, room=place_room) \
            if (places_new if new else places_status_quo) else -1
        outcome, hours = _outcome(gap, need[i], acute[i], route[i] == codes.HOSPITAL_ROUTE, found_net, spare_pool,
                                  connection >= 0, first,
                                  policy=policy, support_pars=support_pars, services_pars=services_pars)
        staff_hours -= hours  # work begun is finished; an overrun comes out of next week's hours

        if outcome == codes.RESOLVED or outcome == codes.PLAN:
            cover = min(gap, found_net)
            asking[i] = encouraged
            _mobilise(i, cover, indptr, degree, other, strength, kind, active, helper_cap=helper_cap,
                      helper_load=helper_load, care_cap=care_cap, able_to_care=able_to_care, strain=strain,
                      main_agrees=agrees, network_pars=network_pars, boost=policy.connect_boost,
                      spare_total=spare_net)
            hood_pool_used[h] += min(max(0.0, gap - cover), spare_pool)
            aware[i] = True  # a conversation tells people what goes on locally
            if connection >= 0 and free[t]:
                place_taken[connection] += 1  # taken at once: the next person finds the place fuller
                connected[t] = connection
            if outcome == codes.PLAN:
                service[i] = codes.COMMUNITY_PLAN
                service_until[i] = week + policy.plan_weeks
        elif outcome == codes.SIGNPOSTED:
            if uniform(key, TRIAGE, week, i, SIGNPOST_UPTAKE) < policy.signpost_uptake:
                aware[i] = True
                take_place(i, best_place(h, interests[i], member[i, 0], hood_groups_start, hood_groups,
                                         interest=group_interest, rank=group_activity, taken=group_members,
                                         room=community_pars.group_room), member, group_members)
        elif outcome == codes.LOW_LEVEL_SUPPORT:
            service[i] = codes.LOW_LEVEL
            service_until[i] = week + services_pars.low_level_weeks
        elif outcome == codes.SHORT_TERM:
            service[i] = codes.REABLEMENT
            service_until[i] = week + services_pars.reablement_weeks
        elif outcome == codes.LONG_TERM:
            counts[ASSESSMENTS] += 1
            if not start_package(key, week, i, new, False, need=need, unmet=unmet, isolated=isolated, wealthy=wealthy,
                                 self_funded=self_funded, funds_until=funds_until, service=service,
                                 service_hours=service_hours, long_term_since=long_term_since, next_review=next_review,
                                 review_weeks=review.review_weeks,
                                 services_pars=services_pars, starts=starts, n_starts=n_starts, starts_new=starts_new,
                                 starts_moved=starts_moved):
                outcome = codes.NO_SERVICES  # the council assessed them; they pay for their care home themselves
        weeks_unmet[i] = -support_pars.patience_weeks  # people give the offer time to work before calling again
        counts[outcome] += 1
        counts[HOURS_USED] += hours
        counts[SERVED] += 1
        counts[WEEKS_WAITED] += week - queued_since[i]
        counts[ASSESSMENTS] += outcome == codes.SHORT_TERM and not first
        counts[FROM_HOSPITAL] += route[i] == codes.HOSPITAL_ROUTE
        queued_since[i] = codes.NEVER
    return staff_hours


class FrontDoor(Component):
    """Phase: the queue is served, oldest first, through triage, with the team's hours left after plan support,
    assessments and reviews.

    A new practice ramps in: each contact is taken in it with chance ``week.practice_share``, else in the
    status quo's.  The places a conversation can connect someone to come from the programme that offers them
    (``places(model)``), or none.  Measures the outcomes, the contacts served and their wait, and the queue
    left; adds its hours and its assessments to the team's week.
    """

    name = "front_door"
    results = (
        *(Column(f"outcome_{name}", "int", "contacts", _OUTCOME_DOCS[name]) for name in codes.OUTCOMES),
        Column("contacts_served", "int", "contacts", "contacts taken from the queue and triaged this week"),
        Column("mean_wait_weeks", "float", "weeks", "mean wait of the contacts served this week"),
        Column("queue_length", "int", "contacts", "contacts still waiting at the end of the week"),
    )

    def __init__(self, model):
        self._counts = np.zeros(N_COUNTS)
        offered = [programme.places(model) for programme in model.programmes if hasattr(programme, "places")]
        if len(offered) > 1:
            raise ValueError("more than one programme offers places to a conversation; the front door takes one")
        self._places = offered[0] if offered else no_places(model.state.hoods.households.size)
        self._triage = Kernel(triage, {**model.sources, "counts": self._counts, **self._places.kernel_arguments()})
        status_quo = model.params.warmup_policy
        self._status_quo = kernel_view(status_quo), kernel_view(status_quo.review)
        self._status_quo_first = status_quo.mode == "community_first"
        self._queued_since, self._route = model.sources["queued_since"], model.sources["route"]
        self._staff_hours, self._staff_used = model.sources["team_hours"], model.sources["staff_used"]
        self._assessments = model.sources["assessments"]

    def queue_order(self) -> np.ndarray:
        """Waiting requests: discharges from hospital first, then first come first served (ties by resident index)."""
        waiting = np.flatnonzero(self._queued_since != codes.NEVER)
        by_route = self._route[waiting] != codes.HOSPITAL_ROUTE
        return waiting[np.lexsort((self._queued_since[waiting], by_route))].astype(np.int64)

    def step(self, model, week) -> None:
        status_quo, status_quo_review = self._status_quo
        self._counts[:] = 0.0
        order = self.queue_order()
        held, free = self._places.people(order)
        connected = np.full(order.size, -1, dtype=np.int32)
        self._staff_hours[0] = self._triage(
            week=week.week, staff_hours=float(self._staff_hours[0]), order=order, held=held, free=free,
            connected=connected, practice_share=week.practice_share, community_first=week.community_first,
            policy_pars=week.policy, review_pars=week.review, status_quo_first=self._status_quo_first,
            status_quo_pars=status_quo, status_quo_review_pars=status_quo_review)
        self._places.connect(order, connected, free)
        self._staff_used[0] += self._counts[HOURS_USED]
        self._assessments[0] += int(self._counts[ASSESSMENTS])

    def measures(self, model, week) -> dict:
        counts = self._counts
        served = counts[SERVED]
        return {
            **{f"outcome_{name}": int(counts[k]) for k, name in enumerate(codes.OUTCOMES)},
            "contacts_served": int(served),
            "mean_wait_weeks": counts[WEEKS_WAITED] / served if served else 0.0,
            "queue_length": int(model.recorder.totals.waiting),
        }
