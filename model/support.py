"""Weekly support allocation: services, then personal resources, then network, then community.

Network help comes first from one main carer, then from everyone else.  Each
person asking for help asks their closest able tie in the household or family
(the strongest tie, household ties weighted up) for all of it, up to what the
relationship allows: a household carer can give tens of hours a week
(``network.carer_hours``), a relative living elsewhere fewer
(``network.carer_hours_family``); a carer asked by several people gives each the
same share of their time (``barclay_one_carer``).  What the main carer does not
cover is shared fairly: askers spread their request over their ties by weight
(strength, household ties weighted up); each helper sums what is asked of them
and gives at most their spare light-help time (``network.helper_hours``),
scaling every request down by the same fill ratio; what is left is asked again
of ties that still have room.  How much of their need people ask for at all is
their ``asking`` propensity (confidence to ask, raised by a 'connect'
conversation).  Only about one resident in ten asks in a week, so sharing walks
the askers' rows alone.
"""

import numpy as np
from numba import njit, prange

from . import codes
from .builders import mutual_aid
from .state import Kernel
from .ties import on_long_term

_EPS = 1e-9


@njit(parallel=True, cache=True)
def helper_capacity(week, age, chronic, acute, burnout_until, service, helper_cap, care_cap, able_to_care, net,
                    helper_mult):
    """Informal help each resident can give this week (hours): light help to anyone they know (``helper_cap``,
    by age and own need) and, as a main carer, care for a household or family member (``care_cap``, by own
    need only: the oldest carers give the most hours; ``able_to_care`` flags ``care_cap > 0``, a byte per
    resident that finding a carer can read without fetching the hours).  None in burnout or in residential
    care.

    Strain no longer shrinks capacity: a carer keeps giving until they burn out (``wellbeing.update_strain``).
    """
    for i in prange(age.shape[0]):
        if burnout_until[i] > week or service[i] == codes.RESIDENTIAL or service[i] == codes.SHARED_LIVES:
            helper_cap[i] = 0.0
            care_cap[i] = 0.0
            able_to_care[i] = False
            continue
        factor = 1.0 if age[i] < 65 else (net.helper_hours_older if age[i] < 85 else 0.25 * net.helper_hours_older)
        health = max(0.0, 1.0 - (chronic[i] + acute[i]) / 10.0)
        helper_cap[i] = net.helper_hours * factor * health * helper_mult
        care_cap[i] = net.carer_hours * health * helper_mult
        able_to_care[i] = care_cap[i] > 0


@njit(inline="always", cache=True)
def baseline_asking(personal, sup):
    """Share of their remaining need someone with these personal resources asks of their network."""
    return np.minimum(1.0, sup.asking_base + sup.asking_personal * personal)


@njit(inline="always", cache=True)
def _weight(strength, tie_kind, household_weight):
    return strength * (household_weight if tie_kind == codes.HOUSEHOLD else 1.0)


_NO_SPARE, _SPARE, _ASKED = 0, 1, 2  # a helper's flag in one round of asking


@njit(cache=True)
def closest_carer(i, indptr, degree, other, strength, kind, able_to_care, household_weight):
    """Slot of ``i``'s closest tie able to care (household or family, ``able_to_care``): the largest weight,
    the first such tie in the row on equal weights; -1 if none."""
    best, best_weight = -1, 0.0
    for k in range(indptr[i], indptr[i] + degree[i]):
        tie_kind = kind[k]
        if (tie_kind == codes.HOUSEHOLD or tie_kind == codes.FAMILY) and able_to_care[other[k]]:
            w = _weight(strength[k], tie_kind, household_weight)
            if w > best_weight:
                best, best_weight = k, w
    return best


@njit(parallel=True, cache=True)
def find_carers(askers, ask, indptr, degree, other, strength, kind, net, able_to_care, carer, request):
    """Each asker's main carer (:func:`closest_carer`) and the hours they ask of them: all of ``ask``, up to
    ``net.carer_hours`` from their household or ``net.carer_hours_family`` from a relative elsewhere.
    Each asker's own row only, so in parallel: the part of main care that reads the network."""
    for t in prange(askers.shape[0]):
        i = askers[t]
        k = closest_carer(i, indptr, degree, other, strength, kind, able_to_care, net.household_weight)
        if k >= 0:
            carer[i] = other[k]
            request[i] = min(ask[i], net.carer_hours if kind[k] == codes.HOUSEHOLD else net.carer_hours_family)


