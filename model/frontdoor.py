"""The council's front door: contacts, a FIFO queue served with finite staff hours,
triage by policy, package allocation and reviews.

No outcome share is a parameter.  Each contact's outcome follows from what the
practitioner can find around the person this week (spare capacity of their
ties, spare community support in their neighbourhood, a group sharing their
interests) and from the staff hours left.  Capacity found for one person is
used up, so in a thin community later callers find less, which is where the
revolving door comes from.
"""

import numpy as np
from numba import njit, prange

from . import codes
from .draws import PERSONAL_BUDGET, SHARED_LIVES, SIGNPOST_UPTAKE
from .rng import CONTACT, TRIAGE, uniform
from .state import Kernel
from .support import network_spare
from .ties import on_long_term, strengthen_tie

# Slots of the week's tallies.  ``counts``: one per outcome (codes.OUTCOMES order), then these:
N_OUTCOMES = len(codes.OUTCOMES)
HOURS_USED, SERVED, WEEKS_WAITED, ASSESSMENTS = N_OUTCOMES, N_OUTCOMES + 1, N_OUTCOMES + 2, N_OUTCOMES + 3
N_COUNTS = N_OUTCOMES + 4
# ``transitions``: long-term packages started after reablement, step-downs at review, reviews held
STARTS, STEP_DOWNS, REVIEWS = 0, 1, 2


@njit(parallel=True, cache=True)
def new_contacts(key, week, unmet, crisis, weeks_unmet, service, queued_since, last_contact, contacts,
                 contacted, since_last, isolated, need, sup, pol):
    """Persistent unmet need or a crisis turns into a contact; contacts join the queue.

    Two further routes bring people to a conversation before they would call:
    proactive outreach to anyone with unmet need (``pol.outreach_weekly``,
    local area coordination) and primary-care referral of isolated people with a
    need (``pol.referral_weekly``, social prescribing).  Neither reaches someone
    already supported or contacted within ``sup.patience_weeks``.
    """
    for i in prange(unmet.shape[0]):
        contacted[i] = False
        if unmet[i] > sup.unmet_threshold:
            weeks_unmet[i] += 1
        else:
            weeks_unmet[i] = 0
        if queued_since[i] != codes.NEVER or on_long_term(service[i]) or service[i] == codes.REABLEMENT:
            continue
        chance = 0.0
        if crisis[i] and unmet[i] > sup.unmet_threshold:
            chance = sup.crisis_contact
        if weeks_unmet[i] >= sup.persist_weeks:
            chance = max(chance, sup.contact_weekly * min(1.0, unmet[i] / sup.contact_scale_hours))
        if service[i] == codes.NO_SERVICE and week - last_contact[i] > sup.patience_weeks:
            if weeks_unmet[i] > 0:
                chance = max(chance, pol.outreach_weekly)
            if isolated[i] and need[i] > 0:
                chance = max(chance, pol.referral_weekly)
        if chance > 0 and uniform(key, CONTACT, week, i, 0) < chance:
            contacted[i] = True
            since_last[i] = week - last_contact[i]
            last_contact[i] = week
            contacts[i] += 1
            queued_since[i] = week


@njit(cache=True)
def _start_package(key, week, i, need, unmet, met_network, isolated, service, service_hours, next_review, pol, rev,
                   svc):
    """Choose and start a long-term package sized to the need that nothing else meets.

    Someone offered residential care may take a personal budget (direct payment
    or individual service fund) for support at home instead (``pol.personal_budget_share``).
    """
    if need[i] >= svc.residential_hours and met_network[i] < 0.3 * need[i] and \
            uniform(key, TRIAGE, week, i, PERSONAL_BUDGET) >= pol.personal_budget_share:
        shared = uniform(key, TRIAGE, week, i, SHARED_LIVES) < svc.shared_lives_share
        service[i] = codes.SHARED_LIVES if shared else codes.RESIDENTIAL
    elif isolated[i] and unmet[i] <= svc.day_care_max_hours:
        shared = uniform(key, TRIAGE, week, i, SHARED_LIVES) < svc.shared_lives_share
        service[i] = codes.SHARED_LIVES if shared else codes.DAY_CARE
    else:
        service[i] = codes.HOME_CARE
        service_hours[i] = unmet[i]
    next_review[i] = week + rev.review_weeks


