"""Weekly support allocation: services, then personal resources, then network, then community.

Network help is shared fairly without locks: askers spread their request over
their ties by weight (strength, household ties weighted up); each helper sums
what is asked of them and gives at most their capacity, scaling every request
down by the same fill ratio.  Three parallel passes, each writing only its own
rows, so results do not depend on the thread count.
"""

import numpy as np
from numba import njit, prange

from . import codes
from .ties import on_long_term


@njit(parallel=True, cache=True)
def helper_capacity(week, age, chronic, acute, strain, burnout_until, service, helper_cap, net, helper_mult):
    """Informal help each resident can give this week (hours), by age, own need, strain and burnout."""
    for i in prange(age.shape[0]):
        if burnout_until[i] > week or service[i] == codes.RESIDENTIAL or service[i] == codes.SHARED_LIVES:
            helper_cap[i] = 0.0
            continue
        factor = 1.0 if age[i] < 65 else (net.helper_hours_older if age[i] < 85 else 0.25 * net.helper_hours_older)
        health = max(0.0, 1.0 - (chronic[i] + acute[i]) / 10.0)
        helper_cap[i] = net.helper_hours * factor * health * (1.0 - strain[i]) * helper_mult


@njit(inline="always", cache=True)
def _weight(strength, tie_kind, household_weight):
    return strength * (household_weight if tie_kind == codes.HOUSEHOLD else 1.0)


@njit(parallel=True, cache=True)
def allocate(chronic, acute, personal, service, service_hours, hood, member, activity, aware,
             indptr, degree, other, strength, kind, helper_cap, helper_load,
             need, met_service, met_personal, met_network, met_community, unmet,
             hood_start, pool, pool_used, sup, net, svc, plan_hours, ask, ask_total, demand):
    """Meet this week's need in order: service, personal, network, community.  Fills the met_* arrays."""
    n = chronic.shape[0]
    # Pass 1: needs after services and personal resources; what each asks of its network.
    for i in prange(n):
        total = chronic[i] + acute[i]
        need[i] = total
        st = service[i]
        if st == codes.RESIDENTIAL or st == codes.SHARED_LIVES:
            served = total
        elif st == codes.HOME_CARE:
            served = min(total, service_hours[i])
        elif st == codes.DAY_CARE:
            served = min(total, svc.day_care_hours)
        elif st == codes.REABLEMENT:
            served = min(total, svc.reablement_hours)
        elif st == codes.COMMUNITY_PLAN:
            served = min(total, plan_hours)
        else:
            served = 0.0
        met_service[i] = served
        own = min(total - served, personal[i] * sup.personal_hours)
        met_personal[i] = own
        remaining = total - served - own
        withdrawn = svc.crowd_out if (on_long_term(st) or st == codes.REABLEMENT) else 0.0
        ask[i] = remaining * (1.0 - withdrawn)
        weights = 0.0
        if ask[i] > 0:
            for k in range(indptr[i], indptr[i] + degree[i]):
                if helper_cap[other[k]] > 0:
                    weights += _weight(strength[k], kind[k], net.household_weight)
        ask_total[i] = weights
    # Pass 2: each helper's demand and load.
    for j in prange(n):
        d = 0.0
        for k in range(indptr[j], indptr[j] + degree[j]):
            i = other[k]
            if ask[i] > 0 and ask_total[i] > 0 and helper_cap[j] > 0:
                d += ask[i] * _weight(strength[k], kind[k], net.household_weight) / ask_total[i]
        demand[j] = d
        helper_load[j] = min(helper_cap[j], d)
    # Pass 3: what each asker receives.
    for i in prange(n):
        got = 0.0
        if ask[i] > 0 and ask_total[i] > 0:
            for k in range(indptr[i], indptr[i] + degree[i]):
                j = other[k]
                if helper_cap[j] > 0 and demand[j] > 0:
                    share = ask[i] * _weight(strength[k], kind[k], net.household_weight) / ask_total[i]
                    got += share * helper_load[j] / demand[j]
        met_network[i] = min(got, need[i] - met_service[i] - met_personal[i])
    # Pass 4: community support per neighbourhood, shared by fill ratio.
    for h in prange(hood_start.shape[0] - 1):
        wanted = 0.0
        for i in range(hood_start[h], hood_start[h + 1]):
            remaining = need[i] - met_service[i] - met_personal[i] - met_network[i]
            ask[i] = min(remaining, sup.community_max_hours) * _community_access(i, service, member, activity, aware)
            wanted += ask[i]
        fill = min(1.0, pool[h] / wanted) if wanted > 0 else 0.0
        used = 0.0
        for i in range(hood_start[h], hood_start[h + 1]):
            met_community[i] = ask[i] * fill
            used += met_community[i]
            unmet[i] = max(0.0, need[i] - met_service[i] - met_personal[i] - met_network[i] - met_community[i])
        pool_used[h] = used


@njit(inline="always", cache=True)
def _community_access(i, service, member, activity, aware):
    """Share of their remaining need a resident can bring to community support.

    Members of an active group and people on a community plan are fully
    connected; aware residents reach some of it; unaware residents very little.
    """
    if service[i] == codes.COMMUNITY_PLAN:
        return 1.0
    best = 0.0
    for slot in range(2):
        g = member[i, slot]
        if g >= 0:
            best = max(best, activity[g])
    if aware[i]:
        best = max(best, 0.5)
    return max(best, 0.1)


@njit(cache=True)
def network_spare(i, indptr, degree, other, strength, helper_cap, helper_load):
    """Spare informal capacity around ``i``, weighted by tie strength (what a conversation can find)."""
    total = 0.0
    for k in range(indptr[i], indptr[i] + degree[i]):
        j = other[k]
        total += strength[k] * max(0.0, helper_cap[j] - helper_load[j])
    return total
