"""How the report and the decision brief write numbers, places, levers and chances for leaders, written once.

Shares are shown in percent (their differences in percentage points), money in £ millions; a lever's
level reads as people say it (``strengths-based review``, ``community capacity 0.25``); a real area by its
name and code from the shipped lookup (``Calderdale (E08000033)``), never by its directory name.
"""

from __future__ import annotations

from functools import lru_cache

from model import area

from model.levers import BY_NAME

from .figures import label
from .replicates import MIN_PAIRED_RUNS, MIN_PARAMETER_SETS, enough_for_probability

# Number formats: kind -> (multiplier, decimals); a change is relative (``+14%``), a share's difference in points;
# money in £ millions, pounds in £.
KINDS = {"share": (100, 1), "change": (100, 0), "money": (1e-6, 2), "pounds": (1, 0), "count": (1, 0), "rate": (1, 1),
         "index": (1, 3)}


def number(value: float | None, kind: str, signed: bool = False, decimals: int | None = None) -> str:
    """A number as leaders read it; ``signed`` for differences (percentage points for shares)."""
    if value is None:
        return "–"
    scale, default = KINDS[kind]
    decimals = default if decimals is None else decimals
    shown = round(value * scale, decimals)  # the sign is that of the number shown, so no "-0.0"
    sign = "+" if signed and shown > 0 else ("−" if shown < 0 else "")
    text = f"{abs(shown):,.{decimals}f}"
    if kind == "share":
        return f"{sign}{text} pp" if signed else f"{text}%"
    if kind == "change":
        return f"{sign}{text}%"
    if kind == "pounds":
        return f"{sign}£{text}"
    return f"{sign}£{text}m" if kind == "money" else sign + text


@lru_cache(maxsize=1)
def _area_names() -> dict[str, str]:
    """Every district's and adult social care authority's code -> its name (``model.area``'s lookup)."""
    return {code: name for code, name, _ in area.authorities()}


def place_name(population: str) -> str:
    """A run's population for people: a generated town by its preset (``market_town`` -> ``Market town``), a real
    area by its name and code (``area-E08000033`` -> ``Calderdale (E08000033)``, a list of districts by all of
    theirs), a CSV of one's own neighbourhoods by its file (``area-my_hoods`` -> ``Your neighbourhoods (my_hoods)``);
    ``model.area.run_name`` names the runs so."""
    prefix = f"{area.AREA}-"
    if not population.startswith(prefix):
        return label(population)
    codes = population.removeprefix(prefix).split("+")
    names = _area_names()
    if all(code in names for code in codes):
        return f"{' and '.join(names[code] for code in codes)} ({', '.join(codes)})"
    return f"Your neighbourhoods ({population.removeprefix(prefix)})"


def place_phrase(population: str) -> str:
    """A place inside a sentence: ``the market town``, ``Calderdale (E08000033)``."""
    name = place_name(population)
    return f"the {name.lower()}" if name == label(population) else name


def level_text(lever: str, level) -> str:
    """A lever's level for people (``model.levers``): ``strengths_based`` -> ``strengths-based review``, 0.25 ->
    ``community capacity 0.25``; a policy by its name."""
    return label(level) if lever == "policy" else BY_NAME[lever].level(level)


def probability(cost: dict) -> float | None:
    """The probability that an arm costs less than the status quo, from its ``cost_total`` row of
    ``tables.summary_table``: the share of paired runs in which it does, or None where the pairs are too few to
    give one (``replicates.enough_for_probability``)."""
    if not enough_for_probability(cost["paired"] or 0, cost["paired_members"] or 0):
        return None
    return cost["lower"] / cost["paired"]


def counted_text(cost: dict) -> str:
    """``in 3 of 4 paired runs``: how many pairs of an arm's ``cost_total`` row cost less than the status quo."""
    return f"in {cost['lower']} of {cost['paired']} paired runs"


def chance_text(cost: dict) -> str:
    """How often an arm costs less than the status quo, from its ``cost_total`` row of ``tables.summary_table``:
    ``in 48 of 50 paired runs: probability 0.96``, or, below the minimum, ``in 2 of 2 paired runs: too few to give
    a probability (...)``; empty when nothing is paired."""
    if not cost["paired"]:
        return ""
    counted = counted_text(cost)
    chance = probability(cost)
    if chance is not None:
        return f"{counted}: probability {chance:.2f}"
    sets = cost["paired_members"]
    return (f"{counted}: too few runs to give a probability (one needs at least {MIN_PAIRED_RUNS} paired runs over "
            f"{MIN_PARAMETER_SETS} parameter sets; these are {cost['paired']} over {sets} parameter "
            f"set{'s' if sets != 1 else ''})")
