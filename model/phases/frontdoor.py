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
from ..draws import PRACTICE, SIGNPOST_UPTAKE
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
HOURS_USED, SERVED, WEEKS_WAITED, ASSESSMENTS = N_OUTCOMES, N_OUTCOMES + 1, N_OUTCOMES + 2, N_OUTCOMES + 3
N_COUNTS = N_OUTCOMES + 4

_OUTCOME_DOCS = {
    "resolved_first_contact": "contacts resolved at the first conversation (networks and community found)",
    "signposted": "contacts signposted elsewhere (service-first: not eligible)",
    "community_plan": "contacts given a time-limited community plan",
    "reablement": "contacts starting reablement",
    "long_term_service": "contacts starting a long-term statutory package",
}


@njit(cache=True)
def _mobilise(i, cover, indptr, degree, other, strength, kind, active, helper_cap, helper_load, care_cap, able_to_care,
              network_pars, boost, spare_total):
    """Reconnect ``i`` with their ties (boost strengths) and book the spare help the plan counts on
    (the same share of each tie's spare time, :func:`lib.carers.tie_spare`), so later callers this week
    cannot count on the same hours."""
    take = min(1.0, cover / spare_total) if spare_total > 0 else 0.0
    main = closest_carer(i, indptr, degree, other, strength, kind, able_to_care, network_pars.household_weight)
    for k in range(indptr[i], indptr[i] + degree[i]):
        j = other[k]
        helper_load[j] += take * tie_spare(k, main, indptr, degree, other, strength, kind, helper_cap=helper_cap,
                                           helper_load=helper_load, care_cap=care_cap, network_pars=network_pars)
        if k == main:  # care booked from a main carer is theirs to give, as in main care
            helper_cap[j] = max(helper_cap[j], helper_load[j])
        if boost > 0:
            strengthen_tie(indptr, degree, other, strength, active, network_pars, i=i, k=k, boost=boost)


@njit(cache=True)
def triage(key, week, staff_hours, order, need, acute, unmet, met_service, met_personal, met_network, asking, hood,
           interests, member, aware, isolated, weeks_unmet, service, service_hours, service_until, next_review,
           queued_since, indptr, degree, other, strength, kind, active, helper_cap, helper_load, care_cap, able_to_care,
           hood_pool, hood_pool_used, hood_groups_start, hood_groups, group_interest, group_activity, group_members,
           practice_share, community_first, policy_pars, review_pars, status_quo_first, status_quo_pars,
           status_quo_review_pars, network_pars, services_pars, support_pars, community_pars, place_start, places,
           place_interest, place_rank, place_taken, place_room, places_new, places_status_quo, held, free, connected,
           starts, starts_new, n_starts, counts):
    """Serve the queue in ``order`` while staff hours remain.

    Each contact is taken by a practitioner of the new practice (``policy_pars``, ``review_pars``,
    ``community_first``) with chance ``practice_share``, else of the status quo's.  Community support
    counts only through a resource that exists for the person: a place a programme offers (``place_*``,
    ``places_new``, ``places_status_quo``; ``held`` and ``free``, by queue position, the place each person
    holds and whether they can take another; ``connected`` receives the place each takes:
    ``phases/conversation.py``), or else the neighbourhood's voluntary services, half of whose spare hours a
    practitioner can count on; what the practitioner finds is booked.  A long-term outcome starts a package
    (``lib.packages.start_package``).

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
        # The practitioner who takes it works in the new practice with chance practice_share (it ramps in).
        new = uniform(key, TRIAGE, week, i, PRACTICE) < practice_share
        policy, review, first = ((policy_pars, review_pars, community_first) if new
                                 else (status_quo_pars, status_quo_review_pars, status_quo_first))
        gap = unmet[i]
        h = hood[i]
        spare_net = network_spare(i, indptr, degree, other, strength, kind, helper_cap=helper_cap,
                                  helper_load=helper_load, care_cap=care_cap, able_to_care=able_to_care, network_pars=network_pars)
        encouraged = asking[i] + policy.mobilisation * (1.0 - asking[i])
        remaining = need[i] - met_service[i] - met_personal[i]
        # A 'connect' conversation helps people ask for more; what they may get is bounded by their ties' spare time.
        found_net = min(spare_net * (1.0 + policy.connect_boost), (encouraged - asking[i]) * remaining)
        spare_pool = max(0.0, hood_pool[h] - hood_pool_used[h])
        connection = best_place(h, interests[i], held[t], place_start, places, interest=place_interest,
                                rank=place_rank, taken=place_taken, room=place_room) \
            if (places_new if new else places_status_quo) else -1
        acute_led = acute[i] > 0.5 * need[i]
        eligible = gap >= policy.eligibility_hours
        if first:
            found_comm = min(support_pars.community_max_hours, spare_pool) * (1.0 if connection >= 0 else 0.5)
            if found_net + found_comm >= gap:
                outcome, hours = codes.RESOLVED, policy.contact_hours
            elif acute_led and eligible and policy.reablement_first:
                outcome, hours = codes.SHORT_TERM, policy.contact_hours + policy.plan_hours
            elif not eligible or found_net + min(support_pars.community_max_hours, spare_pool) + policy.plan_support_hours >= gap:
                outcome, hours = codes.PLAN, policy.contact_hours + policy.plan_hours
            else:
                outcome, hours = codes.LONG_TERM, policy.contact_hours + policy.plan_hours + policy.assessment_hours
        else:
            if not eligible:
                outcome, hours = codes.SIGNPOSTED, policy.contact_hours
            elif acute_led and policy.reablement_first:
                outcome, hours = codes.SHORT_TERM, policy.contact_hours + policy.assessment_hours
            else:
                outcome, hours = codes.LONG_TERM, policy.contact_hours + policy.assessment_hours
        staff_hours -= hours  # work begun is finished; an overrun comes out of next week's hours

        if outcome == codes.RESOLVED or outcome == codes.PLAN:
            cover = min(gap, found_net)
            asking[i] = encouraged
            _mobilise(i, cover, indptr, degree, other, strength, kind, active, helper_cap=helper_cap,
                      helper_load=helper_load, care_cap=care_cap, able_to_care=able_to_care,
                      network_pars=network_pars, boost=policy.connect_boost, spare_total=spare_net)
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
        elif outcome == codes.SHORT_TERM:
            service[i] = codes.REABLEMENT
            service_until[i] = week + services_pars.reablement_weeks
        else:
            start_package(key, week, i, new, need=need, unmet=unmet, met_network=met_network, isolated=isolated,
                          service=service, service_hours=service_hours, next_review=next_review,
                          review_weeks=review.review_weeks, services_pars=services_pars, starts=starts,
                          n_starts=n_starts, starts_new=starts_new)
        weeks_unmet[i] = -support_pars.patience_weeks  # people give the offer time to work before calling again
        counts[outcome] += 1
        counts[HOURS_USED] += hours
        counts[SERVED] += 1
        counts[WEEKS_WAITED] += week - queued_since[i]
        counts[ASSESSMENTS] += outcome == codes.LONG_TERM or (outcome == codes.SHORT_TERM and not first)
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
        self._queued_since = model.sources["queued_since"]
        self._staff_hours, self._staff_used = model.sources["team_hours"], model.sources["staff_used"]
        self._assessments = model.sources["assessments"]

    def queue_order(self) -> np.ndarray:
        """Waiting contacts, first come first served (ties by resident index)."""
        waiting = np.flatnonzero(self._queued_since != codes.NEVER)
        return waiting[np.argsort(self._queued_since[waiting], kind="stable")].astype(np.int64)

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
