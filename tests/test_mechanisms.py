"""Direction of each community mechanism (issue 4), paired by seed under common random numbers.

Each test compares runs that differ in one thing only: every life event and every other draw is the
same, so a difference comes from the mechanism under test.  Each would fail with the mechanism
switched off (see docs/calibration.md, "Direction tests").
"""

import numpy as np
import polars as pl

from model import codes
from model.config import load_params
from model.simulation import ResilienceModel

from .conftest import run_model

SMALL = ("population.n_neighbourhoods=6", "warmup_weeks=26", "policy=community_first")
TOWN = ("population.n_neighbourhoods=12", "warmup_weeks=26", "policy=community_first")  # ~3,400 adults
BUILDERS = ("policy.builder_coverage=1.0", "policy.builder_fte=1.0")  # a builder site in every neighbourhood


def _steps(*overrides: str) -> pl.DataFrame:
    return run_model(tuple(overrides))[1].steps


def _contacts_from(week: int, *overrides: str) -> int:
    return int(_steps(*overrides).filter(pl.col("week") >= week)["contacts"].sum())


def test_builders_add_ties_and_groups_after_the_lag_and_nothing_before():
    lag = load_params().builders.lag_weeks
    for seed in (0, 1):
        without = _steps(*SMALL, "weeks=104", f"seed={seed}")
        with_sites = _steps(*SMALL, "weeks=104", f"seed={seed}", *BUILDERS)
        for measure in ("ties_active", "groups_active"):
            assert with_sites[measure][:lag].equals(without[measure][:lag]), f"{measure} changed during the lag"
        late = slice(-26, None)  # the last half year, builders at full effect
        assert with_sites["ties_active"][late].mean() > 1.05 * without["ties_active"][late].mean()
        assert with_sites["groups_active"][late].mean() > 1.5 * without["groups_active"][late].mean()
        assert with_sites["introductions"].sum() > without["introductions"].sum()


def test_cost_of_living_brings_more_contacts():
    shock = ("weeks=104", "scenario.start_week=0")
    baseline = full = network_only = 0
    for seed in (0, 1):
        baseline += _contacts_from(0, *TOWN, *shock, f"seed={seed}")
        full += _contacts_from(0, *TOWN, *shock, f"seed={seed}", "scenario=cost_of_living")
        # helpers' time and group funding fall, need onset unchanged: contacts still rise
        network_only += _contacts_from(0, *TOWN, *shock, f"seed={seed}", "scenario=cost_of_living",
                                       "scenario.onset_multiplier=1.0")
    # People waiting in the queue do not call again, so with a finite team contacts rise less than need.
    assert full > 1.05 * baseline
    assert network_only > baseline + 5


def test_pandemic_demand_rises_less_where_communities_were_built():
    start = 104  # two years after the policy starts: builders at full effect
    timing = (f"weeks={start + 52}", f"scenario.start_week={start}")
    rise = {}
    for name, community in (("weak", ()), ("strong", BUILDERS)):
        rise[name] = sum(
            _contacts_from(start, *TOWN, *timing, *community, f"seed={seed}", "scenario=pandemic")
            - _contacts_from(start, *TOWN, *timing, *community, f"seed={seed}")
            for seed in (0, 1))
    assert rise["weak"] > 0  # the pandemic raises demand
    assert rise["strong"] < 0.5 * rise["weak"]


def test_people_helped_by_their_community_become_contributors():
    run = ("weeks=78", "seed=0")
    model_off, off = run_model(SMALL + run + ("community.reciprocity=0.0",))
    model_on, on = run_model(SMALL + run + ("community.reciprocity=0.02",))
    assert on.steps["contributors"][-13:].mean() > 1.02 * off.steps["contributors"][-13:].mean()

    def share_contributing_among_helped(model: ResilienceModel) -> float:
        r = model.state.residents
        helped = r.met_community > 0
        return float(np.mean(r.contributor[helped] != codes.NOT_CONTRIBUTOR))

    assert share_contributing_among_helped(model_on) > share_contributing_among_helped(model_off)
