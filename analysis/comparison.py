"""What one place's runs compare: its arms, their names, the status quo each is set against, and a factorial.

An arm is a policy and the levels of the levers (``sweep.LEVERS``) the policies do not fix; a sweep that
runs one policy at several community capacities, say, has an arm per capacity.  The report's sections
and the decision brief (``analysis.brief``) both read a place through :func:`compare`, so the two name
the same arms and set them against the same status quo.  A 2-level factorial (the ``decomposition``
preset) is recognised by :func:`find_design`; its place is then shown by the main job's two arms.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from model.levers import CONTEXT_LEVERS, RUN_LEVERS

from . import replicates, tables
from .figures import label
from .replicates import Replicates
from .sweep import LEVERS, REPLICATE
from .wording import level_text

# The levers of a decomposition (``analysis.decomposition``), each with its status-quo level, in the order shown.
FACTORIAL = {"policy": tables.BASELINE_POLICY, **{lever.name: lever.status_quo for lever in RUN_LEVERS}}


@dataclass(frozen=True)
class Design:
    """A 2-level factorial found in the runs of one place."""

    levels: dict  # lever -> (status-quo level, other level), the levers it varies, in FACTORIAL order
    held: dict  # lever -> its one level, the levers it does not vary
    cells: pl.DataFrame  # the runs of its cells (RUN_KEYS and the measures asked for), on the replicates with every cell
    replicates: Replicates  # those replicates (posterior members x seeds)
    incomplete: tuple[tuple[int, int], ...]  # (member, seed) replicates lacking a cell: left out of the decomposition
    extra: tuple[str, ...]  # levers run at more than two levels: held at the status quo's

    @property
    def start(self) -> dict:
        """The main job's status-quo arm: every lever at the status quo's level."""
        return {k: self.levels[k][0] if k in self.levels else self.held[k] for k in FACTORIAL}

    @property
    def end(self) -> dict:
        """The main job's other arm: the other front door with its review practice, the community as in ``start``."""
        return {**self.start, "policy": self.levels["policy"][1], "review": self.levels["review"][1]}

    @property
    def arms(self) -> int:
        return 2 ** len(self.levels)


def find_design(runs: pl.DataFrame) -> Design | None:
    """The factorial in ``runs`` (one place's runs), if the front door and review practice are each run at two
    levels, one the status quo's, in every combination (with those of community capacity and builders) on at
    least one replicate (posterior member and seed); otherwise None."""
    levels, held, extra = {}, {}, []
    for lever, reference in FACTORIAL.items():
        found = sorted(set(runs[lever].to_list()))
        others = [level for level in found if level != reference]
        if reference not in found:
            if len(found) != 1:
                return None
            held[lever] = found[0]
        elif len(others) == 1:
            levels[lever] = (reference, others[0])
        else:
            held[lever] = reference
            extra += [lever] if others else []
    if not {"policy", "review"} <= levels.keys():
        return None
    cells = runs.filter(*[pl.col(k).is_in(list(v)) for k, v in levels.items()], *[pl.col(k) == v for k, v in held.items()])
    per_replicate = cells.group_by(REPLICATE).agg(pl.struct(*FACTORIAL).n_unique().alias("cells"))
    complete = per_replicate.filter(pl.col("cells") == 2 ** len(levels)).select(REPLICATE)
    if complete.is_empty():
        return None
    incomplete = sorted(per_replicate.join(complete, on=REPLICATE, how="anti").select(REPLICATE).rows())
    kept = cells.join(complete, on=REPLICATE, how="semi")
    return Design(levels, held, kept, replicates.replicates(kept), tuple(incomplete), tuple(extra))


@dataclass(frozen=True)
class Comparison:
    """One place's arms as the report and the brief show them."""

    population: str
    scenario: str
    design: Design | None  # a factorial: only the main job's two arms are shown
    main: pl.DataFrame | None  # the lever levels of those two arms (one row each), to keep only them
    varying: tuple[str, ...]  # levers the policies do not fix: each of their levels is an arm of its own
    names: dict[str, str]  # arm -> its name for people (``Community first, community capacity 0.25``)
    baselines: tuple[str, ...]  # the status quo's arms
    arms: tuple[str, ...]  # every arm shown, the status quo's first
    versus: str  # what the other arms are compared with, for a sentence (``service first``)
    summary: pl.DataFrame  # ``tables.summary_table`` of the arms shown, with their ``arm``
    replicates: Replicates  # what the place's runs span

    @property
    def others(self) -> tuple[str, ...]:
        """The arms set against the status quo."""
        return tuple(a for a in self.arms if a not in self.baselines)

    def of_arms(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` (a table of ``analysis.tables`` for this place) with only the arms shown, each with its ``arm``."""
        if self.main is not None:
            frame = frame.join(self.main, on=list(self.main.columns), how="semi")
        return with_arm(frame, self.varying)


def with_arm(frame: pl.DataFrame, varying: tuple[str, ...]) -> pl.DataFrame:
    """``frame`` with ``arm``: the policy, and the level of each lever in ``varying`` (levers the policy does not fix)."""
    parts = [pl.col("policy")] + [e for k in varying for e in (pl.lit(f"|{k}="), pl.col(k).cast(pl.String))]
    return frame.with_columns(pl.concat_str(parts).alias("arm"))


def compare(population: str, scenario: str, runs: pl.DataFrame, summary: pl.DataFrame) -> Comparison:
    """The comparison in one place from its ``runs`` (one row per run: ``RUN_KEYS`` and any measures) and its
    rows of ``tables.summary_table``."""
    design = find_design(runs)
    main = (pl.DataFrame([design.start, design.end], schema={k: runs.schema[k] for k in design.start})
            if design is not None else None)
    if main is not None:
        summary = summary.join(main, on=list(main.columns), how="semi")
    varying = tuple(k for k in LEVERS if summary.group_by("policy").agg(pl.col(k).n_unique())[k].max() > 1)
    summary = with_arm(summary, varying)
    names = {row["arm"]: ", ".join([label(row["policy"]), *[level_text(k, row[k]) for k in varying]])
             for row in summary.unique("arm", maintain_order=True).iter_rows(named=True)}
    baselines = tuple(sorted(set(summary.filter(pl.col("is_baseline"))["arm"])))
    arms = tuple(sorted(names, key=lambda a: (a not in baselines, a)))
    matched = [lever for lever in CONTEXT_LEVERS if summary.filter(pl.col("is_baseline"))[lever.name].n_unique() > 1]
    versus = (names[baselines[0]].lower() if len(baselines) == 1 else
              f"{label(tables.BASELINE_POLICY).lower()} at the same "
              f"{' and '.join(lever.label for lever in matched)}" if matched else label(tables.BASELINE_POLICY).lower())
    return Comparison(population, scenario, design, main, varying, names, baselines, arms, versus, summary,
                      replicates.replicates(runs))
