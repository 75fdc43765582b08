"""Property-based tests over the parameter space (hypothesis).

Configs are drawn from the ranges declared in ``model/params.py`` (the strategies are built from the
dataclass field metadata, so they follow the code), over small towns and short horizons.  For any
valid config the model must run without error and keep its invariants; any out-of-range value must be
rejected with a one-line error naming the field and the allowed range.  The same holds for the output
settings (``experiments.settings.Output``) and for a CSV of one's own neighbourhoods (``model/area.py``):
any valid one is taken as given, any with one thing wrong refused in one line naming it.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
from pathlib import Path

import numba
import polars as pl
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from model import codes
from model.config import compose_config
from experiments.settings import Output, output_settings
from model.area import town_of
from model.components import PROGRAMME_SECTIONS, Params, params_from_dict
from model.params import ConfigError, sections
from model.population import build_population
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
    """Any valid value of a parameter field, from its declared type and range (null too, where it may be)."""
    meta = f.metadata
    kind, _, optional = f.type.partition(" | ")
    if "allowed" in meta:
        return st.sampled_from(meta["allowed"])
    if kind == "bool":
        return st.booleans()
    if kind == "str":
        return st.just(f"drawn_{f.name}")
    if kind.startswith("tuple"):
        return st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8).filter(lambda w: sum(w) > 0)
    number = (st.integers(int(meta["lo"]), int(meta["hi"])) if kind == "int"
              else st.floats(meta["lo"], meta["hi"], allow_nan=False))
    return st.one_of(st.none(), number) if optional else number


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


# The settings of how a run is run and written (experiments.settings.Output), drawn from their declarations as the
# model's values are: any valid one is taken as it is, any other refused in one line naming the field.
OUTPUT_FIELDS = {f.name: f for f in dataclasses.fields(Output)}


@pytest.fixture(scope="module")
def small_params() -> Params:
    return params_from_dict(OmegaConf.to_container(compose_config(["population.n_neighbourhoods=2"]), resolve=True))


@settings(max_examples=100, deadline=None)
@given(values=st.fixed_dictionaries({name: value_strategy(f) for name, f in OUTPUT_FIELDS.items()}))
def test_any_valid_output_settings_are_taken_as_given(small_params, values):
    assert dataclasses.asdict(output_settings(values, small_params)) == values


@st.composite
def bad_output(draw) -> tuple[dict, str]:
    """Valid output settings with one thing wrong: a value of the wrong type or out of range, or an unknown key; and
    how the refusal starts."""
    values = draw(st.fixed_dictionaries({name: value_strategy(f) for name, f in OUTPUT_FIELDS.items()}))
    name = draw(st.sampled_from([*OUTPUT_FIELDS, "nonsense"]))
    if name == "nonsense":
        return {**values, name: draw(st.integers())}, "unknown field output.nonsense; allowed: "
    f = OUTPUT_FIELDS[name]
    wrong = st.one_of(st.text(max_size=5), st.lists(st.integers(), max_size=2))
    if f.type == "bool":
        wrong = st.one_of(wrong, st.integers(), st.sampled_from(["maybe", "yes", "true"]))
    else:
        lo, hi = f.metadata["lo"], f.metadata["hi"]
        wrong = st.one_of(wrong, st.booleans(), st.integers(max_value=lo - 1), st.integers(min_value=hi + 1),
                          st.floats(lo, hi).filter(lambda v: v != int(v)), st.just(math.nan))
    return {**values, name: draw(wrong)}, f"output.{name}="


@settings(max_examples=150, deadline=None)
@given(case=bad_output())
def test_any_bad_output_setting_is_refused_in_one_line_naming_it(small_params, case):
    values, start = case
    with pytest.raises(ConfigError) as error:
        output_settings(values, small_params)
    assert str(error.value).startswith(start) and "\n" not in str(error.value)


# A CSV of one's own neighbourhoods (population=area area.csv=...): any valid file builds exactly its town; any file
# with one bad cell is refused in one line naming its row and column.
CSV_HEADER = ("name", "households", "adults", "share_65_84", "share_85_plus", "deprivation")


@st.composite
def csv_rows(draw) -> list[tuple]:
    rows = []
    for k in range(draw(st.integers(1, 4))):
        households = draw(st.integers(1, 150))
        old = draw(st.floats(0.0, 1.0))
        rows.append((f"ward {k}", households, draw(st.integers(households, 4 * households)), old,
                     draw(st.floats(0.0, 1.0 - old)), draw(st.floats(0.0, 1.0))))
    return rows


@pytest.fixture(scope="module")
def csv_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("csv")


def _area_params(default_values: dict, directory: Path, rows: list[tuple]) -> tuple[Path, Params]:
    """Write ``rows`` to a new CSV in ``directory`` and validate the config of a town built from it."""
    handle, name = tempfile.mkstemp(suffix=".csv", dir=directory)
    with os.fdopen(handle, "w") as out:
        out.write("\n".join(",".join(map(str, row)) for row in [CSV_HEADER, *rows]) + "\n")
    values = {k: (dict(v) if isinstance(v, dict) else v) for k, v in default_values.items()}
    values["population"]["name"] = "area-mine"
    values["area"] = {"code": None, "csv": name}
    return Path(name), params_from_dict(values)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=csv_rows())
def test_any_valid_csv_builds_exactly_its_town(default_values, csv_dir, rows):
    _, params = _area_params(default_values, csv_dir, rows)
    town = town_of(params)
    for column, values in zip(CSV_HEADER[1:], list(zip(*rows))[1:]):
        np.testing.assert_array_equal(getattr(town, column), values, err_msg=column)
    state = build_population(params)
    np.testing.assert_array_equal(np.bincount(state["hood"], minlength=len(town.adults)), town.adults)
    np.testing.assert_array_equal(state["hood_households"], town.households)


BAD_CELLS = {  # column -> values no row may hold there (given the row's other cells, as csv_rows draws them)
    "households": ("0", "-3", "1.5", "10001", "1e300", "inf", "nan", "", "many"),
    "adults": ("0", "1e300", "2.5", "x"),
    "share_65_84": ("-0.1", "1.5", "nan", "old"),
    "share_85_plus": ("-0.5", "1.01", "inf"),
    "deprivation": ("-0.01", "2", "nan", "high"),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=csv_rows(), data=st.data())
def test_any_bad_cell_is_refused_in_one_line_naming_its_row_and_column(default_values, csv_dir, rows, data):
    row = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.sampled_from(sorted(BAD_CELLS)))
    bad = list(rows[row])
    bad[CSV_HEADER.index(column)] = data.draw(st.sampled_from(BAD_CELLS[column]))
    with pytest.raises(ConfigError) as error:
        _area_params(default_values, csv_dir, [*rows[:row], tuple(bad), *rows[row + 1:]])
    message = str(error.value)
    assert f"row {row + 1}, column {column}: " in message and message.startswith("area.csv=") and "\n" not in message