@njit(cache=True)
def main_care(askers, ask, care_cap, helper_cap, helper_load, met_network, carer, care_received, request, demand):
    """Each asker asks their main carer (:func:`find_carers`) for their ``request``; a carer asked by several
    people gives each request the same share of their ``care_cap``.

    Sets ``care_received`` of the askers, adds what is given to ``met_network`` and ``helper_load`` and
    takes it from ``ask``; a carer's ``helper_cap`` is raised to cover what they give (so they have
    light-help time to spare only if they give less than it: raised as each gift adds to their load, which
    ends where raising it once to the final load would).  Serial, in ascending asker order, so each
    carer's load sums in one order whatever the thread count.  ``demand`` starts at zero.
    """
    for i in askers:
        if carer[i] >= 0:
            demand[carer[i]] += request[i]
    for i in askers:
        c = carer[i]
        if c >= 0:
            got = request[i] * min(1.0, care_cap[c] / demand[c]) if demand[c] > 0 else 0.0  # nothing asked: 0/0
            care_received[i] = got
            met_network[i] += got
            ask[i] -= got
            helper_load[c] += got
            helper_cap[c] = max(helper_cap[c], helper_load[c])


@njit(parallel=True, cache=True)
def _flag_spare(helper_cap, helper_load, flag):
    """Flag the residents with spare time at the start of a round (the only ones asked in it)."""
    for j in prange(flag.shape[0]):
        flag[j] = _SPARE if helper_cap[j] - helper_load[j] > _EPS else _NO_SPARE


@njit(cache=True)
def _share_round(askers, ask, indptr, degree, other, strength, kind, net, helper_cap, helper_load, met_network,
                 weight_total, demand, fill, flag, helpers):
    """One round of asking: each asker spreads ``ask`` over ties with spare capacity.

    Helpers give at most their spare capacity, scaling all requests by one fill
    ratio.  Adds what is given to ``met_network`` and ``helper_load`` and leaves
    the unfilled part in ``ask`` for the next round.  Only askers' rows are
    read: requests are pushed to helpers in ascending asker order, so each
    helper's demand is summed in one order, and the round is serial, so results
    do not depend on the thread count.  ``flag`` comes from :func:`_flag_spare`.
    """
    n_helpers = 0
    for i in askers:
        start, end = indptr[i], indptr[i] + degree[i]
        total = 0.0
        if ask[i] > 0:
            for k in range(start, end):
                if flag[other[k]] != _NO_SPARE:
                    total += _weight(strength[k], kind[k], net.household_weight)
        weight_total[i] = total
        if total > 0:
            for k in range(start, end):
                j = other[k]
                if flag[j] == _SPARE:  # first request this round
                    flag[j] = _ASKED
                    demand[j] = 0.0
                    helpers[n_helpers] = j
                    n_helpers += 1
                if flag[j] == _ASKED:
                    demand[j] += ask[i] * _weight(strength[k], kind[k], net.household_weight) / total
    for h in range(n_helpers):
        j = helpers[h]
        fill[j] = min(1.0, (helper_cap[j] - helper_load[j]) / demand[j]) if demand[j] > 0 else 0.0
        helper_load[j] += demand[j] * fill[j]
    for i in askers:
        if ask[i] > 0 and weight_total[i] > 0:
            got = 0.0
            for k in range(indptr[i], indptr[i] + degree[i]):
                if flag[other[k]] == _ASKED:  # the only ties in weight_total: a tiny total times a zero fill is not 0
                    got += ask[i] * _weight(strength[k], kind[k], net.household_weight) / weight_total[i] * fill[other[k]]
            got = min(got, ask[i])
            met_network[i] += got
            ask[i] -= got