@njit(cache=True)
def _link_to_group(i, hood, interests, member, aware, hood_groups_start, hood_groups, group_interest, group_activity):
    """Introduce ``i`` to the most active group in their neighbourhood sharing an interest."""
    aware[i] = True
    if member[i, 1] >= 0:
        return
    h = hood[i]
    best, best_activity = -1, 0.0
    for t in range(hood_groups_start[h], hood_groups_start[h + 1]):
        g = hood_groups[t]
        if (interests[i] >> np.uint32(group_interest[g])) & np.uint32(1) and group_activity[g] > best_activity \
                and member[i, 0] != g:
            best, best_activity = g, group_activity[g]
    if best >= 0:
        member[i, 1 if member[i, 0] >= 0 else 0] = best


@njit(cache=True)
def _mobilise(i, cover, indptr, degree, other, strength, helper_cap, helper_load, boost, spare_total):
    """Reconnect ``i`` with their ties (boost strengths) and book the spare help the plan counts on,
    so later callers this week cannot count on the same hours."""
    take = min(1.0, cover / spare_total) if spare_total > 0 else 0.0
    for k in range(indptr[i], indptr[i] + degree[i]):
        j = other[k]
        spare = max(0.0, helper_cap[j] - helper_load[j])
        helper_load[j] += take * strength[k] * strength[k] * spare
        if boost > 0:
            strengthen_tie(indptr, degree, other, strength, i, k, boost)


@njit(cache=True)
def triage(key, week, staff_hours, order, need, acute, unmet, met_service, met_personal, met_network, asking, hood,
           interests, member, aware, isolated, weeks_unmet, service, service_hours, service_until, next_review,
           queued_since, indptr, degree, other, strength, helper_cap, helper_load, hood_pool, hood_pool_used,
           hood_groups_start, hood_groups, group_interest, group_activity, community_first, pol, rev, svc, sup, counts):
    """Serve the queue in ``order`` while staff hours remain.

    The last person served may take more hours than were left: the overrun
    (a negative return) is carried into next week, so a contact needing more
    than a week's hours in a small team is served rather than blocking the queue.

    ``counts`` receives the week's tallies (the slots named above).  Returns the staff hours left
    (negative after an overrun).
    """
    for t in range(order.shape[0]):
        i = order[t]
        gap = unmet[i]
        h = hood[i]
        spare_net = network_spare(i, indptr, degree, other, strength, helper_cap, helper_load)
        encouraged = asking[i] + pol.mobilisation * (1.0 - asking[i])
        remaining = need[i] - met_service[i] - met_personal[i]
        # A 'connect' conversation helps people ask for more; what they may get is bounded by their ties' spare time.
        found_net = min(spare_net * (1.0 + pol.connect_boost), (encouraged - asking[i]) * remaining)
        spare_pool = max(0.0, hood_pool[h] - hood_pool_used[h])
        acute_led = acute[i] > 0.5 * need[i]
        eligible = gap >= pol.eligibility_hours
        if community_first:
            found_comm = min(sup.community_max_hours, spare_pool) * (1.0 if pol.link_groups else 0.5)
            if found_net + found_comm >= gap:
                outcome, hours = codes.RESOLVED, pol.contact_hours
            elif acute_led and eligible and pol.reablement_first:
                outcome, hours = codes.SHORT_TERM, pol.contact_hours + pol.plan_hours
            elif not eligible or found_net + min(sup.community_max_hours, spare_pool) + pol.plan_support_hours >= gap:
                outcome, hours = codes.PLAN, pol.contact_hours + pol.plan_hours
            else:
                outcome, hours = codes.LONG_TERM, pol.contact_hours + pol.plan_hours + pol.assessment_hours
        else:
            if not eligible:
                outcome, hours = codes.SIGNPOSTED, pol.contact_hours
            elif acute_led and pol.reablement_first:
                outcome, hours = codes.SHORT_TERM, pol.contact_hours + pol.assessment_hours
            else:
                outcome, hours = codes.LONG_TERM, pol.contact_hours + pol.assessment_hours
        if staff_hours <= 0:
            break
        staff_hours -= hours  # work begun is finished; an overrun comes out of next week's hours

        if outcome == codes.RESOLVED or outcome == codes.PLAN:
            cover = min(gap, found_net)
            asking[i] = encouraged
            _mobilise(i, cover, indptr, degree, other, strength, helper_cap, helper_load,
                      boost=pol.connect_boost, spare_total=spare_net)
            hood_pool_used[h] += min(max(0.0, gap - cover), spare_pool)
            if pol.link_groups:
                _link_to_group(i, hood, interests, member, aware, hood_groups_start, hood_groups,
                               group_interest=group_interest, group_activity=group_activity)
            aware[i] = True
            if outcome == codes.PLAN:
                service[i] = codes.COMMUNITY_PLAN
                service_until[i] = week + pol.plan_weeks
        elif outcome == codes.SIGNPOSTED:
            if uniform(key, TRIAGE, week, i, SIGNPOST_UPTAKE) < pol.signpost_uptake:
                _link_to_group(i, hood, interests, member, aware, hood_groups_start, hood_groups,
                               group_interest=group_interest, group_activity=group_activity)
        elif outcome == codes.SHORT_TERM:
            service[i] = codes.REABLEMENT
            service_until[i] = week + svc.reablement_weeks
        else:
            _start_package(key, week, i, need=need, unmet=unmet, met_network=met_network, isolated=isolated,
                           service=service, service_hours=service_hours, next_review=next_review, pol=pol, rev=rev,
                           svc=svc)
        weeks_unmet[i] = -sup.patience_weeks  # people give the offer time to work before calling again
        counts[outcome] += 1
        counts[HOURS_USED] += hours
        counts[SERVED] += 1
        counts[WEEKS_WAITED] += week - queued_since[i]
        counts[ASSESSMENTS] += outcome == codes.LONG_TERM or (outcome == codes.SHORT_TERM and not community_first)
        queued_since[i] = codes.NEVER
    return staff_hours


