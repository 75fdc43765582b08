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
from .draws import PERSONAL_BUDGET, PRACTICE, REVIEW_PRACTICE, SHARED_LIVES, SIGNPOST_UPTAKE
from .params import kernel_view
from .rng import CONTACT, TRIAGE, uniform, uniform_at, week_key
from .state import Kernel
from .support import closest_carer, network_spare, tie_spare
from .ties import on_long_term, strengthen_tie

# Slots of the week's tallies.  ``counts``: one per outcome (codes.OUTCOMES order), then these:
N_OUTCOMES = len(codes.OUTCOMES)
HOURS_USED, SERVED, WEEKS_WAITED, ASSESSMENTS = N_OUTCOMES, N_OUTCOMES + 1, N_OUTCOMES + 2, N_OUTCOMES + 3
N_COUNTS = N_OUTCOMES + 4
# ``transitions``: long-term packages started after a plan or reablement, step-downs at review, reviews held,
# assessments when a plan ends and when reablement ends, and the team hours all of these took
STARTS, STEP_DOWNS, REVIEWS, REASSESSMENTS, END_ASSESSMENTS, WORK_HOURS = 0, 1, 2, 3, 4, 5
N_TRANSITIONS = 6


@njit(parallel=True, cache=True)
def new_contacts(key, week, unmet, crisis, weeks_unmet, service, queued_since, last_contact, contacts,
                 contacted, since_last, next_review, review_requested, isolated, need, sup, pol):
    """Persistent unmet need or a crisis turns into a contact; contacts join the queue.

    Two further routes bring people to a conversation before they would call:
    proactive outreach to anyone with unmet need (``pol.outreach_weekly``,
    local area coordination) and primary-care referral of isolated people with a
    need (``pol.referral_weekly``, social prescribing).  Neither reaches someone
    already supported or contacted within ``sup.patience_weeks``.

    Someone on a long-term package whose need has gone unmet for ``sup.persist_weeks`` asks for
    their package to be looked at again: their review is brought forward to this week
    (``review_requested``), under every policy, so packages follow changing need.
    """
    contact = week_key(key, CONTACT, week)
    for i in prange(unmet.shape[0]):
        contacted[i] = False
        review_requested[i] = False
        if unmet[i] > sup.unmet_threshold:
            weeks_unmet[i] += 1
        else:
            weeks_unmet[i] = 0
        if on_long_term(service[i]):
            if weeks_unmet[i] >= sup.persist_weeks and next_review[i] > week:
                next_review[i] = week
                review_requested[i] = True
            continue
        if queued_since[i] != codes.NEVER or service[i] == codes.REABLEMENT:
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
        if chance > 0 and uniform_at(contact, i, 0) < chance:
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
def _matching_group(i, hood, interests, member, hood_groups_start, hood_groups, group_interest, group_activity,
                    group_members, comm):
    """The most active group in ``i``'s neighbourhood that shares one of their interests, has room
    (fewer than ``comm.group_room`` members) and that they are not in already; -1 if there is none."""
    h = hood[i]
    best, best_activity = -1, 0.0
    for t in range(hood_groups_start[h], hood_groups_start[h + 1]):
        g = hood_groups[t]
        if (interests[i] >> np.uint32(group_interest[g])) & np.uint32(1) and group_activity[g] > best_activity \
                and member[i, 0] != g and group_members[g] < comm.group_room:
            best, best_activity = g, group_activity[g]
    return best


@njit(inline="always", cache=True)
def _join(i, g, member, aware, group_members):
    """``i`` joins group ``g`` (if they have a free membership slot) and hears of what goes on locally."""
    aware[i] = True
    if g >= 0 and member[i, 1] < 0:
        member[i, 1 if member[i, 0] >= 0 else 0] = g
        group_members[g] += 1  # the place is taken at once: the next caller this week finds the group fuller


@njit(cache=True)
def _mobilise(i, cover, indptr, degree, other, strength, kind, active, helper_cap, helper_load, care_cap, able_to_care,
              net, boost, spare_total):
    """Reconnect ``i`` with their ties (boost strengths) and book the spare help the plan counts on
    (the same share of each tie's spare time, :func:`support.tie_spare`), so later callers this week
    cannot count on the same hours."""
    take = min(1.0, cover / spare_total) if spare_total > 0 else 0.0
    main = closest_carer(i, indptr, degree, other, strength, kind, able_to_care, net.household_weight)
    for k in range(indptr[i], indptr[i] + degree[i]):
        j = other[k]
        helper_load[j] += take * tie_spare(k, main, indptr, degree, other, strength, kind, helper_cap=helper_cap,
                                           helper_load=helper_load, care_cap=care_cap, net=net)
        if k == main:  # care booked from a main carer is theirs to give, as in main care
            helper_cap[j] = max(helper_cap[j], helper_load[j])
        if boost > 0:
            strengthen_tie(indptr, degree, other, strength, active, net, i=i, k=k, boost=boost)