@njit(parallel=True, cache=True)
def _before_network(chronic, acute, personal, asking, service, service_hours, need, met_service, met_personal,
                    met_network, carer, care_received, ask, sup, svc, plan_hours):
    """Need after services and personal resources; what each resident asks of their network (no main carer yet)."""
    for i in prange(chronic.shape[0]):
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
        withdrawn = svc.crowd_out if (on_long_term(st) or st == codes.REABLEMENT) else 0.0
        ask[i] = (total - served - own) * asking[i] * (1.0 - withdrawn)
        met_network[i] = 0.0
        carer[i] = -1
        care_received[i] = 0.0


@njit(parallel=True, cache=True)
def _community_round(hood_start, need, service, member, group_activity, aware, met_service, met_personal, met_network,
                     met_community, unmet, hood_pool, hood_pool_used, ask, sup):
    """Community support per neighbourhood, shared by one fill ratio; what is left is unmet.  Residents with
    no need (most) ask for nothing and have nothing unmet, so their memberships are not read."""
    for h in prange(hood_start.shape[0] - 1):
        wanted = 0.0
        for i in range(hood_start[h], hood_start[h + 1]):
            remaining = need[i] - met_service[i] - met_personal[i] - met_network[i]
            ask[i] = 0.0  # nothing remaining: what min(0, ...) times any access would give
            if remaining != 0.0:
                ask[i] = min(remaining, sup.community_max_hours) * _community_access(i, service, member, group_activity,
                                                                                    aware)
            wanted += ask[i]
        fill = min(1.0, hood_pool[h] / wanted) if wanted > 0 else 0.0
        used = 0.0
        for i in range(hood_start[h], hood_start[h + 1]):
            met_community[i] = ask[i] * fill
            used += met_community[i]
            unmet[i] = max(0.0, need[i] - met_service[i] - met_personal[i] - met_network[i] - met_community[i])
        hood_pool_used[h] = used


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
def tie_spare(k, main, indptr, degree, other, strength, kind, helper_cap, helper_load, care_cap, net):
    """Spare time along tie slot ``k`` that a conversation can count on: if it is the tie to the person's main
    carer (slot ``main``), the care that carer could still give in full (up to ``net.carer_hours``, or
    ``net.carer_hours_family`` from another household); otherwise the tie's spare light-help hours weighted
    by the square of its strength, since people give much more time to close ties than to acquaintances."""
    j = other[k]
    if k == main:
        limit = net.carer_hours if kind[k] == codes.HOUSEHOLD else net.carer_hours_family
        return max(0.0, min(care_cap[j], limit) - helper_load[j])
    return strength[k] * strength[k] * max(0.0, helper_cap[j] - helper_load[j])


@njit(cache=True)
def network_spare(i, indptr, degree, other, strength, kind, helper_cap, helper_load, care_cap, able_to_care, net):
    """Spare informal time around ``i`` that a conversation can find (:func:`tie_spare` over their ties)."""
    main = closest_carer(i, indptr, degree, other, strength, kind, able_to_care, net.household_weight)
    total = 0.0
    for k in range(indptr[i], indptr[i] + degree[i]):
        total += tie_spare(k, main, indptr, degree, other, strength, kind, helper_cap=helper_cap,
                           helper_load=helper_load, care_cap=care_cap, net=net)
    return total


@njit(parallel=True, cache=True)
def community_pool(hood_start, contributor, helper_cap, group_hood, group_activity, group_alive, comm, hood_pool,
                   hood_pool_used, activity_mult, helper_mult):
    """Hours of community support each neighbourhood can give this week: volunteers' and active groups' hours,
    scaled by the town's community capacity (``comm.capacity``, the lever a decomposition varies)."""
    n_hoods = hood_start.shape[0] - 1
    for h in prange(n_hoods):
        hours = 0.0
        for i in range(hood_start[h], hood_start[h + 1]):
            if contributor[i] != codes.NOT_CONTRIBUTOR and helper_cap[i] > 0:
                hours += comm.volunteer_hours * helper_mult
        hood_pool[h] = hours * comm.capacity
        hood_pool_used[h] = 0.0
    for g in range(group_alive.shape[0]):
        if group_alive[g]:
            hood_pool[group_hood[g]] += group_activity[g] * comm.group_support_hours * activity_mult * comm.capacity


