"""Where the numbers of a brief and a report come from, so a page shared on its own still says it.

When it was written, the model revision(s) the runs were made at, each place with its adults, the runs and
what they span (parameter sets and seeds), the warm-up and the weeks under each policy, and the price base
of every £.  The brief (``analysis.brief``, and so its PDF and the app) lists them under the decision; the
report (``analysis.report``) in its footer, with the package versions and the sweep's directory.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import yaml

from model.outputs import CONFIG

from .figures import label
from .replicates import Replicates, replicates
from .sweep import LEVERS, Sweep
from .tables import PLACE
from .wording import place_name

PRICE_BASE = "2024 prices"  # the unit costs' price base, as model.phases.costs.CostsPars declares it (a test checks)


@dataclass(frozen=True)
class Setting:
    """One place of a sweep: its adults (mean over its runs' weeks) and the weeks its runs were run for."""

    population: str
    scenario: str
    adults: float
    warmup_weeks: tuple[int, ...]  # every warm-up length among its runs (one, in a sweep of one config)
    weeks: tuple[int, ...]  # every number of policy weeks among its runs

    @property
    def warmup_text(self) -> str:
        """``416 weeks`` (``0 or 52 weeks`` if its runs differ)."""
        return f"{' or '.join(map(str, self.warmup_weeks))} week{'s' if self.warmup_weeks != (1,) else ''}"


@dataclass(frozen=True)
class Provenance:
    written: datetime
    revisions: tuple[tuple[str, int], ...]  # (git revision, runs made at it), most runs first
    runs: int
    arms: int  # policies (with their levers) run
    replicates: Replicates
    places: tuple[Setting, ...]

    def setting(self, population: str, scenario: str) -> Setting:
        return next(s for s in self.places if (s.population, s.scenario) == (population, scenario))


def provenance(sweep: Sweep) -> Provenance:
    """The provenance of ``sweep``'s usable runs (reads each run's ``config.yaml`` and the weekly tables' adults)."""
    metadata = sweep.metadata
    configs = pl.DataFrame([{"population": population, "scenario": scenario, **_weeks(Path(run))}
                            for population, scenario, run in metadata.select(*PLACE, "run_dir").iter_rows()])
    adults = sweep.scan("steps").group_by(PLACE).agg(pl.col("residents").mean().alias("adults")).collect()
    places = []
    for population, scenario in metadata.select(PLACE).unique(maintain_order=True).rows():
        mine = configs.filter(pl.col("population") == population, pl.col("scenario") == scenario)
        found = adults.filter(pl.col("population") == population, pl.col("scenario") == scenario)["adults"]
        places.append(Setting(population, scenario, float(found[0]) if found.len() else 0.0,
                              tuple(sorted(set(mine["warmup_weeks"]))), tuple(sorted(set(mine["weeks"])))))
    revisions = metadata.group_by("git_revision").len().sort(["len", "git_revision"], descending=[True, False])
    return Provenance(datetime.now(timezone.utc), tuple(revisions.rows()), metadata.height,
                      metadata.select("policy", *LEVERS).n_unique(), replicates(metadata), tuple(places))


def _weeks(run: Path) -> dict[str, int]:
    config = yaml.load((run / CONFIG).read_text(), Loader=yaml.CSafeLoader)
    return {"warmup_weeks": int(config["warmup_weeks"]), "weeks": int(config["weeks"])}


def short_revision(revision: str) -> str:
    """A git revision as people quote it: its first 12 characters, ``-dirty`` kept."""
    return revision[:12] + ("-dirty" if revision.endswith("-dirty") else "")


def _numbers(values: tuple[int, ...]) -> str:
    """``0-24`` for a run of consecutive numbers, else listed: ``0, 1``, ``3, 7``."""
    if len(values) > 2 and values[-1] - values[0] == len(values) - 1:
        return f"{values[0]}-{values[-1]}"
    return ", ".join(map(str, values))


def parameter_sets_text(rep: Replicates) -> str:
    """``25 parameter sets (posterior members 0-24)`` or ``1 parameter set (the calibrated median)``."""
    if rep.members == (-1,):
        return "1 parameter set (the calibrated median)"
    count = len(rep.members)
    return f"{count} parameter set{'s' if count != 1 else ''} (posterior member{'s' if count != 1 else ''} " \
           f"{_numbers(rep.members)})"


def items(found: Provenance) -> list[str]:
    """The provenance as HTML list items (escaped), shortest first."""
    revisions = "; ".join(f"<code>{html.escape(short_revision(r))}</code> ({n} run{'s' if n != 1 else ''})"
                          for r, n in found.revisions)
    seeds = len(found.replicates.seeds)
    places = [f"{html.escape(place_name(s.population))}, {html.escape(label(s.scenario).lower())} scenario: about "
              f"{s.adults:,.0f} adults; {html.escape(s.warmup_text)} of warm-up under the status quo, then "
              f"{' or '.join(map(str, s.weeks))} weeks under each policy" for s in found.places]
    return [
        f"Written {found.written:%Y-%m-%d %H:%M} UTC; model revision {revisions}.",
        *[f"{place}." for place in places],
        f"{found.runs} runs: {found.arms} polic{'ies' if found.arms != 1 else 'y'} x "
        f"{html.escape(parameter_sets_text(found.replicates))} x {seeds} seed{'s' if seeds != 1 else ''} "
        f"({_numbers(found.replicates.seeds)}).",
        f"Every £ is at {PRICE_BASE} (the unit costs in <code>configs/config.yaml</code>), not discounted; "
        "a year is 52 weeks.",
    ]
