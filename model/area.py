"""A real area's neighbourhoods: from the English Indices of Deprivation 2019, or from a CSV of your own.

``population=area area.code=<code or name>`` builds the town of an English district, unitary authority,
metropolitan or London borough, or county (an adult social care authority is a county council, or a
unitary authority or borough of one district), from every Lower-layer Super Output Area (LSOA) of its
districts in ``data/imd2019/`` (its README gives the source and licence). ``area.csv=<path>`` reads the
user's own neighbourhoods instead (schema in :data:`CSV_COLUMNS`). Either way the result is a :class:`Town`:
one entry per neighbourhood with its households, adults, age shares and deprivation, which
``model/population.py`` uses in place of the values it draws for a generated town. Everything the data
does not give (ties, groups, volunteering, personal resources) comes from the ``population`` section.

How an LSOA becomes neighbourhoods (docs/ODD.md, "Your own area"):

- adults are the ages 16-59 plus 60 and over (mid-2015, excluding prisoners);
- households are adults over the mean adults per household of ``population.adults_per_household``,
  rounded; an LSOA is split into the fewest neighbourhoods of at most ``population.households_max``
  households (so each has more than half that), households and adults shared out as evenly as whole
  numbers allow;
- the 60 and over are split into 60-64, 65-84 and 85+ by the national shares of mid-2015
  (:data:`SHARE_OF_60_PLUS_65_84`, :data:`SHARE_OF_60_PLUS_85_PLUS`, docs/evidence.md ``national_ages_2015``);
- deprivation is the LSOA's IMD rank mapped onto 0-1: 1 for the most deprived LSOA of England (rank 1),
  0 for the least deprived, linear in rank between.

Every mistake (an unknown code or name, a bad CSV row) is a one-line :class:`ConfigError` raised while the
config is validated, before anything is built.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from .params import ConfigError, Population, check_town_size

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "imd2019"
IMD_FILE = DATA_DIR / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
DENOMINATORS_FILE = DATA_DIR / "File_6_-_IoD2019_Population_Denominators.csv.gz"
DISTRICTS_FILE = DATA_DIR / "districts.csv"

# England, mid-2015 (ONS mid-year population estimates), millions: aged 60+, 65+ and 85+ (docs/evidence.md,
# national_ages_2015). The 60+ figure is the IoD 2019 denominators' own total (12,612,839, excluding prisoners).
_ENGLAND_60_PLUS, _ENGLAND_65_PLUS, _ENGLAND_85_PLUS = 12.61, 9.72, 1.28
SHARE_OF_60_PLUS_65_84 = (_ENGLAND_65_PLUS - _ENGLAND_85_PLUS) / _ENGLAND_60_PLUS
SHARE_OF_60_PLUS_85_PLUS = _ENGLAND_85_PLUS / _ENGLAND_60_PLUS

AREA = "area"  # the population preset of a real area; its runs are named area-<code> (run_name)

# A CSV's size, within the bounds a generated town has (``model.params.Population``): its rows are neighbourhoods.
_LIMITS = {f.name: f.metadata["hi"] for f in dataclasses.fields(Population) if f.name in ("n_neighbourhoods",
                                                                                             "households_max")}
MAX_ROWS, MAX_HOUSEHOLDS = _LIMITS["n_neighbourhoods"], _LIMITS["households_max"]

# The columns of a CSV of your own neighbourhoods: name -> what it must hold.
CSV_COLUMNS = {
    "households": f"a whole number of households, from 1 to {MAX_HOUSEHOLDS:,}",
    "adults": "a whole number of adults, from households to households x the largest household of "
              "population.adults_per_household",
    "share_65_84": "the share of adults aged 65-84, 0-1",
    "share_85_plus": "the share of adults aged 85 and over, 0-1 (with share_65_84 at most 1)",
    "deprivation": "deprivation, 0 (least) to 1 (most), e.g. 1 - (IMD rank - 1) / (32844 - 1)",
    "name": "optional: the neighbourhood's name",
}
_OPTIONAL_COLUMNS = ("name",)


@dataclass(frozen=True)
class Town:
    """A real area's neighbourhoods, one entry each (arrays read-only: they are cached and shared)."""

    households: np.ndarray  # int64, households in the neighbourhood
    adults: np.ndarray  # int64, adults living in them
    share_65_84: np.ndarray  # float64, share of the adults aged 65-84
    share_85_plus: np.ndarray  # float64, share of the adults aged 85 and over
    deprivation: np.ndarray  # float64, 0-1
    names: tuple[str, ...]  # the LSOA code it was split from, or the CSV's name (or row number)