class NetworkSharing:
    """Rounds of asking the network: people who cannot get help from some ties ask the others.

    Owns the work arrays of sharing (one entry per resident, allocated once): ``ask`` (hours still
    asked), ``weight_total`` (an asker's tie weight towards helpers with spare time), ``demand``
    (hours asked of a helper this round), ``fill`` (share of the requests a helper meets this
    round), ``flag`` (_NO_SPARE, _SPARE or _ASKED this round) and ``helpers`` (the helpers asked
    this round, in order of first request).  ``sources`` must name the ties, ``helper_cap``,
    ``helper_load``, ``met_network`` and the ``net`` parameter view.
    """

    def __init__(self, sources: dict, rounds: int = 2):
        n = sources["helper_cap"].shape[0]
        self.ask = np.zeros(n)
        self.scratch = {"ask": self.ask, "weight_total": np.zeros(n), "demand": np.zeros(n), "fill": np.zeros(n),
                        "flag": np.zeros(n, dtype=np.uint8), "helpers": np.zeros(n, dtype=np.int64)}
        self.rounds = rounds
        sources = {**sources, **self.scratch}
        self._flag_spare = Kernel(_flag_spare, sources)
        self._share_round = Kernel(_share_round, sources)

    def share(self, askers: np.ndarray | None = None) -> None:
        """Share out ``self.ask``: what is given goes to ``met_network`` and ``helper_load``, the rest stays asked.

        ``askers``, ascending, must hold everyone whose ``ask`` is above zero (a superset is pruned here);
        None finds them.
        """
        askers = np.flatnonzero(self.ask > 0) if askers is None else askers[self.ask[askers] > 0]
        for _ in range(self.rounds):
            self._flag_spare()
            self._share_round(askers=askers)
            askers = askers[self.ask[askers] > 0]


class Support:
    """Phase: meet this week's need in order: services, personal resources, network (main carer first,
    then everyone else), community.

    Works out what informal helpers and each neighbourhood can give this week, then fills ``need``,
    the ``met_*`` arrays, ``unmet``, ``helper_load``, each asker's ``carer`` and ``care_received``, and
    each neighbourhood's ``hood_pool_used``.  In a shock with mutual aid, connectors then organise
    neighbours' help for the people they know.  Owns each resident's main-care capacity this week
    (``care_cap``, ``able_to_care``) and the work arrays of main care (``request``, ``demand``).
    """

    def __init__(self, model):
        self._sharing = NetworkSharing(model.sources)
        n = model.sources["helper_cap"].shape[0]
        self.care_cap = np.zeros(n)
        self.able_to_care = np.zeros(n, dtype=np.bool_)
        self._demand = np.zeros(n)
        sources = {**model.sources, "ask": self._sharing.ask, "care_cap": self.care_cap,
                   "able_to_care": self.able_to_care, "request": np.zeros(n), "demand": self._demand}
        self._helper_capacity = Kernel(helper_capacity, sources)
        self._find_carers = Kernel(find_carers, sources)
        self._main_care = Kernel(main_care, sources)
        self._community_pool = Kernel(community_pool, sources)
        self._before_network = Kernel(_before_network, sources)
        self._community_round = Kernel(_community_round, sources)
        self._mutual_aid = Kernel(mutual_aid, sources)
        self._helper_load = model.sources["helper_load"]
        self._connector_aid_hours = model.params.builders.connector_aid_hours

    def step(self, model, week) -> None:
        sc = week.scenario
        self._helper_capacity(week=week.clock, helper_mult=sc.helper_capacity_multiplier)
        self._community_pool(activity_mult=week.group_multiplier, helper_mult=sc.helper_capacity_multiplier)
        self._before_network(plan_hours=week.policy.plan_support_hours)
        self._helper_load[:] = 0.0
        askers = np.flatnonzero(self._sharing.ask > 0)
        self._find_carers(askers=askers)
        self._demand.fill(0.0)
        self._main_care(askers=askers)
        self._sharing.share(askers)
        self._community_round()
        if sc.mutual_aid > 0:
            self._mutual_aid(hours=sc.mutual_aid * self._connector_aid_hours)

    def measures(self, model, week) -> dict:
        return {}
