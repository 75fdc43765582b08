"""How the report and the decision brief write numbers, levers and chances for leaders, written once.

Shares are shown in percent (their differences in percentage points), money in £ millions; a lever's
level reads as people say it (``strengths-based review``, ``community capacity 0.25``).
"""

from __future__ import annotations

from pathlib import Path

from model.levers import BY_NAME

from .figures import label

# Number formats: kind -> (multiplier, decimals).
KINDS = {"share": (100, 1), "money": (1e-6, 2), "count": (1, 0), "rate": (1, 1), "index": (1, 3)}


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
    return f"{sign}£{text}m" if kind == "money" else sign + text


def sweep_title(root: Path) -> str:
    """The title of a sweep's report and brief, from its directory: ``Front-door policies compared: Policy comparison``."""
    return f"Front-door policies compared: {label(Path(root).resolve().name)}"


def level_text(lever: str, level) -> str:
    """A lever's level for people (``model.levers``): ``strengths_based`` -> ``strengths-based review``, 0.25 ->
    ``community capacity 0.25``; a policy by its name."""
    return label(level) if lever == "policy" else BY_NAME[lever].level(level)


def chance_text(cost: dict) -> str:
    """How often an arm costs less than the status quo, from its ``cost_total`` row of
    ``tables.summary_table``: ``in 3 of 4 paired runs: probability 0.75`` (empty when nothing is paired)."""
    if not cost["paired"]:
        return ""
    return f"in {cost['lower']} of {cost['paired']} paired runs: probability {cost['lower'] / cost['paired']:.2f}"
