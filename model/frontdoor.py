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
from .rng import CONTACT, TRIAGE, uniform
from .support import network_spare
from .ties import on_long_term, strengthen_tie

# Triage draw indices
_SHARED_LIVES, _UPTAKE, _PERSONAL_BUDGET = 0, 1, 2


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
def _start_package(key, week, i, need, unmet, met_network, isolated, service, service_hours, next_review, pol, svc):
    """Choose and start a long-term package sized to the need that nothing else meets.

    Someone offered residential care may take a personal budget (direct payment
    or individual service fund) for support at home instead (``pol.personal_budget_share``).
    """
    if need[i] >= svc.residential_hours and met_network[i] < 0.3 * need[i] and \
            uniform(key, TRIAGE, week, i, _PERSONAL_BUDGET) >= pol.personal_budget_share:
        shared = uniform(key, TRIAGE, week, i, _SHARED_LIVES) < svc.shared_lives_share
        service[i] = codes.SHARED_LIVES if shared else codes.RESIDENTIAL
    elif isolated[i] and unmet[i] <= svc.day_care_max_hours:
        shared = uniform(key, TRIAGE, week, i, _SHARED_LIVES) < svc.shared_lives_share
        service[i] = codes.SHARED_LIVES if shared else codes.DAY_CARE
    else:
        service[i] = codes.HOME_CARE
        service_hours[i] = unmet[i]
    next_review[i] = week + pol.review_weeks


@njit(cache=True)
def _link_to_group(i, hood, interests, member, aware, hood_groups_start, hood_groups, assoc_interest, activity):
    """Introduce ``i`` to the most active group in their neighbourhood sharing an interest."""
    aware[i] = True
    if member[i, 1] >= 0:
        return
    h = hood[i]
    best, best_activity = -1, 0.0
    for t in range(hood_groups_start[h], hood_groups_start[h + 1]):
        g = hood_groups[t]
        if (interests[i] >> np.uint32(assoc_interest[g])) & np.uint32(1) and activity[g] > best_activity and member[i, 0] != g:
            best, best_activity = g, activity[g]
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
def triage(key, week, staff_hours, order, r_need, r_acute, r_unmet, r_met_service, r_met_personal, r_met_network, r_asking, r_hood, r_interests, r_member,
           r_aware, r_isolated, r_weeks_unmet, r_service, r_service_hours, r_service_until, r_next_review, r_queued,
           indptr, degree, other, strength, helper_cap, helper_load, pool, pool_used, hood_groups_start,
           hood_groups, assoc_interest, activity, community_first, pol, svc, sup, counts):
    """Serve the queue in order while staff hours remain.

    The last person served may take more hours than were left: the overrun
    (a negative return) is carried into next week, so a contact needing more
    than a week's hours in a small team is served rather than blocking the queue.

    ``counts`` receives [outcome counts..., hours used, served, total weeks waited, full assessments].
    Returns the staff hours left (negative after an overrun).
    """
    n_out = len(codes.OUTCOMES)
    for t in range(order.shape[0]):
        i = order[t]
        unmet = r_unmet[i]
        h = r_hood[i]
        spare_net = network_spare(i, indptr, degree, other, strength, helper_cap, helper_load)
        asking = r_asking[i] + pol.mobilisation * (1.0 - r_asking[i])
        remaining = r_need[i] - r_met_service[i] - r_met_personal[i]
        # A 'connect' conversation helps people ask for more; what they may get is bounded by their ties' spare time.
        found_net = min(spare_net * (1.0 + pol.connect_boost), (asking - r_asking[i]) * remaining)
        spare_pool = max(0.0, pool[h] - pool_used[h])
        acute_led = r_acute[i] > 0.5 * r_need[i]
        eligible = unmet >= pol.eligibility_hours
        if community_first:
            found_comm = min(sup.community_max_hours, spare_pool) * (1.0 if pol.link_groups else 0.5)
            if found_net + found_comm >= unmet:
                outcome, hours = codes.RESOLVED, pol.contact_hours
            elif acute_led and eligible and pol.reablement_first:
                outcome, hours = codes.SHORT_TERM, pol.contact_hours + pol.plan_hours
            elif not eligible or found_net + min(sup.community_max_hours, spare_pool) + pol.plan_support_hours >= unmet:
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
            cover = min(unmet, found_net)
            r_asking[i] = asking
            _mobilise(i, cover, indptr, degree, other, strength, helper_cap, helper_load, pol.connect_boost, spare_net)
            pool_used[h] += min(max(0.0, unmet - cover), spare_pool)
            if pol.link_groups:
                _link_to_group(i, r_hood, r_interests, r_member, r_aware, hood_groups_start, hood_groups, assoc_interest, activity)
            r_aware[i] = True
            if outcome == codes.PLAN:
                r_service[i] = codes.COMMUNITY_PLAN
                r_service_until[i] = week + pol.plan_weeks
        elif outcome == codes.SIGNPOSTED:
            if uniform(key, TRIAGE, week, i, _UPTAKE) < pol.signpost_uptake:
                _link_to_group(i, r_hood, r_interests, r_member, r_aware, hood_groups_start, hood_groups, assoc_interest, activity)
        elif outcome == codes.SHORT_TERM:
            r_service[i] = codes.REABLEMENT
            r_service_until[i] = week + svc.reablement_weeks
        else:
            _start_package(key, week, i, r_need, r_unmet, r_met_network, r_isolated, r_service, r_service_hours,
                           r_next_review, pol, svc)
        r_weeks_unmet[i] = -sup.patience_weeks  # people give the offer time to work before calling again
        counts[outcome] += 1
        counts[n_out] += hours
        counts[n_out + 1] += 1
        counts[n_out + 2] += week - r_queued[i]
        counts[n_out + 3] += outcome == codes.LONG_TERM or (outcome == codes.SHORT_TERM and not community_first)
        r_queued[i] = codes.NEVER
    return staff_hours


