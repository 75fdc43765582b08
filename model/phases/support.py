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

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .. import codes
from ..component import Component
from ..lib.carers import closest_carer, tie_weight
from ..lib.packages import lives_away, on_long_term
from ..params import p
from ..state import HOODS, PER_HOOD, PER_RESIDENT, RESIDENTS, Array, Keep, Kernel, SetBy

_EPS = 1e-9
_NO_SPARE, _SPARE, _ASKED = 0, 1, 2  # a helper's flag in one round of asking


@dataclass(frozen=True)
class SupportPars:
    """How need is met: personal resources first, then network, then community."""

    personal_hours: float = p(0.0, 60.0, "hours/week", "own need a resident with full personal resources meets")
    community_max_hours: float = p(0.0, 60.0, "hours/week", "most one person can draw from community support")
    asking_base: float = p(0.0, 1.0, "fraction", "share of unmet need a resident with no personal resources asks of their network")
    asking_personal: float = p(0.0, 1.0, "fraction", "extra share asked at full personal resources (confidence to ask)")
    asking_return: float = p(0.0, 1.0, "per week", "speed at which asking returns to its baseline after a conversation")
    unmet_threshold: float = p(0.0, 40.0, "hours/week", "unmet need that counts as 'need not met'")
    persist_weeks: int = p(1, 104, "weeks", "weeks of unmet need before people consider contacting the council")
    contact_weekly: float = p(0.0, 1.0, "per week", "chance of contacting once unmet need has persisted")
    patience_weeks: int = p(0, 520, "weeks", "after a contact, weeks people give the offer before unmet need counts again")
    contact_scale_hours: float = p(0.01, 168.0, "hours/week", "unmet need at which contacting is most likely")
    crisis_contact: float = p(0.0, 1.0, "probability",
                              "chance a crisis (acute episode or a main carer's breakdown) with unmet need leads to contact")


@njit(parallel=True, cache=True)
def helper_capacity(week, age, chronic, acute, burnout_until, service, in_hospital, helper_cap, care_cap, able_to_care,
                    network_pars, helper_mult):
    """Informal help each resident can give this week (hours): light help to anyone they know (``helper_cap``,
    by age and own need) and, as a main carer, care for a household or family member (``care_cap``, by own
    need only, none at ``network.carer_need_limit`` hours of it: the oldest carers give the most hours; ``able_to_care`` flags ``care_cap > 0``, a byte per
    resident that finding a carer can read without fetching the hours).  None in burnout, in hospital, or living
    in a care home or a Shared Lives placement.

    Strain no longer shrinks capacity: a carer keeps giving until they burn out (``wellbeing.update_strain``).
    """
    for i in prange(age.shape[0]):
        if burnout_until[i] > week or lives_away(service[i]) or in_hospital[i]:
            helper_cap[i] = 0.0
            care_cap[i] = 0.0
            able_to_care[i] = False
            continue
        factor = 1.0 if age[i] < 65 else (network_pars.helper_hours_older if age[i] < 85 else 0.25 * network_pars.helper_hours_older)
        health = max(0.0, 1.0 - (chronic[i] + acute[i]) / network_pars.carer_need_limit)
        helper_cap[i] = network_pars.helper_hours * factor * health * helper_mult
        care_cap[i] = network_pars.carer_hours * health * helper_mult
        able_to_care[i] = care_cap[i] > 0


@njit(parallel=True, cache=True)
def find_carers(askers, ask, asking, beyond_own, displaced, indptr, degree, other, strength, kind, network_pars,
                able_to_care, carer, request):
    """Each asker's main carer (:func:`closest_carer`) and the hours that carer is asked for.

    A main carer sizes their care by the person's need beyond their own resources, not by what services leave:
    someone they live with sees it and takes on ``network_pars.household_care_share`` of it, up to
    ``network_pars.carer_hours``; a relative elsewhere the share the person asks for (``asking``), up to
    ``network_pars.carer_hours_family``.  A statutory package displaces some of that care (``displaced``), and no
    carer gives more than the need services leave (``ask``).  So a package sized to the need a carer leaves
    unmet tops their care up and does not replace it: carers of people on packages keep caring, as the Census
    and the carers' surveys count them (``census_care_bands``, ``carers_known_stretched``).  Each asker's own row
    only, so in parallel: the part of main care that reads the network."""
    for t in prange(askers.shape[0]):
        i = askers[t]
        k = closest_carer(i, indptr, degree, other, strength, kind, able_to_care, network_pars.household_weight)
        if k >= 0:
            carer[i] = other[k]
            if kind[k] == codes.HOUSEHOLD:
                share, most = network_pars.household_care_share, network_pars.carer_hours
            else:
                share, most = asking[i], network_pars.carer_hours_family
            request[i] = min(max(0.0, beyond_own[i] * share - displaced[i]), most, ask[i])


