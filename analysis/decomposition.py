"""Where a difference comes from: the exact decomposition of a difference between two cells of a 2-level factorial.

A factorial sweep runs every combination of a few levers (front door, review practice, community
capacity, community builders), each at two levels, on the same replicates (posterior members x seeds).
Between two of its cells, a ``start`` (the status quo, say) and an ``end`` (the community-first arm), the
levers that differ are ``D``; for a set ``T`` of them, ``f(T)`` is the outcome with the levers in ``T`` at
their ``end`` level and every other lever at its ``start`` level, so the difference to explain is
``f(D) - f({})``.

Two standard decompositions of it are exact (their parts add up to the difference, with no residual):

* **Effects and interactions** (the factorial, or Möbius, decomposition around ``start``): for every
  non-empty ``S`` in ``D``, ``term(S) = sum over T in S of (-1)**(|S| - |T|) * f(T)``.  ``term({i})`` is
  lever ``i`` switched alone; ``term({i, j})`` is what switching both adds beyond the two alone (their
  interaction), and so on.  The terms add up to ``f(D) - f({})`` (inclusion-exclusion).
* **Shapley contributions**: ``phi(i) = sum over S in D containing i of term(S) / |S|``, which equals
  the average over all orders of switching the levers one by one of the effect lever ``i`` has when
  its turn comes.  Each interaction is shared equally among the levers in it, so the contributions add
  up exactly to ``f(D) - f({})`` whatever the interactions, and a lever's contribution does not depend
  on which lever one thinks of as coming first.  A lever that is the same in both cells contributes
  nothing (it is held at its level).

Both are linear in ``f``, so they are computed replicate by replicate (``by``, ``REPLICATE`` by default): a
seed is one town and one sequence of life events, and a posterior member one set of parameters, shared by
every cell (common random numbers), so the spread of a part across replicates is the spread chance gives
it over one member, and parameter uncertainty and chance together over several.  The mean across
replicates of a part is the part of the mean.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from . import tables
from .sweep import REPLICATE

TOTAL, ALONE, INTERACTION, SHAPLEY = "total", "alone", "interaction", "shapley"  # the kinds of part
JOIN = " × "  # the levers of an interaction, in their order in ``levers``


def _subsets(levers: Sequence[str]) -> list[tuple[str, ...]]:
    return [combo for size in range(len(levers) + 1) for combo in itertools.combinations(levers, size)]


def _sum(exprs) -> pl.Expr:
    """The sum of expressions, null if any is null (``pl.sum_horizontal`` would skip nulls)."""
    return functools.reduce(operator.add, exprs)


def _corners(cells: pl.DataFrame, levers: Sequence[str], start: Mapping[str, Any], end: Mapping[str, Any],
             values: Sequence[str], by: list[str]) -> tuple[list[str], pl.DataFrame]:
    """The levers that differ, and one row per ``by`` group with ``value@k`` for every corner ``k`` (a subset of
    them, numbered as in ``_subsets``); groups lacking a corner are left out."""
    unknown = [lever for lever in levers if lever not in start or lever not in end]
    if unknown:
        raise ValueError(f"start and end must give every lever a level; missing: {', '.join(unknown)}")
    differing = [lever for lever in levers if start[lever] != end[lever]]
    wide = None
    for k, switched in enumerate(_subsets(differing)):
        setting = {lever: end[lever] if lever in switched else start[lever] for lever in levers}
        corner = cells.filter(*[pl.col(lever) == level for lever, level in setting.items()]).select(*by, *values)
        if corner.select(by).is_duplicated().any():
            raise ValueError(f"more than one row for the cell {setting} and the same {', '.join(by)}")
        corner = corner.rename({v: f"{v}@{k}" for v in values})
        wide = corner if wide is None else wide.join(corner, on=by, how="inner", maintain_order="left")
    return differing, wide


def decompose(cells: pl.DataFrame, levers: Sequence[str], start: Mapping[str, Any], end: Mapping[str, Any],
              values: Sequence[str], by: Sequence[str] = REPLICATE) -> pl.DataFrame:
    """The exact decomposition of ``end`` minus ``start``, per ``by`` group (replicate), for every column in ``values``.

    ``cells`` has a column per lever (its level), the ``by`` columns and the ``values``, one row per
    cell and group; ``start`` and ``end`` give every lever its level in the two cells compared.  Returns
    ``by``, ``kind``, ``part``, ``order`` and the ``values``, in this order of kinds:

    * ``total``: ``f(end) - f(start)`` (part ``total``, order 0);
    * ``alone``: each differing lever switched alone from ``start`` (part = the lever, order 1);
    * ``interaction``: for each set of two or more differing levers, what switching them together adds
      beyond their lower-order terms (part = the levers joined by ``JOIN``, order = how many);
    * ``shapley``: each differing lever's Shapley contribution (part = the lever, order 1).

    The ``alone`` and ``interaction`` rows add up to the total, and so do the ``shapley`` rows (exactly,
    up to floating-point rounding).  Groups that lack any cell needed are left out: the caller counts
    the groups returned.  See the module docstring for the formulas.
    """
    by, values = list(by), list(values)
    if not by:
        raise ValueError("by: name at least one column that pairs the cells (the member and seed)")
    differing, wide = _corners(cells, levers, start, end, values, by)
    subsets = _subsets(differing)
    index = {frozenset(s): k for k, s in enumerate(subsets)}

    def term(subset: tuple[str, ...], value: str) -> pl.Expr:  # Möbius inversion around start
        return _sum(((-1) ** (len(subset) - len(t))) * pl.col(f"{value}@{index[frozenset(t)]}")
                    for t in _subsets(subset))

    def rows(kind: str, part: str, order: int, exprs: list[pl.Expr]) -> pl.DataFrame:
        return wide.select(*by, pl.lit(kind).alias("kind"), pl.lit(part).alias("part"),
                           pl.lit(order, dtype=pl.Int64).alias("order"), *exprs)

    full = index[frozenset(differing)]
    parts = [rows(TOTAL, TOTAL, 0, [(pl.col(f"{v}@{full}") - pl.col(f"{v}@0")).alias(v) for v in values])]
    parts += [rows(ALONE, lever, 1, [term((lever,), v).alias(v) for v in values]) for lever in differing]
    parts += [rows(INTERACTION, JOIN.join(s), len(s), [term(s, v).alias(v) for v in values])
              for s in subsets if len(s) >= 2]
    parts += [rows(SHAPLEY, lever, 1, [_sum(term(s, v) / len(s) for s in subsets if lever in s).alias(v)
                                       for v in values]) for lever in differing]
    return pl.concat(parts, how="vertical").sort(*by, maintain_order=True)


def lever_effects(cells: pl.DataFrame, levels: Mapping[str, tuple[Any, Any]], values: Sequence[str],
                  by: Sequence[str] = REPLICATE) -> pl.DataFrame:
    """The effect of switching each lever from its first level to its second, at every setting of the others.

    ``levels`` maps each lever (a column of ``cells``) to its (reference, alternative) levels.  Returns
    ``by``, ``lever`` (the lever switched), a column per lever giving the setting of the others (the
    switched lever's own column is null), and the ``values``: the paired difference, cell with the
    lever at its alternative minus cell with it at its reference, per ``by`` group.
    """
    levers = list(levels)
    frames = []
    for lever in levers:
        others = [other for other in levers if other != lever]
        for setting in itertools.product(*[levels[other] for other in others]):
            at = dict(zip(others, setting))
            total = decompose(cells, levers, {**at, lever: levels[lever][0]}, {**at, lever: levels[lever][1]},
                              values, by).filter(pl.col("kind") == TOTAL)
            frames.append(total.select(*by, pl.lit(lever).alias("lever"),
                                       *[pl.lit(at.get(other), dtype=cells.schema[other]).alias(other) for other in levers],
                                       *values))
    return pl.concat(frames, how="vertical")


def band(parts: pl.DataFrame, keys: Sequence[str], values: Sequence[str]) -> pl.DataFrame:
    """Long table over the replicates of ``parts``: ``keys``, measure, and the report's band (``tables.band``:
    mean, p10, p90, runs)."""
    return (parts.unpivot(index=list(keys), on=list(values), variable_name="measure")
            .group_by(*keys, "measure", maintain_order=True)
            .agg(tables.band()))
