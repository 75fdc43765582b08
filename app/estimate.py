"""How long a running sweep has left: a first estimate from the town's size before any run has finished, then
the runs' own measured times.

A run's time is, to a first approximation, building its town plus its simulated weeks times its adults.  Each
run of a replicate (a parameter set and a seed) that is not the first to need a warm-up restores it (``experiments
.warmups``) and simulates only its policy weeks; a lever of the town rather than of the policy (community capacity)
changes the warm-up, so each of its values has its own.  The first estimate prices the weeks at
``ADULT_WEEKS_A_SECOND`` and the building at ``SECONDS_AN_ADULT`` (measured on this project's 2-core machine, below);
once runs have finished, every estimate is scaled by how long the finished runs took against what the same
estimate gave them (their ``seconds`` in ``metadata.json``, and whether they simulated their warm-up), so the time
left follows the machine the sweep runs on, its load and the area.  The run being simulated counts with what it
still needs: its estimate less the time since the run before it ended (or the worker started, which takes
``STARTING_SECONDS`` more).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from model.levers import BY_NAME

from .plan import Plan
from .sweeps import Progress

# Measured with the app's worker (numba on 2 threads, the 2 shared cores of benchmarks/results.md): a run of the market
# town (19,845 adults) took 3.5 s with its 416-week warm-up and 260 policy weeks and 1.4 s restoring the warm-up;
# Calderdale (167,191 adults) 27.5 s and 10.6 s: about 4 million adult-weeks a second.  Building Birmingham's town
# (858,138 adults) takes about 3 s (README, "Your own area").
ADULT_WEEKS_A_SECOND = 4.0e6
SECONDS_AN_ADULT = 3.5e-6
SECONDS_A_RUN = 0.5  # reading the config, writing the tables
STARTING_SECONDS = 3.0  # the worker's start (imports, the compiled kernels loaded), before its first run


@dataclass(frozen=True)
class Estimate:
    """The time left, and how it was derived (one line for people)."""

    seconds: float
    basis: str
    overdue: bool = False  # the run being simulated has already taken longer than its estimate

    @property
    def text(self) -> str:
        """``About 4 min left (from the 3 runs done: 42 s a run on average).``"""
        left = "Under a minute" if self.seconds < 60 else f"About {_duration(self.seconds)}"
        late = "; the run under way has taken longer than that already" if self.overdue else ""
        return f"{left} left ({self.basis}{late})."


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def simulates_warmup(plan: Plan) -> list[bool]:
    """For each run of ``plan`` (``Plan.runs``), whether it is the first of its warm-up: the first of its replicate,
    or of its value of a varied lever of the town (a lever whose setting is outside ``policy``)."""
    town_lever = plan.lever is not None and BY_NAME[plan.lever].path[0] != "policy"
    seen, first = set(), []
    for run in plan.runs(""):
        warmup = (run.posterior, run.seed, plan.cells[run.cell].value if town_lever else None)
        first.append(warmup not in seen)
        seen.add(warmup)
    return first


def first_estimate(plan: Plan, simulated_warmup: bool) -> float | None:
    """The seconds one run of ``plan`` should take before any has been timed, or None for a plan stored without its
    town's adults."""
    if plan.adults is None:
        return None
    weeks = plan.weeks + (plan.warmup_weeks if simulated_warmup else 0)
    return SECONDS_A_RUN + plan.adults * SECONDS_AN_ADULT + plan.adults * weeks / ADULT_WEEKS_A_SECOND


def time_left(progress: Progress, now: float | None = None) -> Estimate | None:
    """The time the runs of a running sweep still need (None once none is left, or for a plan stored without its
    adults before any run has been timed)."""
    plan, now = progress.plan, time.time() if now is None else now
    first = simulates_warmup(plan)
    left = [k for k in range(len(first)) if k not in progress.ended]
    if not left:
        return None
    weights = [first_estimate(plan, warmup) for warmup in first]
    timed = [t for t in progress.timings if t.seconds > 0]
    if timed:
        if weights[0] is None:  # no first estimate: every run alike
            weights = [1.0] * len(first)
        expected = sum(first_estimate(plan, t.simulated_warmup) or 1.0 for t in timed)
        scale = sum(t.seconds for t in timed) / expected
        basis = (f"from the {len(timed)} run{'s' if len(timed) > 1 else ''} done: "
                 f"{sum(t.seconds for t in timed) / len(timed):.0f} s a run on average")
    elif weights[0] is not None:
        scale = 1.0
        basis = (f"a first estimate, before any run has finished: {plan.adults:,.0f} adults, {sum(first)} warm-up"
                 f"{'s' if sum(first) > 1 else ''} of {plan.warmup_weeks} weeks and {len(first)} runs of {plan.weeks} "
                 f"weeks under a policy, at about {ADULT_WEEKS_A_SECOND / 1e6:g} million adult-weeks a second")
    else:
        return None
    current = scale * weights[left[0]] + (0.0 if progress.ended else STARTING_SECONDS)
    elapsed = max(now - progress.since, 0.0) if progress.since is not None else 0.0
    rest = scale * sum(weights[k] for k in left[1:])
    return Estimate(max(current - elapsed, 0.0) + rest, basis, overdue=elapsed > current)
