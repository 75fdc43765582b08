"""Paired differences of two policies' sensitivity experiments (analysis.sensitivity_pairs), on hand-made runs
whose differences are known: one flips sign with one parameter, one moves with another and never flips."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from SALib.sample import morris as morris_sample

from analysis import sensitivity_pairs as pairs
from analysis.parameter_space import Axis, problem
from analysis.sensitivity import Sensitivity, SensitivityError
from model.outputs import OUTCOMES

SPACE = [Axis("posterior.mobilisation", 0.0, 1.0, log=False), Axis("support.asking_return", 0.005, 0.2, log=True),
         Axis("network.helper_hours", 2.5, 10.0, log=False)]
LEVELS = 6


def _runs(differences: dict[str, np.ndarray] | None = None) -> pl.DataFrame:
    """A runs table over a Morris design of SPACE: base outcomes from a fixed generator, plus ``differences``."""
    x = morris_sample.sample(problem(SPACE), 20, num_levels=LEVELS, seed=3)
    values = {a.name: a.value(x[:, i]) for i, a in enumerate(SPACE)}
    rng = np.random.default_rng(0)
    outcomes = {o: rng.normal(10, 1, len(x)) for o in OUTCOMES}
    for outcome, difference in (differences or {}).items():
        outcomes[outcome] = outcomes[outcome] + difference
    return pl.DataFrame({"method": ["morris"] * len(x), "run": np.arange(len(x)), "seed": [0] * len(x),
                         **values, **outcomes})


@pytest.fixture(scope="module")
def pair_tables():
    base = _runs()
    mobilisation, helper = base["posterior.mobilisation"].to_numpy(), base["network.helper_hours"].to_numpy()
    policy = _runs({
        "cost_per_adult_year": 100 * (0.5 - mobilisation),  # costs more exactly when mobilisation is below 0.5
        "caseload_per_1000": 5 + helper,  # always more, by more with more helper hours: large mu*, no flip
        "unmet_share": -0.01 * np.ones(base.height),  # always less, whatever the parameters
    })
    diff = pairs.differences(base, policy, [a.name for a in SPACE])
    return (diff, pairs.summary(diff), pairs.sign_by_third(diff, SPACE),
            pairs.morris_of_difference(diff, SPACE, LEVELS, resamples=100, seed=0))


def _row(frame: pl.DataFrame, outcome: str, parameter: str | None = None) -> dict:
    rows = frame.filter(pl.col("outcome") == outcome)
    if parameter is not None:
        rows = rows.filter(pl.col("parameter") == parameter)
    assert rows.height == 1
    return rows.row(0, named=True)


def test_the_difference_is_policy_minus_base_per_paired_run(pair_tables):
    diff, *_ = pair_tables
    np.testing.assert_allclose(diff["cost_per_adult_year"], 100 * (0.5 - diff["posterior.mobilisation"]), atol=1e-9)
    np.testing.assert_allclose(diff["isolation_rate"], 0.0, atol=1e-12)


def test_the_parameter_that_flips_the_sign_is_found_and_no_other(pair_tables):
    _, summary, sign, _ = pair_tables
    cost = {r["parameter"]: r for r in sign.filter(pl.col("outcome") == "cost_per_adult_year").iter_rows(named=True)}
    flipper = cost["posterior.mobilisation"]
    assert flipper["share_negative_low"] == 0.0 and flipper["share_negative_high"] == 1.0 and flipper["flip"] == 1.0
    for name in ("support.asking_return", "network.helper_hours"):
        assert abs(cost[name]["flip"]) < 0.3, cost[name]
    assert 0.3 < _row(summary, "cost_per_adult_year")["share_negative"] < 0.7
    # A large effect that never changes the sign: no flip, whatever its mu*.
    assert _row(summary, "caseload_per_1000")["share_negative"] == 0.0
    assert (sign.filter(pl.col("outcome") == "caseload_per_1000")["flip"] == 0).all()
    assert _row(summary, "unmet_share")["share_negative"] == 1.0


def test_bands_show_where_the_sign_turns(pair_tables):
    diff, *_ = pair_tables
    bands = pairs.sign_by_band(diff, SPACE, 6).filter(
        (pl.col("outcome") == "cost_per_adult_year") & (pl.col("parameter") == "posterior.mobilisation"))
    assert bands["share_negative"].to_list() == [0, 0, 0, 1, 1, 1]  # turns at 0.5
    np.testing.assert_allclose(bands["from"], np.arange(6) / 6)
    assert bands["runs"].sum() == diff.height


def test_morris_of_the_difference_ranks_the_parameter_that_moves_it(pair_tables):
    *_, morris = pair_tables
    for outcome, mover in (("cost_per_adult_year", "posterior.mobilisation"), ("caseload_per_1000", "network.helper_hours")):
        rows = morris.filter(pl.col("outcome") == outcome).sort("mu_star", descending=True)
        assert rows["parameter"][0] == mover
        assert rows["mu_star"][0] > 0 and (rows["mu_star"][1:] < 1e-9).all()  # the others have no effect at all
    assert _row(morris, "cost_per_adult_year", "posterior.mobilisation")["mu"] < 0  # more mobilisation, lower cost


def test_thirds_of_a_log_parameter_are_thirds_of_its_logarithm():
    axis = SPACE[1]
    np.testing.assert_allclose(axis.position(np.array([0.005, 0.005 * 40 ** (1 / 3), 0.2])), [0, 1 / 3, 1])
    np.testing.assert_allclose(axis.value(axis.coordinate(np.array([0.01, 0.1]))), [0.01, 0.1])


@pytest.mark.parametrize("column, message", [
    ("seed", "morris run 4 has seed=0 in one experiment and 1 in the other: not the same design"),
    ("network.helper_hours", "morris run 4 has network.helper_hours="),
])
def test_runs_that_do_not_pair_are_refused_in_one_line(column, message):
    base = _runs()
    other = base.with_columns(pl.when(pl.col("run") == 4).then(pl.col(column) + 1).otherwise(pl.col(column))
                              .alias(column))
    with pytest.raises(SensitivityError) as error:
        pairs.differences(base, other, [a.name for a in SPACE])
    assert str(error.value).startswith(message) and "\n" not in str(error.value)
    with pytest.raises(SensitivityError, match="hold different runs"):
        pairs.differences(base, base.head(10), [a.name for a in SPACE])


def _experiment(policy: str, **changes) -> Sensitivity:
    config = {"seed": 0, "weeks": 26, "policy": {"name": policy}, "review": {"name": policy},
              "population": {"name": "market_town"},
              "sensitivity": {"parameters": {"posterior": {"mobilisation": [0.0, 1.0]}}, "sample_seed": 0,
                              "workers": 2}}
    for key, value in changes.items():
        section, _, field = key.partition("__")
        if field:
            config[section] = {**config[section], field: value}
        else:
            config[section] = value
    return Sensitivity(None, config, {}, _runs(), None, None)


def test_only_the_policy_may_differ_between_paired_experiments():
    base = _experiment("service_first")
    assert pairs.pair(base, _experiment("community_first", sensitivity__workers=1)).differences.height
    with pytest.raises(SensitivityError, match=r"differ in sensitivity.sample_seed \(0 and 1\), not only in the policy"):
        pairs.pair(base, _experiment("community_first", sensitivity__sample_seed=1))
    with pytest.raises(SensitivityError, match=r"differ in weeks \(26 and 52\)"):
        pairs.pair(base, _experiment("community_first", weeks=52))
    with pytest.raises(SensitivityError, match="both experiments ran policy service_first"):
        pairs.pair(base, _experiment("service_first"))
