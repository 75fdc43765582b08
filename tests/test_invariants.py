"""Invariants that must hold in every run: conservation, one outcome per contact, values in range."""

import numpy as np
import polars as pl

from model import codes
from model.config import load_params
from model.params import kernel_view
from model.state import live_ties
from model.phases.support import NetworkSharing
from model.lib.ties import count_active


def test_people_are_conserved(small_run):
    model, results = small_run
    n = model.state.residents.n
    assert results.steps["residents"].unique().to_list() == [n]
    assert results.steps["deaths"].sum() > 0  # deaths happen and are replaced


def test_every_contact_ends_in_exactly_one_outcome(small_run):
    _, results = small_run
    s = results.steps
    outcomes = sum(s[f"outcome_{o}"] for o in codes.OUTCOMES)
    assert (outcomes == s["contacts_served"]).all()
    # The queue changes only by new contacts in, and served contacts and deaths out.
    change = s["queue_length"].diff().drop_nulls()
    assert (change == (s["contacts"] - s["contacts_served"] - s["queue_deaths"]).slice(1)).all()
    assert s["contacts_served"].sum() > 0


def test_tables_have_no_missing_or_infinite_values(small_run):
    _, results = small_run
    for frame in (results.steps, results.neighbourhoods):
        numeric = frame.select(pl.selectors.numeric())
        assert numeric.null_count().sum_horizontal().item() == 0
        assert np.isfinite(numeric.to_numpy()).all()


def test_resident_state_in_range(small_run):
    model, _ = small_run
    r = model.state.residents
    for name in ("personal", "wellbeing", "strain", "dependency", "asking"):
        values = getattr(r, name)
        assert np.isfinite(values).all() and values.min() >= 0 and values.max() <= 1, name
    for name in ("chronic", "acute", "need", "met_service", "met_personal", "met_network", "met_community", "unmet",
                 "helper_cap", "helper_load"):
        assert getattr(r, name).min() >= 0, name
    met = r.met_service + r.met_personal + r.met_network + r.met_community
    np.testing.assert_allclose(met + r.unmet, r.need, atol=1e-9)
    assert (r.helper_load <= r.helper_cap + 1e-9).all()
    hoods = model.state.hoods
    assert (hoods.pool_used <= hoods.pool + 1e-9).all()
    assert set(np.unique(r.service)) <= set(range(len(codes.SERVICES)))


def test_ties_are_symmetric_and_in_range(small_run):
    model, _ = small_run
    t = model.state.ties
    live = live_ties(t)
    assert (t.degree <= np.diff(t.indptr)).all()
    assert ((t.strength[live] >= 0) & (t.strength[live] <= 1)).all()
    rows = np.repeat(np.arange(t.degree.size), np.diff(t.indptr))[live]
    forward = {(a, b): (s, k) for a, b, s, k in zip(rows, t.other[live], t.strength[live], t.kind[live])}
    assert all(forward.get((b, a)) == value for (a, b), value in forward.items())
    assert all(a != b for a, b in forward)


def test_each_rows_active_tie_count_is_kept(small_run):
    """``Ties.active``, kept by every change of a tie (weekly update, new ties, deaths, conversations that
    reconnect people), equals a count of the live ties at or above the active threshold from scratch."""
    model, results = small_run
    t = model.state.ties
    recount = count_active(t.indptr, t.degree, t.strength, model.params.network.active_threshold)
    assert (t.active == recount).all() and recount.sum() > 0
    assert results.steps["ties_active"][-1] == recount.sum() // 2


def test_the_small_towns_have_members(small_run):
    """The membership invariant below has something to check."""
    assert (small_run[0].state.residents.member >= 0).sum() > 100


def test_memberships_point_at_groups_of_ones_own_neighbourhood(small_run):
    """Members belong to live groups where they live: the group kernels tally and form ties neighbourhood by
    neighbourhood in parallel on that ground.  (Also called by the property tests, where a town may have no
    members at all; the small towns have hundreds.)"""
    model, _ = small_run
    r, groups = model.state.residents, model.state.associations
    holder, slot = np.nonzero(r.member >= 0)
    g = r.member[holder, slot]
    assert (g < groups.alive.size).all() and groups.alive[g].all()
    assert (groups.hood[g] == r.hood[holder]).all()


def test_network_sharing_stays_finite_with_vanishing_tie_weights():
    """An asker whose only tie with spare time is vanishingly weak (subnormal strength) gets a finite
    share: ties whose helper has no spare time never enter the sum (found by the property tests)."""
    n = 3  # resident 0 asks; 1 has spare time on a 5e-324 tie; 2 has none on a strong tie
    indptr, degree = np.array([0, 2, 3, 4]), np.array([2, 1, 1], dtype=np.int32)
    other = np.array([1, 2, 0, 0], dtype=np.int32)
    strength, kind = np.array([5e-324, 0.9, 5e-324, 0.9]), np.zeros(4, dtype=np.int8)
    cap, load, met = np.array([0.0, 5.0, 0.0]), np.zeros(n), np.zeros(n)
    net = kernel_view(load_params().network)._replace(household_weight=1.0)
    sharing = NetworkSharing({"indptr": indptr, "degree": degree, "other": other, "strength": strength, "kind": kind,
                              "helper_cap": cap, "helper_load": load, "met_network": met, "network_pars": net},
                             rounds=1)
    sharing.ask[:] = [1.0, 0.0, 0.0]
    sharing.share()
    ask = sharing.ask
    assert np.isfinite(met).all() and np.isfinite(ask).all() and np.isfinite(load).all()
    np.testing.assert_allclose(met + ask, [1.0, 0.0, 0.0])  # what is not given is still asked


def test_extra_group_funding_keeps_activity_and_community_support_in_range():
    """Doubled group funding makes small groups as active as full ones, never more than fully active, so no
    one is given more community support than they need (found by the property tests)."""
    from .conftest import SMALL, run_model

    funded = ("scenario=baseline", "scenario.start_week=0", "scenario.duration_weeks=78", "scenario.group_funding_multiplier=2.0")
    model, results = run_model(SMALL + funded)
    a = model.state.associations
    assert a.activity[a.alive].max() <= 1.0
    test_resident_state_in_range((model, results))


def test_a_main_carer_asked_for_nothing_gives_nothing():
    """A relative in another household who can give no hours (``network.carer_hours_family=0``) is asked for
    nothing: no division by a zero demand (found by the property tests)."""
    from .conftest import SMALL, run_model

    model, results = run_model(SMALL[:1] + ("weeks=13", "warmup_weeks=0", "network.carer_hours_family=0",
                                            "population.friend_ties_mean=0", "population.neighbour_ties_mean=0"))
    assert results.steps["care_hours"].is_finite().all()
    test_resident_state_in_range((model, results))
