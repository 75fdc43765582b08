"""Property-based tests over the parameter space (hypothesis).

Configs are drawn from the ranges declared in ``model/params.py`` (the strategies are built from the
dataclass field metadata, so they follow the code), over small towns and short horizons.  For any
valid config the model must run without error and keep its invariants; any out-of-range value must be
rejected with a one-line error naming the field and the allowed range.
"""

from __future__ import annotations

import dataclasses
import math

import numba
import polars as pl
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from model import codes
from model.config import compose_config
from model.components import PROGRAMME_SECTIONS, Params, params_from_dict
from model.params import ConfigError, sections
from model.simulation import ResilienceModel

from . import test_invariants as invariants

# Small towns and short horizons keep each example well under a second.
SMALL_TOWN = {
    "n_neighbourhoods": st.integers(1, 3),
    "households_min": st.integers(1, 40),
    "households_max": st.integers(1, 80),
}
GENERATED = {"code": st.none(), "csv": st.none()}  # no real area: those are built in tests/test_area.py
SHORT = {"weeks": st.integers(1, 30), "warmup_weeks": st.integers(0, 15)}
SHARES = ("unmet_share", "isolation_rate", "wellbeing_mean", "wellbeing_p10", "aware_share", "carer_strain_mean")


def value_strategy(f: dataclasses.Field) -> st.SearchStrategy:
    """Any valid value of a parameter field, from its declared type and range."""
    meta = f.metadata
    if "allowed" in meta:
        return st.sampled_from(meta["allowed"])
    if f.type == "bool":
        return st.booleans()
    if f.type == "str":
        return st.just(f"drawn_{f.name}")
    if f.type.startswith("tuple"):
        return st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8).filter(lambda w: sum(w) > 0)
    if f.type == "int":
        return st.integers(int(meta["lo"]), int(meta["hi"]))
    return st.floats(meta["lo"], meta["hi"], allow_nan=False)


def section_strategy(cls: type, fixed: dict[str, st.SearchStrategy]) -> st.SearchStrategy[dict]:
    """Any valid values of a parameter section; a nested section (policy.review) is drawn the same way."""
    nested = sections(cls)
    return st.fixed_dictionaries({
        f.name: fixed[f.name] if f.name in fixed else
        section_strategy(nested[f.name], {}) if f.name in nested else
        programmes_strategy() if "programmes" in f.metadata else value_strategy(f)
        for f in dataclasses.fields(cls)})


def programmes_strategy() -> st.SearchStrategy[dict]:
    """Any set of programmes a policy may run, each with valid values."""
    return st.fixed_dictionaries({}, optional={name: section_strategy(cls, {}) for name, cls in PROGRAMME_SECTIONS.items()})


def _sections() -> dict[str, type]:
    return sections(Params)


@st.composite
def valid_params(draw) -> Params:
    values = {f.name: draw(SHORT[f.name] if f.name in SHORT else value_strategy(f))
              for f in dataclasses.fields(Params) if f.name not in _sections()}
    for name, cls in _sections().items():
        values[name] = draw(section_strategy(cls, {"population": SMALL_TOWN, "area": GENERATED}.get(name, {})))
    pop = values["population"]
    assume(pop["households_min"] <= pop["households_max"] and pop["share_65_84"] + pop["share_85_plus"] <= 1)
    return params_from_dict(values)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny towns run faster on one numba thread; results do not depend on it (test_determinism)."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(threads)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(params=valid_params())
def test_any_valid_config_runs_and_keeps_the_invariants(params):
    model = ResilienceModel(params)
    results = model.run()
    steps = results.steps
    assert steps.height == params.weeks
    assert (steps["residents"] == model.state.residents.n).all()  # people are conserved
    served = sum(steps[f"outcome_{o}"] for o in codes.OUTCOMES)
    assert (served == steps["contacts_served"]).all()  # each contact served ends in exactly one outcome
    queue_change = steps["queue_length"].diff().drop_nulls()
    assert (queue_change == (steps["contacts"] - steps["contacts_served"] - steps["queue_deaths"]).slice(1)).all()
    for name in SHARES:
        assert steps[name].min() >= 0 and steps[name].max() <= 1, name
    assert steps.select(pl.selectors.starts_with("cost_")).min_horizontal().min() >= 0
    for frame in (steps, results.neighbourhoods):  # no NaN, null or infinity anywhere
        numeric = frame.select(pl.selectors.numeric()).to_numpy()
        assert np.isfinite(numeric).all()
    invariants.test_resident_state_in_range((model, results))
    invariants.test_ties_are_symmetric_and_in_range((model, results))
    invariants.test_memberships_point_at_groups_of_ones_own_neighbourhood((model, results))


def _ranged_fields() -> list[tuple[str, dataclasses.Field]]:
    """(path, field) of every numeric parameter with a declared range."""
    out = [(f.name, f) for f in dataclasses.fields(Params) if f.type in ("int", "float")]
    for section, cls in _sections().items():
        out += [(f"{section}.{f.name}", f) for f in dataclasses.fields(cls)
                if f.type in ("int", "float") and f.metadata.get("lo") is not None]
    return out


@st.composite
def out_of_range(draw) -> tuple[str, dataclasses.Field, float]:
    path, f = draw(st.sampled_from(_ranged_fields()))
    lo, hi = f.metadata["lo"], f.metadata["hi"]
    below = st.floats(max_value=float(lo), allow_nan=False).filter(lambda v: v < lo)
    above = st.floats(min_value=float(hi), allow_nan=False).filter(lambda v: v > hi)
    bad = [below, above, st.just(math.nan)] + ([st.floats(float(lo), float(hi)).filter(lambda v: v != int(v))]
                                               if f.type == "int" else [])
    value = draw(st.one_of(bad))
    if f.type == "int" and math.isfinite(value) and value == int(value):
        value = int(value)
    return path, f, value


@pytest.fixture(scope="module")
def default_values() -> dict:
    return OmegaConf.to_container(compose_config(), resolve=True)


@settings(max_examples=200, deadline=None)
@given(case=out_of_range())
def test_any_out_of_range_value_is_rejected_in_one_line_naming_field_and_range(default_values, case):
    path, f, value = case
    values = {k: (dict(v) if isinstance(v, dict) else v) for k, v in default_values.items()}
    section, _, name = path.rpartition(".")
    (values[section] if section else values)[name] = value
    with pytest.raises(ConfigError) as error:
        params_from_dict(values)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"{path}=")
    lo, hi = f.metadata["lo"], f.metadata["hi"]
    assert f"allowed [{lo}, {hi}]" in message or "must be a whole number" in message



@given(st.lists(st.one_of(st.sampled_from([0.0, 1.0, 0.5, 0.1, 1 / 4096]), st.floats(0.0, 1.0)), min_size=1,
                max_size=300))
def test_the_recorders_percentile_is_the_partition_one(values):
    """``recorder.kth_smallest`` (bins, then one bin sorted) gives what ``np.partition`` gives, ties and the
    ends of [0, 1] included."""
    from model.recorder import kth_smallest

    x = np.asarray(values)
    for k in {0, len(x) // 10, len(x) - 1}:
        assert kth_smallest(x, k) == np.partition(x, k)[k]