@njit(cache=True)
def main_care(askers, ask, asking, care_cap, helper_cap, helper_load, met_network, carer, care_received, request,
              demand):
    """Each asker asks their main carer (:func:`find_carers`) for their ``request``; a carer asked by several
    people gives each request the same share of their ``care_cap``.

    Sets ``care_received`` of the askers, adds what is given to ``met_network`` and ``helper_load``, and leaves in
    ``ask`` what each asks the rest of their network for (the share of the need they ask for, ``asking``, less what
    their main carer gave); a carer's ``helper_cap`` is raised to cover what they give (so they have
    light-help time to spare only if they give less than it: raised as each gift adds to their load, which
    ends where raising it once to the final load would).  Serial, in ascending asker order, so each
    carer's load sums in one order whatever the thread count.  ``demand`` starts at zero.
    """
    for i in askers:
        if carer[i] >= 0:
            demand[carer[i]] += request[i]
    for i in askers:
        c = carer[i]
        got = 0.0
        if c >= 0:
            got = request[i] * min(1.0, care_cap[c] / demand[c]) if demand[c] > 0 else 0.0  # nothing asked: 0/0
            care_received[i] = got
            met_network[i] += got
            helper_load[c] += got
            helper_cap[c] = max(helper_cap[c], helper_load[c])
        ask[i] = max(0.0, ask[i] * asking[i] - got)  # what they ask the rest of their network for


@njit(parallel=True, cache=True)
def _flag_spare(helper_cap, helper_load, flag):
    """Flag the residents with spare time at the start of a round (the only ones asked in it)."""
    for j in prange(flag.shape[0]):
        flag[j] = _SPARE if helper_cap[j] - helper_load[j] > _EPS else _NO_SPARE