@njit(cache=True)
def _carried(i, h, pool, pool_used, indptr, degree, other, strength, helper_cap, helper_load, sup):
    """Hours a week the person's ties and neighbourhood could carry now: what a strengths-based review looks for."""
    community = min(sup.community_max_hours, max(0.0, pool[h] - pool_used[h]))
    return community + network_spare(i, indptr, degree, other, strength, helper_cap, helper_load)


@njit(cache=True)
def review_and_transition(key, week, staff_hours, r_need, r_unmet, r_met_service, r_met_network, r_isolated,
                          r_service, r_service_hours, r_service_until, r_next_review, indptr, degree, other, strength,
                          helper_cap, helper_load, pool, pool_used, r_hood, community_first, pol, svc, sup, counts):
    """End plans and reablement that are due, and review long-term packages while staff hours last.

    Reablement ends in an assessment: a long-term package if the need still
    exceeds eligibility and, where the policy steps down, the person's network
    and community cannot carry it.  Reviews resize home care to the current need,
    end packages whose need fell below eligibility and, where the policy steps
    down, end packages the person's network and community can now carry.
    ``counts`` receives [long-term starts, step-downs, reviews].  Returns staff hours left.
    """
    for i in range(r_service.shape[0]):
        st = r_service[i]
        if (st == codes.COMMUNITY_PLAN or st == codes.REABLEMENT) and r_service_until[i] <= week:
            r_service[i] = codes.NO_SERVICE
            r_service_until[i] = codes.NEVER
            need_for_service = r_unmet[i] + r_met_service[i]
            if st == codes.REABLEMENT and need_for_service >= pol.eligibility_hours and not (
                    pol.step_down and _carried(i, r_hood[i], pool, pool_used, indptr, degree, other, strength,
                                               helper_cap, helper_load, sup) >= need_for_service):
                r_unmet[i] += r_met_service[i]
                _start_package(key, week, i, r_need, r_unmet, r_met_network, r_isolated, r_service,
                               r_service_hours, r_next_review, pol, svc)
                counts[0] += 1
        elif on_long_term(st) and r_next_review[i] <= week and staff_hours >= pol.review_hours:
            staff_hours -= pol.review_hours
            counts[2] += 1
            r_next_review[i] = week + pol.review_weeks
            carried = _carried(i, r_hood[i], pool, pool_used, indptr, degree, other, strength, helper_cap,
                               helper_load, sup)
            need_for_service = r_met_service[i] + r_unmet[i]
            if need_for_service < pol.eligibility_hours or (
                    pol.step_down and st != codes.RESIDENTIAL and carried >= need_for_service):
                r_service[i] = codes.NO_SERVICE
                r_service_hours[i] = 0.0
                counts[1] += 1
            elif st == codes.HOME_CARE:
                r_service_hours[i] = need_for_service
    return staff_hours


@njit(parallel=True, cache=True)
def service_effects(service, chronic, personal, dependency, svc):
    """Reablement restores; long-term packages build dependency and erode personal resources."""
    for i in prange(service.shape[0]):
        st = service[i]
        if st == codes.REABLEMENT:
            chronic[i] *= 1.0 - svc.reablement_gain
            personal[i] += svc.reablement_gain * (1.0 - personal[i])
        if on_long_term(st):
            dependency[i] += svc.dependency_rate * (1.0 - dependency[i])
            personal[i] -= svc.resource_erosion * dependency[i] * personal[i]
        else:
            dependency[i] -= svc.dependency_recovery * dependency[i]