@njit(cache=True)
def triage(key, week, staff_hours, order, need, acute, unmet, met_service, met_personal, met_network, asking, hood,
           interests, member, aware, isolated, weeks_unmet, service, service_hours, service_until, next_review,
           queued_since, indptr, degree, other, strength, kind, active, helper_cap, helper_load, care_cap, able_to_care,
           hood_pool,
           hood_pool_used, hood_groups_start, hood_groups, group_interest, group_activity, group_members,
           practice_share, community_first, pol, rev, status_quo_first, status_quo, status_quo_review, net, svc, sup,
           comm, counts):
    """Serve the queue in ``order`` while staff hours remain.

    Each contact is taken by a practitioner of the new practice (``pol``, ``rev``, ``community_first``)
    with chance ``practice_share``, else of the status quo's.  Community support counts only through
    a resource that exists for the person: a group in their neighbourhood sharing an interest with
    room (where the practice links people to groups), or else the neighbourhood's voluntary services,
    half of whose spare hours a practitioner can count on; what the practitioner finds is booked.

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
        p, r, first = (pol, rev, community_first) if new else (status_quo, status_quo_review, status_quo_first)
        gap = unmet[i]
        h = hood[i]
        spare_net = network_spare(i, indptr, degree, other, strength, kind, helper_cap=helper_cap,
                                  helper_load=helper_load, care_cap=care_cap, able_to_care=able_to_care, net=net)
        encouraged = asking[i] + p.mobilisation * (1.0 - asking[i])
        remaining = need[i] - met_service[i] - met_personal[i]
        # A 'connect' conversation helps people ask for more; what they may get is bounded by their ties' spare time.
        found_net = min(spare_net * (1.0 + p.connect_boost), (encouraged - asking[i]) * remaining)
        spare_pool = max(0.0, hood_pool[h] - hood_pool_used[h])
        group = _matching_group(i, hood, interests, member, hood_groups_start, hood_groups, group_interest=group_interest,
                                group_activity=group_activity, group_members=group_members, comm=comm) \
            if p.link_groups else -1
        acute_led = acute[i] > 0.5 * need[i]
        eligible = gap >= p.eligibility_hours
        if first:
            found_comm = min(sup.community_max_hours, spare_pool) * (1.0 if group >= 0 else 0.5)
            if found_net + found_comm >= gap:
                outcome, hours = codes.RESOLVED, p.contact_hours
            elif acute_led and eligible and p.reablement_first:
                outcome, hours = codes.SHORT_TERM, p.contact_hours + p.plan_hours
            elif not eligible or found_net + min(sup.community_max_hours, spare_pool) + p.plan_support_hours >= gap:
                outcome, hours = codes.PLAN, p.contact_hours + p.plan_hours
            else:
                outcome, hours = codes.LONG_TERM, p.contact_hours + p.plan_hours + p.assessment_hours
        else:
            if not eligible:
                outcome, hours = codes.SIGNPOSTED, p.contact_hours
            elif acute_led and p.reablement_first:
                outcome, hours = codes.SHORT_TERM, p.contact_hours + p.assessment_hours
            else:
                outcome, hours = codes.LONG_TERM, p.contact_hours + p.assessment_hours
        staff_hours -= hours  # work begun is finished; an overrun comes out of next week's hours

        if outcome == codes.RESOLVED or outcome == codes.PLAN:
            cover = min(gap, found_net)
            asking[i] = encouraged
            _mobilise(i, cover, indptr, degree, other, strength, kind, active, helper_cap=helper_cap,
                      helper_load=helper_load, care_cap=care_cap, able_to_care=able_to_care, net=net,
                      boost=p.connect_boost, spare_total=spare_net)
            hood_pool_used[h] += min(max(0.0, gap - cover), spare_pool)
            _join(i, group, member, aware, group_members)
            if outcome == codes.PLAN:
                service[i] = codes.COMMUNITY_PLAN
                service_until[i] = week + p.plan_weeks
        elif outcome == codes.SIGNPOSTED:
            if uniform(key, TRIAGE, week, i, SIGNPOST_UPTAKE) < p.signpost_uptake:
                _join(i, _matching_group(i, hood, interests, member, hood_groups_start, hood_groups,
                                         group_interest=group_interest, group_activity=group_activity,
                                         group_members=group_members, comm=comm), member, aware, group_members)
        elif outcome == codes.SHORT_TERM:
            service[i] = codes.REABLEMENT
            service_until[i] = week + svc.reablement_weeks
        else:
            _start_package(key, week, i, need=need, unmet=unmet, met_network=met_network, isolated=isolated,
                           service=service, service_hours=service_hours, next_review=next_review, pol=p, rev=r,
                           svc=svc)
        weeks_unmet[i] = -sup.patience_weeks  # people give the offer time to work before calling again
        counts[outcome] += 1
        counts[HOURS_USED] += hours
        counts[SERVED] += 1
        counts[WEEKS_WAITED] += week - queued_since[i]
        counts[ASSESSMENTS] += outcome == codes.LONG_TERM or (outcome == codes.SHORT_TERM and not first)
        queued_since[i] = codes.NEVER
    return staff_hours


@njit(cache=True)
def _carried(i, hood_pool, hood_pool_used, hood, indptr, degree, other, strength, kind, helper_cap, helper_load,
             care_cap, able_to_care, net, sup):
    """Hours a week the person's ties and neighbourhood could carry now: what a strengths-based review looks for."""
    h = hood[i]
    community = min(sup.community_max_hours, max(0.0, hood_pool[h] - hood_pool_used[h]))
    return community + network_spare(i, indptr, degree, other, strength, kind, helper_cap=helper_cap,
                                     helper_load=helper_load, care_cap=care_cap, able_to_care=able_to_care, net=net)