def town_of(params) -> Town | None:
    """The area ``params.area`` names, or None for a generated town."""
    area, pop = params.area, params.population
    largest = len(pop.adults_per_household)
    if area.csv is not None:
        path = Path(area.csv)
        if not path.is_file():
            raise ConfigError(f"area.csv={area.csv!r} is not a readable file")
        stat = path.stat()
        return _town_from_csv(str(path.resolve()), stat.st_mtime_ns, stat.st_size, largest)
    if area.code is not None:
        weights = np.asarray(pop.adults_per_household)
        mean_adults = float((np.arange(1, largest + 1) * weights).sum() / weights.sum())
        districts = tuple(d for item in area.code for d in _authority(item)[1])
        return _town_from_lsoas(tuple(dict.fromkeys(districts)), mean_adults, pop.households_max)
    return None


def check_area(params) -> None:
    """Refuse, in one line, an area that cannot be built or a run whose name would not say which area it is."""
    area, name = params.area, params.population.name
    chosen = name == AREA or name.startswith(f"{AREA}-")
    if area.code is not None and area.csv is not None:
        raise ConfigError("area.code and area.csv are both set; give one of them")
    if area.code is None and area.csv is None:
        if chosen:
            raise ConfigError("population=area needs area.code=<district or county code or name> or area.csv=<path>")
        return
    field = "code" if area.csv is None else "csv"
    if not chosen:
        raise ConfigError(f"area.{field} needs population=area (population.name={name!r} names a generated town)")
    value = area.csv if area.csv is not None else list(area.code) if len(area.code) > 1 else area.code[0]
    check_town_size(f"area.{field}={value!r}", int(town_of(params).adults.sum()))


def run_name(code: Any, csv_path: Any) -> str:
    """The population name of a run of ``population=area``, which names its results directory:
    ``area-E06000051`` (a name gives its authority's code, so 'Shropshire' and 'E06000051' share one),
    ``area-E07000066+E07000067`` for a list, ``area-<file name>`` for a CSV, ``area`` for neither.
    Registered as the config resolver ``area_name`` (``model/config.py``); it never fails while Hydra
    composes: what it cannot resolve it spells as given, and validation then reports it."""
    if csv_path is not None:
        return f"{AREA}-{_slug(Path(str(csv_path)).stem)}"
    if code is None:
        return AREA
    items = [str(item) for item in code] if isinstance(code, (list, tuple)) else [str(code)]
    labels = []
    for item in items:
        try:
            labels.append(_authority(item)[0])
        except ConfigError:
            labels.append(_slug(item))
    return f"{AREA}-{'+'.join(labels)}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "unnamed"


@lru_cache(maxsize=None)
def _districts() -> pl.DataFrame:
    """District (2019) -> its adult social care authority (upper tier): the county for a district of a county,
    the district itself for a unitary authority or a metropolitan or London borough."""
    return pl.read_csv(DISTRICTS_FILE, infer_schema_length=0)


