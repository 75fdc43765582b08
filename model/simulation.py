"""The Mesa model: each week runs the phases in a declared order, then records.

A run starts with ``warmup_weeks`` under the service-first status quo (so
caseloads, queues and dependency exist when the policy changes), then runs
``weeks`` under the chosen policy and scenario.  Only the policy weeks are
recorded.  The warm-up uses the same draws whatever the policy, so every policy
starts from the identical town: common random numbers.  So runs can share it: a model restored
from the end of another's warm-up (``model/checkpoint.py``) runs only its policy weeks.

Each phase (``model/<mechanism>.py``) allocates what it owns and binds its kernels in its
constructor, and has ``step(model, week)`` and ``measures(model, week)``; ``docs/architecture.md``
shows how a week flows through them and how to add one.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import mesa
import polars as pl

from .builders import Builders
from .community import Community
from .costs import Costs
from .frontdoor import FrontDoor
from .life import Life
from .params import Params, kernel_view
from .population import build_population
from .recorder import Recorder
from .rng import run_key
from .services import ServiceEffects
from .support import Support
from .ties import TieDynamics
from .week import Week, practice_share, scenario_effects
from .wellbeing import Wellbeing

# The phases in the order they run each week: (attribute, class).
PHASES = (
    ("life", Life),
    ("services", ServiceEffects),
    ("community", Community),
    ("builders", Builders),
    ("ties", TieDynamics),
    ("support", Support),
    ("wellbeing", Wellbeing),
    ("front_door", FrontDoor),
    ("costs", Costs),
)
# Parameter sections kernels take as scalar views, under their argument names.
_VIEWS = {"needs": "needs", "net": "network", "sup": "support", "comm": "community", "svc": "services",
          "wb": "wellbeing", "pop": "population", "bld": "builders"}


@dataclass
class Results:
    """What a run produces: the per-step and per-neighbourhood tables."""

    steps: pl.DataFrame
    neighbourhoods: pl.DataFrame


class ResilienceModel(mesa.Model):
    """Residents of a town, their networks and groups, and the council's front door.

    ``sources`` maps every kernel argument name a phase may bind to its array or view: the state's
    arrays (``State.arrays``), the run key and the scalar parameter views.  With ``profile=True``
    the seconds each phase takes are summed in ``phase_seconds``.
    """

    def __init__(self, params: Params, hood_every: int = 13, profile: bool = False):
        super().__init__(seed=params.seed)
        self.params = params
        self.key = run_key(params.seed)
        self.state = build_population(params)
        self.clock = 0  # weeks since the warm-up began; keys every draw
        self.sources = {**self.state.arrays(), "key": self.key,
                        **{name: kernel_view(getattr(params, section)) for name, section in _VIEWS.items()}}
        self._status_quo = kernel_view(params.warmup_policy), kernel_view(params.warmup_policy.review)
        self._policy = kernel_view(params.policy), kernel_view(params.policy.review)
        for name, phase in PHASES:
            setattr(self, name, phase(self))
        self.phases = tuple(getattr(self, name) for name, _ in PHASES)
        self.recorder = Recorder(hood_every, {**self.sources, "contacted": self.front_door.contacted,
                                              "since_last": self.front_door.since_last,
                                              "review_requested": self.front_door.review_requested,
                                              "breaking": self.wellbeing.breaking},
                                 params.support.unmet_threshold, self.state.hoods.households.size)
        self.phase_seconds = defaultdict(float) if profile else None

    @property
    def week(self) -> int:
        """Weeks since the policy started (negative during the warm-up)."""
        return self.clock - self.params.warmup_weeks

    def this_week(self) -> Week:
        """The week's context: clock, policy in force and scenario multipliers."""
        policy_on = self.week >= 0
        policy, review = self._policy if policy_on else self._status_quo
        return Week(clock=self.clock, week=self.week, policy_on=policy_on, policy=policy, review=review,
                    community_first=policy_on and self.params.policy.mode == "community_first",
                    practice_share=practice_share(self.params.policy, self.week),
                    scenario=scenario_effects(self.params.scenario, self.week))

    def step(self) -> None:
        """One week: every phase in order, then (in policy weeks) the residents' sums, the phases' measures
        and the week's row."""
        week = self.this_week()
        for (name, _), phase in zip(PHASES, self.phases):
            if self.phase_seconds is None:
                phase.step(self, week)
            else:
                started = time.perf_counter()
                phase.step(self, week)
                self.phase_seconds[name] += time.perf_counter() - started
        if week.policy_on:
            self.recorder.sum_residents()
            measures = {}
            for phase in self.phases:
                measures.update(phase.measures(self, week))
            self.recorder.record(week.week, measures, self.community.groups_per_hood())
        self.clock += 1

    def warm_up(self) -> None:
        """Run the warm-up weeks not yet run (none in a model restored from a checkpoint)."""
        while self.clock < self.params.warmup_weeks:
            self.step()

    def run(self) -> Results:
        """Run the weeks not yet run (the warm-up, unless it was restored, then the policy weeks); return the tables."""
        while self.clock < self.params.warmup_weeks + self.params.weeks:
            self.step()
        return Results(self.recorder.steps_frame(), self.recorder.hoods_frame(self.state.hoods.deprivation))


def simulate(params: Params) -> Results:
    """Build and run one model."""
    return ResilienceModel(params).run()