@njit(cache=True)
def review_and_transition(key, week, staff_hours, need, unmet, met_service, met_network, isolated, service,
                          service_hours, service_until, next_review, weeks_unmet, indptr, degree, other, strength,
                          kind, helper_cap, helper_load, care_cap, able_to_care, hood_pool, hood_pool_used, hood,
                          practice_share, pol, rev, status_quo, status_quo_review, net, svc, sup, transitions):
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
            p, r = (pol, rev) if new else (status_quo, status_quo_review)
            if need_for_service < p.eligibility_hours:
                continue
            staff_hours -= p.assessment_hours
            transitions[WORK_HOURS] += p.assessment_hours
            transitions[REASSESSMENTS if st == codes.COMMUNITY_PLAN else END_ASSESSMENTS] += 1
            carried = _carried(i, hood_pool, hood_pool_used, hood, indptr, degree, other, strength, kind=kind,
                               helper_cap=helper_cap, helper_load=helper_load, care_cap=care_cap,
                               able_to_care=able_to_care, net=net, sup=sup) if r.step_down else 0.0
            if not (r.step_down and carried >= need_for_service):
                unmet[i] += met_service[i]
                _start_package(key, week, i, need=need, unmet=unmet, met_network=met_network, isolated=isolated,
                               service=service, service_hours=service_hours, next_review=next_review, pol=p, rev=r,
                               svc=svc)
                transitions[STARTS] += 1
        elif on_long_term(st) and next_review[i] <= week:
            new = uniform(key, TRIAGE, week, i, REVIEW_PRACTICE) < practice_share
            p, r = (pol, rev) if new else (status_quo, status_quo_review)
            if staff_hours < r.review_hours:
                continue
            staff_hours -= r.review_hours
            transitions[WORK_HOURS] += r.review_hours
            transitions[REVIEWS] += 1
            next_review[i] = week + r.review_weeks
            weeks_unmet[i] = -sup.patience_weeks  # a resized package is given time to work
            carried = _carried(i, hood_pool, hood_pool_used, hood, indptr, degree, other, strength, kind=kind,
                               helper_cap=helper_cap, helper_load=helper_load, care_cap=care_cap,
                               able_to_care=able_to_care, net=net, sup=sup)
            need_for_service = met_service[i] + unmet[i]
            if need_for_service < p.eligibility_hours or (
                    r.step_down and st != codes.RESIDENTIAL and carried >= need_for_service):
                service[i] = codes.NO_SERVICE
                service_hours[i] = 0.0
                transitions[STEP_DOWNS] += 1
            elif st == codes.HOME_CARE or (st == codes.DAY_CARE and unmet[i] > sup.unmet_threshold):
                service[i] = codes.HOME_CARE
                service_hours[i] = need_for_service
    return staff_hours


