"""Synthetic population: neighbourhoods, households, adults, starting ties and groups.

Built with a numpy Generator seeded from ``(seed, 'population')`` only, so the
same seed gives the same town under every policy and scenario.  A generated town
draws each neighbourhood's deprivation and households; a real area
(``population=area``, ``model/area.py``) gives them, with each neighbourhood's adults
and age shares, and everything else is built the same way.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import codes
from .area import town_of
from .lib.baselines import age_from_draws, baseline_asking, baseline_wellbeing, starting_need, wealth_share
from .lib.ties import count_active
from .params import ConfigError, kernel_view
from .rng import MAX_RESIDENTS

_POPULATION_STREAM = 0x504F50  # "POP"


def build_population(params) -> dict[str, np.ndarray]:
    """Generate the town described by ``params.population``, or build the real area ``params.area`` names: the
    arrays of the state a new town is built with, by kernel name (``State.assemble`` gives every other array
    its declared start)."""
    pop = params.population
    rng = np.random.default_rng([params.seed, _POPULATION_STREAM])
    town = town_of(params)
    if town is None:
        H = pop.n_neighbourhoods
        conc = pop.deprivation_concentration
        deprivation = rng.beta(pop.deprivation_mean * conc, (1 - pop.deprivation_mean) * conc, H)
        households = rng.integers(pop.households_min, pop.households_max + 1, H).astype(np.int32)
        deprivation_mean = float(deprivation.mean())  # the town's own, as an area's and an in-migrant's
    else:
        H = town.households.size
        deprivation = town.deprivation.copy()
        households = town.households.astype(np.int32)
        deprivation_mean = float(deprivation.mean())

    weights = np.asarray(pop.adults_per_household, dtype=float)
    hh_size = rng.choice(np.arange(1, len(weights) + 1), size=int(households.sum()), p=weights / weights.sum())
    hh_hood = np.repeat(np.arange(H, dtype=np.int32), households)
    if town is not None:
        hh_size = _fit_household_sizes(rng, hh_size, hh_hood, households, town.adults, len(weights))
    hood = np.repeat(hh_hood, hh_size).astype(np.int32)
    household = np.repeat(np.arange(hh_size.size, dtype=np.int32), hh_size)
    n = hood.size
    if n >= MAX_RESIDENTS:
        raise ConfigError(f"the town has {n:,} adults; the engine takes fewer than {MAX_RESIDENTS:,} (random draws are "
                          "keyed by pairs of residents): choose fewer districts or a smaller population")
    start = np.zeros(H + 1, dtype=np.int64)
    np.cumsum(np.bincount(hood, minlength=H), out=start[1:])

    hood_shares = ((np.full(H, pop.share_65_84), np.full(H, pop.share_85_plus)) if town is None
                   else (town.share_65_84.astype(float), town.share_85_plus.astype(float)))
    age = _arrange_households(rng, _ages(rng.random(n), rng.random(n), hood_shares[0][hood], hood_shares[1][hood]),
                              start, households, hh_size, pop)
    depr = deprivation[hood]
    p_mean = np.clip(pop.personal_resources_mean - pop.personal_deprivation_effect * depr - 0.15 * (age >= 85), 0.02, 0.98)
    personal = rng.beta(p_mean * 8, (1 - p_mean) * 8)

    interests = np.zeros(n, dtype=np.uint32)
    for _ in range(2):
        interests |= (np.uint32(1) << rng.integers(0, pop.n_interests, n).astype(np.uint32)).astype(np.uint32)

    chronic = _initial_need(rng.random(n), rng.random(n), rng.random(n), age, depr, deprivation_mean,
                            kernel_view(params.needs))
    lifelong = np.where(rng.random(n) < params.needs.lifelong_share,
                        rng.exponential(params.needs.lifelong_mean_hours, n), 0.0)
    chronic = np.maximum(chronic, lifelong)
    ties = _initial_ties(rng, pop, hood, household, start, depr, params.network.active_threshold)

    assoc, member = _initial_associations(rng, pop, params.community.critical_mass, households, hood, interests)
    contributor = np.where(
        rng.random(n) < pop.contributor_share * (1.3 - 0.6 * depr) / (1.3 - 0.6 * deprivation_mean),
        codes.VOLUNTEER,
        codes.NOT_CONTRIBUTOR,
    ).astype(np.int8)
    contributor[(contributor == codes.VOLUNTEER) & (rng.random(n) < pop.connector_share / max(pop.contributor_share, 1e-9))] = codes.CONNECTOR
    aware = (rng.random(n) < pop.awareness) | (member[:, 0] >= 0) | (contributor != codes.NOT_CONTRIBUTOR)
    wealthy = rng.random(n) < wealth_share(kernel_view(pop), depr)

    return {
        "age": age, "hood": hood, "household": household, "interests": interests, "chronic": chronic,
        "personal": personal, "wellbeing": baseline_wellbeing(personal, kernel_view(params.wellbeing)),
        "member": member, "contributor": contributor, "aware": aware,
        "asking": baseline_asking(personal, kernel_view(params.support)), "need": chronic.copy(),
        **ties, **assoc,
        "lifelong": lifelong, "wealthy": wealthy, "hood_deprivation": deprivation, "hood_start": start,
        "hood_households": households, "hood_share_65_84": hood_shares[0], "hood_share_85_plus": hood_shares[1],
    }



def _fit_household_sizes(rng, size, hh_hood, households, adults, largest) -> np.ndarray:
    """Household sizes drawn from the preset's weights, changed by one adult at a time until each neighbourhood
    has exactly its adults (possible as households <= adults <= largest x households, which model/area.py
    checks): each pass adds one to (or takes one from) as many of a neighbourhood's households as it is short
    (or over), chosen at random among those that can take it, so the sizes stay close to the weights."""
    size = size.copy()
    first = np.concatenate([[0], np.cumsum(households)[:-1]])  # households are grouped by neighbourhood
    while True:
        gap = adults - np.bincount(hh_hood, weights=size, minlength=households.size).astype(np.int64)
        if not gap.any():
            return size
        step = np.sign(gap)[hh_hood]
        can = np.where(step > 0, size < largest, (step < 0) & (size > 1))
        order = np.lexsort((rng.random(size.size), ~can, hh_hood))  # by neighbourhood, those that can first
        rank = np.empty(size.size, dtype=np.int64)
        rank[order] = np.arange(size.size) - first[hh_hood[order]]
        chosen = can & (rank < np.abs(gap)[hh_hood])
        size[chosen] += step[chosen]


@njit(cache=True)
def _ages(band, within, share_65_84, share_85_plus):
    """Adult ages by :func:`lib.baselines.age_from_draws` (an in-migrant's rule); the shares are each adult's
    neighbourhood's."""
    age = np.empty(band.size)
    for i in range(band.size):
        age[i] = age_from_draws(band[i], within[i], share_65_84[i], share_85_plus[i])
    return age


def _arrange_households(rng, age, start, households, hh_size, pop) -> np.ndarray:
    """The same adults placed in households as older people live (``ons_older_living_alone``,
    ``ons_older_couples``): in each neighbourhood, ``older_alone_share`` of its adults 65 and over live alone (in
    its single-adult households, as far as there are some), and ``older_couple_share`` of them live as couples of
    two people 65 and over of near ages (the oldest with the oldest, in two-adult households); everyone else is
    placed at random.  Ages drawn independently of households would put most older people with younger adults and
    few alone, so older carers (spouses) and older people living alone would be missing.  Returns the ages by
    slot; households (``hh_size`` adults each, ``households`` of them in each neighbourhood) are contiguous and
    grouped by neighbourhood (``start``)."""
    placed = np.empty_like(age)
    all_heads = np.concatenate([[0], np.cumsum(hh_size)[:-1]]).astype(np.int64)
    first = np.concatenate([[0], np.cumsum(households)]).astype(np.int64)
    for h in range(start.size - 1):
        slots = np.arange(start[h], start[h + 1])
        heads, sizes = all_heads[first[h]:first[h + 1]], hh_size[first[h]:first[h + 1]]
        people = rng.permutation(age[slots])
        old, young = people[people >= 65], people[people < 65]
        singles = rng.permutation(heads[sizes == 1])
        alone = min(singles.size, int(round(pop.older_alone_share * old.size)))
        placed[singles[:alone]] = old[:alone]
        old = old[alone:]
        pairs = rng.permutation(heads[sizes == 2])
        couples = min(pairs.size, int(round(pop.older_couple_share * (old.size + alone) / 2)), old.size // 2)
        partners = np.sort(old[:2 * couples])
        placed[pairs[:couples]] = partners[0::2]
        placed[pairs[:couples] + 1] = partners[1::2]
        taken = np.zeros(slots.size, dtype=bool)
        taken[singles[:alone] - start[h]] = True
        taken[pairs[:couples] - start[h]] = True
        taken[pairs[:couples] + 1 - start[h]] = True
        placed[slots[~taken]] = rng.permutation(np.concatenate([old[2 * couples:], young]))
    return placed


@njit(cache=True)
def _initial_need(has, heavy, size, age, depr, deprivation_mean, needs_pars):
    """Chronic need at start, by :func:`lib.baselines.starting_need` (an in-migrant's rule)."""
    chronic = np.empty(age.size)
    for i in range(age.size):
        chronic[i] = starting_need(has[i], heavy[i], size[i], age[i], depr[i], deprivation_mean, needs_pars)
    return chronic


def _initial_ties(rng, pop, hood, household, start, depr, active_threshold) -> dict[str, np.ndarray]:
    """Household, family, friend and neighbour ties, deduplicated, as CSR with slack (the ties' arrays by name)."""
    n = hood.size
    src, dst, kind, strength = [], [], [], []

    # Household: every pair of adults in a household.
    order = np.argsort(household, kind="stable")
    hh_start = np.flatnonzero(np.r_[True, household[order][1:] != household[order][:-1]])
    hh_end = np.r_[hh_start[1:], n]
    for size in range(2, int((hh_end - hh_start).max(initial=1)) + 1):
        firsts = hh_start[(hh_end - hh_start) == size]
        for a in range(size):
            for b in range(a + 1, size):
                src.append(order[firsts + a])
                dst.append(order[firsts + b])
                kind.append(np.full(firsts.size, codes.HOUSEHOLD))
                strength.append(np.full(firsts.size, 0.9))

    def add(k: int, mean_per_resident: np.ndarray, local_share: float, lo: float, hi: float):
        # Each tie adds a degree to both ends, so each resident starts half its mean.
        count = rng.poisson(mean_per_resident / 2)
        a = np.repeat(np.arange(n), count)
        local = rng.random(a.size) < local_share
        h = hood[a]
        b_local = start[h] + (rng.random(a.size) * (start[h + 1] - start[h])).astype(np.int64)
        b_any = rng.integers(0, n, a.size)
        b = np.where(local, b_local, b_any)
        keep = b != a
        src.append(a[keep])
        dst.append(b[keep])
        kind.append(np.full(keep.sum(), k))
        strength.append(rng.uniform(lo, hi, keep.sum()))

    thin = 1 - pop.tie_deprivation_effect * depr
    add(codes.FAMILY, np.full(n, pop.family_ties_mean), 0.3, 0.4, 0.9)
    add(codes.FRIEND, pop.friend_ties_mean * thin, 0.7, 0.3, 0.8)
    add(codes.NEIGHBOUR, pop.neighbour_ties_mean * thin, 1.0, 0.25, 0.6)

    a = np.concatenate(src).astype(np.int64)
    b = np.concatenate(dst).astype(np.int64)
    k = np.concatenate(kind).astype(np.int8)
    s = np.concatenate(strength)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    _, first = np.unique(lo * n + hi, return_index=True)  # household ties come first and win
    lo, hi, k, s = lo[first], hi[first], k[first], s[first]

    ends = np.concatenate([lo, hi])
    others = np.concatenate([hi, lo])
    degree = np.bincount(ends, minlength=n).astype(np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(degree + pop.tie_slack, out=indptr[1:])
    order = np.argsort(ends, kind="stable")
    row_start = np.repeat(indptr[:-1], degree)
    rank = np.arange(order.size) - np.repeat(np.cumsum(degree) - degree, degree)
    slot = row_start + rank
    other = np.full(indptr[-1], -1, dtype=np.int32)
    strength_arr = np.zeros(indptr[-1])
    kind_arr = np.zeros(indptr[-1], dtype=np.int8)
    other[slot] = others[order]
    strength_arr[slot] = np.concatenate([s, s])[order]
    kind_arr[slot] = np.concatenate([k, k])[order]
    return {"indptr": indptr, "degree": degree, "other": other, "strength": strength_arr, "kind": kind_arr,
            "active": count_active(indptr, degree, strength_arr, active_threshold)}


def _initial_associations(rng, pop, critical_mass, households, hood, interests):
    """Groups per neighbourhood and starting memberships (people join groups sharing an interest)."""
    H = households.size
    n = hood.size
    per_hood = rng.poisson(households / 100 * pop.associations_per_100_households)
    n_groups = int(per_hood.sum())
    capacity = n_groups * 2 + 4 * H  # room for groups formed later
    g_hood = np.full(capacity, -1, dtype=np.int32)
    g_hood[:n_groups] = np.repeat(np.arange(H, dtype=np.int32), per_hood)
    g_interest = np.zeros(capacity, dtype=np.int32)
    g_interest[:n_groups] = rng.integers(0, pop.n_interests, n_groups)
    alive = np.zeros(capacity, dtype=np.bool_)
    alive[:n_groups] = True

    member = np.full((n, 2), -1, dtype=np.int32)
    first_group = np.zeros(H + 1, dtype=np.int64)
    np.cumsum(per_hood, out=first_group[1:])
    joiners = np.flatnonzero(rng.random(n) < pop.membership_share)
    joiners = joiners[per_hood[hood[joiners]] > 0]
    # Each joiner picks uniformly among their neighbourhood's groups sharing an interest (any group if none does):
    # one row of candidate slots per joiner, one integer draw per joiner in resident order.
    first = first_group[hood[joiners]][:, None]
    rank = np.arange(max(int(per_hood.max(initial=0)), 1))[None, :]
    exists = rank < per_hood[hood[joiners]][:, None]
    candidate = np.where(exists, first + rank, 0)
    matching = exists & ((interests[joiners][:, None] >> g_interest[candidate].astype(np.uint32)) & 1 == 1)
    choices = np.where(matching.any(axis=1)[:, None], matching, exists)
    pick = rng.integers(0, choices.sum(axis=1))
    column = np.argmax(np.cumsum(choices, axis=1) > pick[:, None], axis=1)
    member[joiners, 0] = candidate[np.arange(joiners.size), column]

    members = np.bincount(member[member >= 0], minlength=capacity).astype(np.int32)
    activity = np.where(alive, np.clip(members / critical_mass, 0.2, 1.0), 0.0)
    return ({"group_hood": g_hood, "group_interest": g_interest, "group_activity": activity, "group_members": members,
             "group_alive": alive}, member)
