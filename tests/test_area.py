"""A real area (population=area): built from the shipped IoD 2019 data, its counties and a CSV of one's own.

The expected counts are read here from the published files themselves (``data/imd2019/``, with Python's csv
module rather than the model's reader), so a mistake in how ``model/area.py`` reads, joins or splits them shows.
"""

from __future__ import annotations

import csv
import gzip
import subprocess
import sys

import numpy as np
import polars as pl
import pytest

from model import area
from model.config import load_params
from model.params import ConfigError
from model.population import build_population

CITY = "E09000001"  # City of London: 6 LSOAs, about 5,800 adults; the smallest town of several LSOAs
SCILLY = "E06000053"  # Isles of Scilly: one LSOA, about 1,800 adults
ESSEX = "E10000012"  # a two-tier county of twelve districts (2019), with England's most deprived LSOA (Jaywick)
ESSEX_DISTRICTS = tuple(f"E070000{n}" for n in range(66, 78))


def _published(path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _data(districts) -> dict[str, dict]:
    """LSOA code -> IMD rank and adults (16-59 plus 60+) of ``districts``, from the published files."""
    ranks = {row[0]: _number(row[4]) for row in _published(area.IMD_FILE) if row[2] in districts}
    return {row[0]: {"rank": ranks[row[0]], "adults": _number(row[6]) + _number(row[7]), "sixty": _number(row[7])}
            for row in _published(area.DENOMINATORS_FILE) if row[2] in districts}


def _town(*overrides: str):
    params = load_params(("population=area", *overrides))
    return params, area.town_of(params)


def test_a_district_code_and_its_name_build_the_same_town():
    by_code, by_name = (load_params(["population=area", f"area.code={code}", "seed=3"]) for code in (CITY, "city of LONDON"))
    assert by_code.population.name == by_name.population.name == f"area-{CITY}"
    a, b = build_population(by_code), build_population(by_name)
    for field in ("hood", "household", "age", "personal", "chronic", "contributor"):
        np.testing.assert_array_equal(a[field], b[field], err_msg=field)


def test_a_county_is_built_from_its_districts_with_every_lsoa():
    params, town = _town("area.code=Essex")
    assert params.population.name == f"area-{ESSEX}"
    _, listed = _town(f"area.code=[{','.join(ESSEX_DISTRICTS)}]")
    np.testing.assert_array_equal(town.adults, listed.adults)
    data = _data(ESSEX_DISTRICTS)
    assert len(data) == 872
    assert sorted(set(town.names)) == sorted(data)
    counties = pl.read_csv(area.DISTRICTS_FILE).filter(pl.col("upper_tier_code") == ESSEX)
    assert tuple(counties["district_code"]) == ESSEX_DISTRICTS


def test_population_totals_match_the_data_and_lsoas_become_neighbourhoods_of_100_to_200_households():
    params, town = _town("area.code=Essex")
    data = _data(ESSEX_DISTRICTS)
    assert town.adults.sum() == sum(lsoa["adults"] for lsoa in data.values())
    mean = np.dot(np.arange(1, 5), params.population.adults_per_household) / sum(params.population.adults_per_household)
    assert town.households.sum() == sum(round(lsoa["adults"] / mean) for lsoa in data.values())
    assert town.households.min() > 100 and town.households.max() <= 200
    names = np.asarray(town.names)
    sixty = np.array([data[name]["sixty"] for name in names]) * town.adults / np.array([data[n]["adults"] for n in names])
    old = (town.share_65_84 + town.share_85_plus) * town.adults
    np.testing.assert_allclose(old.sum(), sixty.sum() * (9.72 / 12.61), rtol=1e-6)  # 65+ of the 60+ nationally

    city = load_params(["population=area", f"area.code={CITY}"])
    town = build_population(city)
    assert town["hood"].size == sum(lsoa["adults"] for lsoa in _data({CITY}).values())
    np.testing.assert_array_equal(np.bincount(town["hood"]), area.town_of(city).adults)
    np.testing.assert_array_equal(town["hood_households"], area.town_of(city).households)


def test_deprivation_follows_imd_rank():
    _, town = _town("area.code=Essex")
    data = _data(ESSEX_DISTRICTS)
    rank = np.array([data[name]["rank"] for name in town.names])
    order = np.argsort(rank, kind="stable")
    assert np.all(np.diff(town.deprivation[order]) <= 0)
    assert np.all(np.diff(town.deprivation[order])[np.diff(rank[order]) > 0] < 0)  # a higher rank is less deprived
    assert town.deprivation.max() == 1.0 and rank.min() == 1  # Jaywick, England's most deprived LSOA


@pytest.mark.parametrize("overrides, message", [
    (["population=area", "area.code=Shropshre"],
     "area.code='Shropshre' is not an English district, borough, unitary authority or county (2019 codes and names); "
     "closest: Shropshire, Hampshire, East Hampshire"),
    (["population=area", "area.code=[E07000066,E0700067]"],
     "area.code='E0700067' is not an English district, borough, unitary authority or county (2019 codes and names); "
     "closest: E07000167, E07000067, E07000246, E07000237"),
    (["population=area"], "population=area needs area.code=<district or county code or name> or area.csv=<path>"),
    ([f"area.code={CITY}"], "area.code needs population=area (population.name='market_town' names a generated town)"),
    (["population=area", "area.code=[]"], "area.code=[] must be null, a non-empty string or a list of them"),
    (["population=area", f"area.code={CITY}", "area.csv=x.csv"], "area.code and area.csv are both set; give one of them"),
    (["population=area", "area.code=123"], "area.code=123 must be null, a non-empty string or a list of them"),
])
def test_a_bad_area_gives_a_one_line_error(overrides, message):
    with pytest.raises(ConfigError) as error:
        load_params(overrides)
    assert str(error.value) == message


GOOD = ["name,households,adults,share_65_84,share_85_plus,deprivation",
        "Hebden Bridge,150,280,0.2,0.03,0.3", "Mytholm,120,240,0.25,0.05,0.6", ",180,190,0.1,0.01,0.9"]


def test_a_csv_of_ones_own_neighbourhoods_builds_that_town(tmp_path):
    path = tmp_path / "calder.csv"
    path.write_text("\n".join(GOOD) + "\n")
    params, town = _town(f"area.csv={path}")
    assert params.population.name == "area-calder"
    assert town.names == ("Hebden Bridge", "Mytholm", "row 3")
    town = build_population(params)
    np.testing.assert_array_equal(np.bincount(town["hood"]), [280, 240, 190])
    np.testing.assert_array_equal(town["hood_households"], [150, 120, 180])
    np.testing.assert_array_equal(town["hood_deprivation"], [0.3, 0.6, 0.9])


@pytest.mark.parametrize("lines, message", [
    ([GOOD[0], GOOD[1], "Mytholm,120,1000,0.25,0.05,0.6"],
     "row 2, column adults: '1000' is not allowed; allowed: a whole number from 120 to 480 "),
    ([GOOD[0], "Hebden,150.5,280,0.2,0.03,0.3"],
     "row 1, column households: '150.5' is not allowed; allowed: a whole number from 1 "),
    ([GOOD[0], GOOD[1], GOOD[2], "Old Town,180,190,0.9,0.2,0.9"],
     "row 3, column share_85_plus: '0.2' is not allowed; allowed: a number from 0 to 0.1 "),
    ([GOOD[0], "Hebden,150,280,0.2,0.03,high"],
     "row 1, column deprivation: 'high' is not allowed; allowed: a number from 0 to 1 "),
    ([GOOD[0], "Hebden,150,280,0.2,0.03"], "row 1: has fewer fields than the header"),
    ([GOOD[0] + ",ward", GOOD[1] + ",x"], "unknown column 'ward'; allowed: households, adults"),
    (["households,adults,share_65_84,share_85_plus", "150,280,0.2,0.03"], "missing column 'deprivation'"),
    ([GOOD[0]], "has no neighbourhoods (no rows after the header)"),
    # Files that used to fail with a traceback, or to be accepted (issue 20):
    ([GOOD[0], "Hebden,1e300,280,0.2,0.03,0.3"],
     "row 1, column households: '1e300' is not allowed; allowed: a whole number from 1 to 10000 "),
    ([GOOD[0], "Hebden,100000000,190000000,0.2,0.03,0.3"],
     "row 1, column households: '100000000' is not allowed; allowed: a whole number from 1 to 10000 "),
    (["name,households,adults,adults,share_65_84,share_85_plus,deprivation", "Hebden,150,280,280,0.2,0.03,0.3"],
     ": column 'adults' appears twice in the header; give each column once"),
    ([GOOD[0], GOOD[1].encode().decode() + "\udcff"], " is not UTF-8 text; save it as CSV in UTF-8"),
    ([GOOD[0], *[GOOD[1]] * 20_001], " has more than 20,000 neighbourhoods (rows after the header); allowed at most 20,000"),
])
def test_a_bad_csv_is_refused_in_one_line_naming_the_row_and_column(tmp_path, lines, message):
    path = tmp_path / "mine.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))  # \udcff: a byte that is not UTF-8
    with pytest.raises(ConfigError) as error:
        load_params(["population=area", f"area.csv={path}"])
    assert message in str(error.value)
    assert str(error.value).startswith(f"area.csv={str(path)!r}")
    assert "\n" not in str(error.value)


def test_a_csv_too_big_for_the_machine_is_refused_before_it_is_built(tmp_path, monkeypatch):
    """Its adults, at about 1.4 KB each (benchmarks/results.md), against the machine's memory: refused in one line
    naming the file, before the town is built."""
    from model import params

    path = tmp_path / "big.csv"
    path.write_text("\n".join([GOOD[0], *["Ward,10000,40000,0.2,0.03,0.3"] * 20]) + "\n")  # 800,000 adults
    monkeypatch.setattr(params, "machine_memory", lambda: 2**30)
    with pytest.raises(ConfigError) as error:
        load_params(["population=area", f"area.csv={path}"])
    assert str(error.value) == (f"area.csv={str(path)!r}: a town of about 800,000 adults needs about 1.1 GiB of "
                                f"memory; this machine has 1.0 GiB")


def test_a_small_district_runs_through_the_entry_point(tmp_path):
    run_dir = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "experiments.run", "population=area", "area.code=Isles of Scilly",
                           "weeks=3", "warmup_weeks=2", f"hydra.run.dir={run_dir}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    steps = pl.read_parquet(run_dir / "steps.parquet")
    assert steps.height == 3
    assert set(steps["population"]) == {f"area-{SCILLY}"}
    assert set(steps["residents"]) == {sum(lsoa["adults"] for lsoa in _data({SCILLY}).values())}