class FrontDoor:
    """Phase: unmet need becomes contacts; one team does all the council's practice work.

    The team has ``policy.staff_fte_per_10k`` FTE per 10,000 adults, each ``policy.productive_hours``
    a week, times the scenario's ``staff_multiplier``.  Its hours go first to supporting the people on
    community plans (the plan support delivered this week), then to assessments when plans and
    reablement end and to reviews due, then to the queue, served oldest first.  Work begun is
    finished: hours worked beyond a week's come out of the next week's (the overrun), so queues and
    waits grow when demand exceeds the team.  A new practice ramps in: each piece of work is done in
    it with chance ``week.practice_share``, else in the status quo's.

    Owns who contacted this week (``contacted``, ``since_last``: weeks since their previous contact),
    whose review their unmet need brought forward (``review_requested``), the week's tallies
    (``counts``, ``transitions``) and the overrun.
    """

    def __init__(self, model):
        n = model.state.residents.n
        self._adults = n
        self.contacted = np.zeros(n, dtype=np.bool_)
        self.since_last = np.zeros(n, dtype=np.int32)
        self.review_requested = np.zeros(n, dtype=np.bool_)
        self._counts = np.zeros(N_COUNTS)
        self._transitions = np.zeros(N_TRANSITIONS)
        sources = {**model.sources, "care_cap": model.support.care_cap, "able_to_care": model.support.able_to_care,
                   "contacted": self.contacted,
                   "since_last": self.since_last,
                   "review_requested": self.review_requested, "counts": self._counts,
                   "transitions": self._transitions}
        self._new_contacts = Kernel(new_contacts, sources)
        self._review_and_transition = Kernel(review_and_transition, sources)
        self._triage = Kernel(triage, sources)
        status_quo = model.params.warmup_policy
        self._status_quo = kernel_view(status_quo), kernel_view(status_quo.review)
        self._status_quo_first = status_quo.mode == "community_first"
        self._queued_since = model.sources["queued_since"]
        self._service = model.sources["service"]
        self._met_service = model.sources["met_service"]
        self._overrun = 0.0  # hours worked beyond last week's (zero or negative)
        self._available = self._plan_support = 0.0

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
        status_quo, status_quo_review = self._status_quo
        self._new_contacts(week=week.clock, pol=pol)
        self._available = self.staff_hours(week)
        self._plan_support = float(self._met_service[self._service == codes.COMMUNITY_PLAN].sum())
        self._transitions[:] = 0.0
        staff_hours = self._review_and_transition(
            week=week.clock, staff_hours=self._available + self._overrun - self._plan_support,
            practice_share=week.practice_share, pol=pol, rev=week.review, status_quo=status_quo,
            status_quo_review=status_quo_review)
        self._counts[:] = 0.0
        left = self._triage(week=week.clock, staff_hours=staff_hours, order=self.queue_order(),
                            hood_groups_start=model.community.hood_groups_start,
                            hood_groups=model.community.hood_groups, practice_share=week.practice_share,
                            community_first=week.community_first, pol=pol, rev=week.review,
                            status_quo_first=self._status_quo_first, status_quo=status_quo,
                            status_quo_review=status_quo_review)
        self._overrun = min(0.0, left)

    def measures(self, model, week) -> dict:
        counts, transitions = self._counts, self._transitions
        served = counts[SERVED]
        assessed_at_end = transitions[REASSESSMENTS] + transitions[END_ASSESSMENTS]
        return {
            **{f"outcome_{name}": int(counts[k]) for k, name in enumerate(codes.OUTCOMES)},
            "contacts_served": int(served),
            "mean_wait_weeks": counts[WEEKS_WAITED] / served if served else 0.0,
            "queue_length": int(model.recorder.totals["waiting"]),
            "staff_hours_available": self._available,
            "staff_hours_plan_support": self._plan_support,
            "staff_hours_used": self._plan_support + transitions[WORK_HOURS] + counts[HOURS_USED],
            "practice_share": week.practice_share,
            "statutory_starts": int(counts[codes.LONG_TERM] + transitions[STARTS]),
            "full_assessments": int(counts[ASSESSMENTS] + assessed_at_end),  # at the front door or when support ends
            "plan_reassessments": int(transitions[REASSESSMENTS]),
            "reviews_requested": int(model.recorder.totals["reviews_requested"]),
            "step_downs": int(transitions[STEP_DOWNS]),
            "reviews": int(transitions[REVIEWS]),
        }