@njit(cache=True)
def _share_round(askers, ask, indptr, degree, other, strength, kind, network_pars, helper_cap, helper_load, met_network,
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
                    total += tie_weight(strength[k], kind[k], network_pars.household_weight)
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
                    demand[j] += ask[i] * tie_weight(strength[k], kind[k], network_pars.household_weight) / total
    for h in range(n_helpers):
        j = helpers[h]
        fill[j] = min(1.0, (helper_cap[j] - helper_load[j]) / demand[j]) if demand[j] > 0 else 0.0
        helper_load[j] += demand[j] * fill[j]
    for i in askers:
        if ask[i] > 0 and weight_total[i] > 0:
            got = 0.0
            for k in range(indptr[i], indptr[i] + degree[i]):
                if flag[other[k]] == _ASKED:  # the only ties in weight_total: a tiny total times a zero fill is not 0
                    got += ask[i] * tie_weight(strength[k], kind[k], network_pars.household_weight) / weight_total[i] * fill[other[k]]
            got = min(got, ask[i])
            met_network[i] += got
            ask[i] -= got


@njit(parallel=True, cache=True)
def _before_network(chronic, acute, personal, asking, service, service_hours, in_hospital, need, met_service,
                    met_personal, met_network, carer, care_received, ask, beyond_own, displaced, support_pars,
                    services_pars, plan_hours):
    """Need after services and personal resources; what each resident asks of their network (no main carer yet),
    the need beyond their own resources (``beyond_own``, what a main carer sizes their care by) and the care a
    statutory package displaces (``displaced``: ``services.crowd_out`` hours of a main carer's care for each hour
    of a package or reablement).  A care home, a Shared Lives placement or a hospital bed meets all of it."""
    for i in prange(chronic.shape[0]):
        total = chronic[i] + acute[i]
        need[i] = total
        st = service[i]
        if lives_away(st) or in_hospital[i]:
            served = total
        elif st == codes.HOME_CARE:
            served = min(total, service_hours[i])
        elif st == codes.DAY_CARE:
            served = min(total, services_pars.day_care_hours)
        elif st == codes.REABLEMENT:
            served = min(total, services_pars.reablement_hours)
        elif st == codes.COMMUNITY_PLAN:
            served = min(total, plan_hours)
        elif st == codes.LOW_LEVEL:
            served = min(total, services_pars.low_level_hours)
        else:
            served = 0.0
        met_service[i] = served
        own = min(total - served, personal[i] * support_pars.personal_hours)
        met_personal[i] = own
        ask[i] = total - served - own  # the need left for the network (main_care: asking)
        beyond_own[i] = total - min(total, personal[i] * support_pars.personal_hours)
        statutory = on_long_term(st) or st == codes.REABLEMENT
        displaced[i] = services_pars.crowd_out * served if statutory else 0.0
        met_network[i] = 0.0
        carer[i] = -1
        care_received[i] = 0.0


@njit(parallel=True, cache=True)
def _community_round(hood_start, need, service, member, group_activity, aware, met_service, met_personal, met_network,
                     met_community, unmet, hood_pool, hood_pool_used, ask, support_pars):
    """Community support per neighbourhood, shared by one fill ratio; what is left is unmet.  Residents with
    no need (most) ask for nothing and have nothing unmet, so their memberships are not read."""
    for h in prange(hood_start.shape[0] - 1):
        wanted = 0.0
        for i in range(hood_start[h], hood_start[h + 1]):
            remaining = need[i] - met_service[i] - met_personal[i] - met_network[i]
            ask[i] = 0.0  # nothing remaining: what min(0, ...) times any access would give
            if remaining != 0.0:
                ask[i] = min(remaining, support_pars.community_max_hours) * _community_access(i, service, member, group_activity,
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


@njit(parallel=True, cache=True)
def community_pool(hood_start, contributor, helper_cap, group_hood, group_activity, group_alive, community_pars, hood_pool,
                   hood_pool_used, activity_mult, helper_mult):
    """Hours of community support each neighbourhood can give this week: volunteers' and active groups' hours,
    scaled by the town's community capacity (``community_pars.capacity``, the lever a decomposition varies)."""
    n_hoods = hood_start.shape[0] - 1
    for h in prange(n_hoods):
        hours = 0.0
        for i in range(hood_start[h], hood_start[h + 1]):
            if contributor[i] != codes.NOT_CONTRIBUTOR and helper_cap[i] > 0:
                hours += community_pars.volunteer_hours * helper_mult
        hood_pool[h] = hours * community_pars.capacity
        hood_pool_used[h] = 0.0
    for g in range(group_alive.shape[0]):
        if group_alive[g]:
            hood_pool[group_hood[g]] += group_activity[g] * community_pars.group_support_hours * activity_mult * community_pars.capacity


class NetworkSharing:
    """Rounds of asking the network: people who cannot get help from some ties ask the others.

    Owns the work arrays of sharing (one entry per resident, allocated once): ``ask`` (hours still
    asked), ``weight_total`` (an asker's tie weight towards helpers with spare time), ``demand``
    (hours asked of a helper this round), ``fill`` (share of the requests a helper meets this
    round), ``flag`` (_NO_SPARE, _SPARE or _ASKED this round) and ``helpers`` (the helpers asked
    this round, in order of first request).  ``sources`` must name the ties, ``helper_cap``,
    ``helper_load``, ``met_network`` and the ``network_pars`` parameter view.
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


_SET_BY_LIFE = SetBy("life", "the baseline of the in-migrant's personal resources (lib.baselines)")
_BEFORE_READ = Keep("support sets it for everyone each week before anything reads it")
_THIS_WEEK = dict(carried=False)


class Support(Component):
    """Phase: meet this week's need in order: services, personal resources, network (main carer first, then
    everyone else), community.

    Works out what informal helpers and each neighbourhood can give this week, then fills ``need``, the
    ``met_*`` arrays, ``unmet``, ``helper_load``, each asker's ``carer`` and ``care_received``, and each
    neighbourhood's ``hood_pool_used``.  Owns last week's support (read by reciprocity, the front door and
    the recorder), each resident's main-care capacity this week (``care_cap``, ``able_to_care``: read by a
    conversation and a review as support reads them) and the work arrays of main care (``request``,
    ``demand``).
    """

    name = "support"
    Pars = SupportPars
    arrays = (
        Array(RESIDENTS, "asking", np.float64, PER_RESIDENT, "0-1",
              "share of remaining need this resident asks of their network", start=None, arrival=_SET_BY_LIFE),
        Array(RESIDENTS, "need", np.float64, PER_RESIDENT, "hours/week", "total need this week", start=None,
              arrival=0.0),
        Array(RESIDENTS, "met_service", np.float64, PER_RESIDENT, "hours/week", "need met by services", arrival=0.0),
        Array(RESIDENTS, "met_personal", np.float64, PER_RESIDENT, "hours/week", "need met by personal resources",
              arrival=0.0),
        Array(RESIDENTS, "met_network", np.float64, PER_RESIDENT, "hours/week", "need met by the network",
              arrival=0.0),
        Array(RESIDENTS, "met_community", np.float64, PER_RESIDENT, "hours/week", "need met by community support",
              arrival=0.0),
        Array(RESIDENTS, "unmet", np.float64, PER_RESIDENT, "hours/week", "need met by nobody", arrival=0.0),
        Array(RESIDENTS, "helper_cap", np.float64, PER_RESIDENT, "hours/week", "informal help this resident can "
              "give (a main carer: at least what they give)", arrival=_BEFORE_READ),
        Array(RESIDENTS, "helper_load", np.float64, PER_RESIDENT, "hours/week", "informal help given this week",
              arrival=_BEFORE_READ),
        Array(RESIDENTS, "carer", np.int32, PER_RESIDENT, "resident", "this week's main carer, -1 for none",
              start=-1, arrival=_BEFORE_READ),
        Array(RESIDENTS, "care_received", np.float64, PER_RESIDENT, "hours/week",
              "help from the main carer this week", arrival=_BEFORE_READ),
        Array(RESIDENTS, "care_cap", np.float64, PER_RESIDENT, "hours/week",
              "care this resident could give as a main carer this week", **_THIS_WEEK),
        Array(RESIDENTS, "able_to_care", np.bool_, PER_RESIDENT, "", "care_cap > 0 (a byte a carer search reads)",
              **_THIS_WEEK),
        Array(HOODS, "pool", np.float64, PER_HOOD, "hours", "community support available this week"),
        Array(HOODS, "pool_used", np.float64, PER_HOOD, "hours", "community support drawn this week"),
    )

    def __init__(self, model):
        self._sharing = NetworkSharing(model.sources)
        n = model.sources["helper_cap"].shape[0]
        self._demand = np.zeros(n)
        sources = {**model.sources, "ask": self._sharing.ask, "request": np.zeros(n), "demand": self._demand,
                   "beyond_own": np.zeros(n), "displaced": np.zeros(n)}
        self._helper_capacity = Kernel(helper_capacity, sources)
        self._find_carers = Kernel(find_carers, sources)
        self._main_care = Kernel(main_care, sources)
        self._community_pool = Kernel(community_pool, sources)
        self._before_network = Kernel(_before_network, sources)
        self._community_round = Kernel(_community_round, sources)
        self._helper_load = model.sources["helper_load"]

    def step(self, model, week) -> None:
        sc = week.scenario
        self._helper_capacity(week=week.week, helper_mult=sc.helper_capacity_multiplier)
        self._community_pool(activity_mult=week.group_multiplier, helper_mult=sc.helper_capacity_multiplier)
        self._before_network(plan_hours=week.policy.plan_support_hours)
        self._helper_load[:] = 0.0
        askers = np.flatnonzero(self._sharing.ask > 0)
        self._find_carers(askers=askers)
        self._demand.fill(0.0)
        self._main_care(askers=askers)
        self._sharing.share(askers)
        self._community_round()