@lru_cache(maxsize=None)
def _authorities() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every code and name, in lower case, -> (the code it stands for, its districts' codes)."""
    table = _districts()
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for code, name in table.select("upper_tier_code", "upper_tier_name").unique().iter_rows():
        districts = tuple(table.filter(pl.col("upper_tier_code") == code)["district_code"].sort())
        out[code.lower()] = out[name.lower()] = (code, districts)
    for code, name in table.select("district_code", "district_name").iter_rows():
        out[code.lower()] = out[name.lower()] = (code, (code,))
    return out


def authorities() -> list[tuple[str, str, int]]:
    """Every English district and adult social care authority (2019) a town can be built for: (code, name,
    number of districts), upper-tier authorities of several districts (counties) included, sorted by name."""
    table = _districts()
    counties = (table.group_by("upper_tier_code", "upper_tier_name").agg(pl.len().alias("districts"))
                .filter(pl.col("districts") > 1))
    rows = {(code, name, 1) for code, name in table.select("district_code", "district_name").iter_rows()}
    rows |= {(code, name, n) for code, name, n in counties.iter_rows()}
    return sorted(rows, key=lambda row: (row[1].lower(), row[0]))


@lru_cache(maxsize=None)
def _spellings() -> dict[str, str]:
    """Every code and name in lower case -> as published, for suggesting the closest to a mistyped one."""
    table = _districts()
    return {text.lower(): text for column in table.columns for text in table[column]}


def closest(text: str, n: int = 4) -> list[str]:
    """The codes and names (as published) closest to a mistyped ``text``, closest first: what a one-line error
    suggests (``closest: Shropshire, ...``), and what the app's area picker offers for a misspelling."""
    close = difflib.get_close_matches(text.strip().lower(), list(_spellings()), n=n, cutoff=0.6)
    return [_spellings()[c] for c in close]


def code_of(text: str) -> str | None:
    """The 2019 code a district's or authority's code or name (any case) stands for, or None."""
    found = _authorities().get(text.strip().lower())
    return None if found is None else found[0]


def _authority(item: str) -> tuple[str, tuple[str, ...]]:
    """(code, district codes) of a district or upper-tier authority given by its code or name (any case)."""
    found = _authorities().get(item.strip().lower())
    if found is None:
        close = closest(item)
        hint = (f"closest: {', '.join(close)}" if close
                else f"the codes and names are in data/imd2019/{DISTRICTS_FILE.name}")
        raise ConfigError(f"area.code={item!r} is not an English district, borough, unitary authority or county "
                          f"(2019 codes and names); {hint}")
    return found


def _read_published(path: Path) -> pl.DataFrame:
    """A published IoD 2019 file: all columns as text, the byte-order mark dropped from the first header."""
    frame = pl.read_csv(path, infer_schema_length=0)
    return frame.rename({frame.columns[0]: frame.columns[0].lstrip("\ufeff")})


def _count(column: str) -> pl.Expr:
    return pl.col(column).str.replace_all(",", "").cast(pl.Int64)


@lru_cache(maxsize=None)
def _lsoas() -> pl.DataFrame:
    """Every LSOA of England: code, district, IMD rank, ages 16-59 and 60+ (mid-2015, excluding prisoners)."""
    imd = _read_published(IMD_FILE)
    imd = imd.select(lsoa=pl.col(imd.columns[0]), district=pl.col(imd.columns[2]), imd_rank=_count(imd.columns[4]))
    ages = _read_published(DENOMINATORS_FILE)
    ages = ages.select(lsoa=pl.col(ages.columns[0]), aged_16_59=_count(ages.columns[6]),
                       aged_60_plus=_count(ages.columns[7]))
    return imd.join(ages, on="lsoa", how="inner", validate="1:1").sort("lsoa")


@lru_cache(maxsize=64)
def _town_from_lsoas(districts: tuple[str, ...], mean_adults: float, households_max: int) -> Town:
    """The neighbourhoods of ``districts``' LSOAs (module docstring: how an LSOA becomes neighbourhoods)."""
    all_lsoas = _lsoas()
    rows = all_lsoas.filter(pl.col("district").is_in(districts))
    rank = rows["imd_rank"].to_numpy()
    sixty = rows["aged_60_plus"].to_numpy()
    adults = rows["aged_16_59"].to_numpy() + sixty
    households = np.maximum(np.rint(adults / mean_adults), 1).astype(np.int64)
    parts = -(-households // households_max)
    lsoa = np.repeat(np.arange(rows.height), parts)
    part = np.arange(lsoa.size) - np.repeat(np.cumsum(parts) - parts, parts)

    def share_out(total: np.ndarray) -> np.ndarray:  # an LSOA's total over its parts, as evenly as whole numbers allow
        return total[lsoa] // parts[lsoa] + (part < total[lsoa] % parts[lsoa])

    worst = all_lsoas.height  # ranks run from 1 (most deprived) to the number of LSOAs
    return _frozen(Town(
        households=share_out(households),
        adults=share_out(adults),
        share_65_84=(sixty * SHARE_OF_60_PLUS_65_84 / adults)[lsoa],
        share_85_plus=(sixty * SHARE_OF_60_PLUS_85_PLUS / adults)[lsoa],
        deprivation=(1 - (rank - 1) / (worst - 1))[lsoa],
        names=tuple(rows["lsoa"].gather(lsoa)),
    ))


@lru_cache(maxsize=16)
def _town_from_csv(path: str, mtime_ns: int, size: int, largest_household: int) -> Town:
    """The neighbourhoods of a CSV (schema :data:`CSV_COLUMNS`), each bad row refused in one line naming the
    row (1 = the first after the header), the column and what it must hold, as the rows are read: a file of more
    than :data:`MAX_ROWS` rows is refused at the first row too many. ``mtime_ns`` and ``size`` key the cache, so
    an edited file is read again."""
    where = f"area.csv={path!r}"
    table: dict[str, list] = {name: [] for name in CSV_COLUMNS}
    number = 0
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            _check_header(where, header)
            reader.fieldnames = header
            for number, row in enumerate(reader, start=1):
                if number > MAX_ROWS:
                    raise ConfigError(f"{where} has more than {MAX_ROWS:,} neighbourhoods (rows after the header); "
                                      f"allowed at most {MAX_ROWS:,}")
                for name, value in zip(CSV_COLUMNS, _csv_row(where, number, row, header, largest_household)):
                    table[name].append(value)
    except UnicodeDecodeError:
        raise ConfigError(f"{where} is not UTF-8 text; save it as CSV in UTF-8") from None
    except csv.Error as error:
        raise ConfigError(f"{where} row {number + 1}: not CSV ({error})") from None
    except OSError as error:
        raise ConfigError(f"{where} cannot be read ({error.strerror})") from None
    if not number:
        raise ConfigError(f"{where} has no neighbourhoods (no rows after the header)")
    return _frozen(Town(
        households=np.asarray(table["households"], dtype=np.int64),
        adults=np.asarray(table["adults"], dtype=np.int64),
        share_65_84=np.asarray(table["share_65_84"], dtype=np.float64),
        share_85_plus=np.asarray(table["share_85_plus"], dtype=np.float64),
        deprivation=np.asarray(table["deprivation"], dtype=np.float64),
        names=tuple(table["name"]),
    ))


def _check_header(where: str, header: list[str]) -> None:
    """Refuse a header with a column not in :data:`CSV_COLUMNS`, one missing, or one named twice."""
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if unknown:
        raise ConfigError(f"{where}: unknown column {unknown[0]!r}; allowed: {', '.join(CSV_COLUMNS)}")
    twice = [name for k, name in enumerate(header) if name in header[:k]]
    if twice:
        raise ConfigError(f"{where}: column {twice[0]!r} appears twice in the header; give each column once")
    missing = [name for name in CSV_COLUMNS if name not in header and name not in _OPTIONAL_COLUMNS]
    if missing:
        raise ConfigError(f"{where}: missing column {missing[0]!r} ({CSV_COLUMNS[missing[0]]})")


def _csv_row(where: str, number: int, row: dict, header: list[str], largest_household: int) -> tuple:
    """One row's households, adults, age shares, deprivation and name, each checked (:func:`_csv_number`)."""
    if None in row or None in row.values():
        more = "more" if None in row else "fewer"
        raise ConfigError(f"{where} row {number}: has {more} fields than the header ({', '.join(header)})")
    households = _csv_number(where, number, row, "households", whole=True, lo=1, hi=MAX_HOUSEHOLDS)
    adults = _csv_number(where, number, row, "adults", whole=True, lo=households, hi=households * largest_household)
    old = _csv_number(where, number, row, "share_65_84", whole=False, lo=0.0, hi=1.0)
    oldest = _csv_number(where, number, row, "share_85_plus", whole=False, lo=0.0, hi=1.0 - old)
    deprivation = _csv_number(where, number, row, "deprivation", whole=False, lo=0.0, hi=1.0)
    return households, adults, old, oldest, deprivation, (row.get("name") or "").strip() or f"row {number}"


def _csv_number(where: str, number: int, row: dict, column: str, whole: bool, lo: float, hi: float):
    """One cell of a CSV row as a number within [lo, hi], or a one-line error naming row, column and range."""
    text = (row.get(column) or "").strip()
    allowed = f"{'a whole number' if whole else 'a number'} from {lo:g} to {hi:g}"
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (whole and value != int(value)) or value < lo or value > hi:
        raise ConfigError(f"{where} row {number}, column {column}: {text!r} is not allowed; "
                          f"allowed: {allowed} ({CSV_COLUMNS[column]})")
    return int(value) if whole else value


def _frozen(town: Town) -> Town:
    for values in (town.households, town.adults, town.share_65_84, town.share_85_plus, town.deprivation):
        values.setflags(write=False)
    return town