@njit(cache=True)
def _carried(i, hood_pool, hood_pool_used, hood, indptr, degree, other, strength, helper_cap, helper_load, sup):
    """Hours a week the person's ties and neighbourhood could carry now: what a strengths-based review looks for."""
    h = hood[i]
    community = min(sup.community_max_hours, max(0.0, hood_pool[h] - hood_pool_used[h]))
    return community + network_spare(i, indptr, degree, other, strength, helper_cap, helper_load)


@njit(cache=True)
def review_and_transition(key, week, staff_hours, need, unmet, met_service, met_network, isolated, service,
                          service_hours, service_until, next_review, indptr, degree, other, strength, helper_cap,
                          helper_load, hood_pool, hood_pool_used, hood, community_first, pol, rev, svc, sup, transitions):
    """End plans and reablement that are due, and review long-term packages while staff hours last.

    Reablement ends in an assessment: a long-term package if the need still
    exceeds eligibility and, where the review practice steps down, the person's network
    and community cannot carry it.  Reviews resize home care to the current need,
    end packages whose need fell below eligibility and, where the review practice
    steps down, end packages the person's network and community can now carry.
    ``transitions`` receives the week's tallies (the slots named above).  Returns staff hours left.
    """
    for i in range(service.shape[0]):
        st = service[i]
        if (st == codes.COMMUNITY_PLAN or st == codes.REABLEMENT) and service_until[i] <= week:
            service[i] = codes.NO_SERVICE
            service_until[i] = codes.NEVER
            need_for_service = unmet[i] + met_service[i]
            if st == codes.REABLEMENT and need_for_service >= pol.eligibility_hours and not (
                    rev.step_down and _carried(i, hood_pool, hood_pool_used, hood, indptr, degree, other, strength,
                                               helper_cap=helper_cap, helper_load=helper_load, sup=sup)
                    >= need_for_service):
                unmet[i] += met_service[i]
                _start_package(key, week, i, need=need, unmet=unmet, met_network=met_network, isolated=isolated,
                               service=service, service_hours=service_hours, next_review=next_review, pol=pol, rev=rev,
                               svc=svc)
                transitions[STARTS] += 1
        elif on_long_term(st) and next_review[i] <= week and staff_hours >= rev.review_hours:
            staff_hours -= rev.review_hours
            transitions[REVIEWS] += 1
            next_review[i] = week + rev.review_weeks
            carried = _carried(i, hood_pool, hood_pool_used, hood, indptr, degree, other, strength,
                               helper_cap=helper_cap, helper_load=helper_load, sup=sup)
            need_for_service = met_service[i] + unmet[i]
            if need_for_service < pol.eligibility_hours or (
                    rev.step_down and st != codes.RESIDENTIAL and carried >= need_for_service):
                service[i] = codes.NO_SERVICE
                service_hours[i] = 0.0
                transitions[STEP_DOWNS] += 1
            elif st == codes.HOME_CARE:
                service_hours[i] = need_for_service
    return staff_hours


