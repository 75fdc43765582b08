"""What the runs of a comparison vary over, and so what a band across them covers, in numbers and in words.

A run's replicate is its posterior member and its seed (``sweep.REPLICATE``).  Every band in the
report is across an arm's replicates, and every difference is paired replicate by replicate.  Over
several posterior members a band covers what is not known about the model's parameters and chance
together; over one member (or none: member -1, the calibrated median), chance alone.  The report and
``docs/validation.md`` say which, with the counts, from :func:`replicates`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .sweep import REPLICATE

# The fewest paired runs, and distinct parameter sets (posterior members) among them, behind a probability. Below
# 20 pairs one run moves the share by more than 0.05 and its sampling error at one half is more than 0.11
# (0.5 / sqrt(20)); with fewer than 10 parameter sets the share is mostly chance under a few values of the
# parameters the calibration leaves uncertain, so it says little about how sure the comparison is.
MIN_PAIRED_RUNS = 20
MIN_PARAMETER_SETS = 10


@dataclass(frozen=True)
class Replicates:
    """The posterior members and seeds a set of runs spans."""

    members: tuple[int, ...]  # posterior members (-1: not a member, the calibrated median)
    seeds: tuple[int, ...]
    runs: int  # distinct (member, seed) replicates

    @property
    def parameters(self) -> bool:
        """Whether the runs span more than one parameter set: then a band covers parameter uncertainty and
        chance together, else chance alone."""
        return len(self.members) > 1


def enough_for_probability(pairs: int, parameter_sets: int) -> bool:
    """Whether ``pairs`` paired runs over ``parameter_sets`` posterior members are enough to give a probability."""
    return pairs >= MIN_PAIRED_RUNS and parameter_sets >= MIN_PARAMETER_SETS


def replicates(runs: pl.DataFrame) -> Replicates:
    """The replicates of ``runs`` (any frame with the ``REPLICATE`` columns)."""
    return Replicates(members=tuple(sorted(set(runs["member"]))), seeds=tuple(sorted(set(runs["seed"]))),
                      runs=runs.select(REPLICATE).n_unique())


def count_text(rep: Replicates) -> str:
    """How many runs a band is across: ``25 posterior members x 2 seeds = 50 paired runs``, or
    ``10 seeds, all with the calibrated median parameters``."""
    seeds = f"{len(rep.seeds)} seed{'s' if len(rep.seeds) != 1 else ''}"
    if rep.parameters:
        members = f"{len(rep.members)} posterior members"
        if len(rep.members) * len(rep.seeds) == rep.runs:
            return f"{members} x {seeds} = {rep.runs} paired runs"
        return f"{rep.runs} paired runs over {members} and {seeds}"
    member = rep.members[0]
    return f"{seeds}, all with {'the calibrated median parameters' if member == -1 else f'posterior member {member}'}"


def coverage_text(rep: Replicates) -> str:
    """What a band across ``rep`` covers, in plain words."""
    if rep.parameters:
        return ("the bands cover both what is not known about the model's parameters (the spread of the posterior "
                "ensemble) and chance (which town, which life events)")
    return ("the bands show the spread chance alone gives (which town, which life events), not uncertainty in the "
            "model's parameters")