class FrontDoor:
    """Phase: unmet need becomes contacts; the team reviews packages, then serves the queue in arrival order.

    Owns who contacted this week (``contacted``, ``since_last``: weeks since their previous contact),
    the week's tallies (``counts``, ``transitions``) and the overrun: work begun is finished, and
    hours worked beyond a week's come out of the next week's.  The team has
    ``policy.staff_fte_per_10k`` FTE per 10,000 adults, each ``policy.productive_hours`` a week,
    times the scenario's ``staff_multiplier``.
    """

    def __init__(self, model):
        n = model.state.residents.n
        self._adults = n
        self.contacted = np.zeros(n, dtype=np.bool_)
        self.since_last = np.zeros(n, dtype=np.int32)
        self._counts = np.zeros(N_COUNTS)
        self._transitions = np.zeros(3)
        sources = {**model.sources, "contacted": self.contacted, "since_last": self.since_last,
                   "counts": self._counts, "transitions": self._transitions}
        self._new_contacts = Kernel(new_contacts, sources)
        self._review_and_transition = Kernel(review_and_transition, sources)
        self._triage = Kernel(triage, sources)
        self._queued_since = model.sources["queued_since"]
        self._overrun = 0.0  # hours worked beyond last week's (zero or negative)
        self._available = 0.0

    def staff_hours(self, week) -> float:
        """The team's hours this week."""
        pol = week.policy
        return pol.staff_fte_per_10k * self._adults / 10_000 * pol.productive_hours * week.scenario.staff_multiplier

    def queue_order(self) -> np.ndarray:
        """Waiting contacts, first come first served (ties by resident index)."""
        waiting = np.flatnonzero(self._queued_since != codes.NEVER)
        return waiting[np.argsort(self._queued_since[waiting], kind="stable")].astype(np.int64)

    def step(self, model, week) -> None:
        pol = week.policy
        self._new_contacts(week=week.clock, pol=pol)
        self._available = self.staff_hours(week)
        self._transitions[:] = 0.0
        staff_hours = self._review_and_transition(week=week.clock, staff_hours=self._available + self._overrun,
                                                  community_first=week.community_first, pol=pol, rev=week.review)
        self._counts[:] = 0.0
        left = self._triage(week=week.clock, staff_hours=staff_hours, order=self.queue_order(),
                            hood_groups_start=model.community.hood_groups_start,
                            hood_groups=model.community.hood_groups, community_first=week.community_first, pol=pol,
                            rev=week.review)
        self._overrun = min(0.0, left)

    def measures(self, model, week) -> dict:
        counts, transitions = self._counts, self._transitions
        served = counts[SERVED]
        return {
            **{f"outcome_{name}": int(counts[k]) for k, name in enumerate(codes.OUTCOMES)},
            "contacts_served": int(served),
            "mean_wait_weeks": counts[WEEKS_WAITED] / served if served else 0.0,
            "queue_length": int((self._queued_since != codes.NEVER).sum()),
            "staff_hours_available": self._available,
            "staff_hours_used": counts[HOURS_USED] + transitions[REVIEWS] * week.review.review_hours,
            "statutory_starts": int(counts[codes.LONG_TERM] + transitions[STARTS]),
            "full_assessments": int(counts[ASSESSMENTS] + transitions[STARTS]),  # at the front door or after reablement
            "step_downs": int(transitions[STEP_DOWNS]),
            "reviews": int(transitions[REVIEWS]),
        }
