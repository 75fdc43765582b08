"""The Mesa model: each week runs its components in the week's order, then records.

A run starts with ``warmup_weeks`` under the service-first status quo (so caseloads, queues and dependency
exist when the policy changes), then runs ``weeks`` under the chosen policy and scenario.  Only the policy
weeks are recorded.  The warm-up uses the same draws whatever the policy, so every policy starts from the
identical town: common random numbers.  So runs can share it: a model restored from the end of another's
warm-up (``model/checkpoint.py``) runs only its policy weeks.

The components (``model/components.py``: the phases, and the programmes the policy or the status quo runs)
declare the arrays they own, from which the state is assembled; each then allocates what it keeps beside the
state and binds its kernels, programmes first, so that the phases can take what programmes offer them (a
conversation's connection).  ``docs/architecture.md`` shows how a week flows through them and how to add one.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import mesa
import numpy as np
import polars as pl

from .components import COMMUNITY_PROGRAMMES, PROGRAMMES, STEPS, Params, week_order
from .params import kernel_view
from .population import build_population
from .recorder import Recorder
from .rng import run_key
from .schema import cost_total, zeros
from .state import State
from .week import Week, practice_share, scenario_effects

# Parameter sections kernels take as scalar views, under their argument names.
_VIEWS = {"needs_pars": "needs", "hospital_pars": "hospital", "network_pars": "network", "support_pars": "support",
          "community_pars": "community", "services_pars": "services", "wellbeing_pars": "wellbeing",
          "population_pars": "population"}


@dataclass
class Results:
    """What a run produces: the per-step and per-neighbourhood tables."""

    steps: pl.DataFrame
    neighbourhoods: pl.DataFrame


class ResilienceModel(mesa.Model):
    """Residents of a town, their networks and groups, and the council's front door.

    ``components`` are the model's components in the week's order (each also an attribute under its
    name); ``programmes`` those a policy runs here.  ``sources`` maps every kernel argument name a component
    may bind to its array or view: the state's arrays (``State.arrays``), the run key and the scalar
    parameter views.  With ``profile=True`` the seconds each component's step takes are summed in
    ``phase_seconds``.
    """

    def __init__(self, params: Params, hood_every: int = 13, profile: bool = False):
        super().__init__(seed=params.seed)
        self.params = params
        self.key = run_key(params.seed)
        self.week = 0  # weeks since the run began; keys every draw
        running = {name for policy in (params.policy, params.warmup_policy) for name in policy.programmes}
        programmes = tuple(p for p in PROGRAMMES if p.name in running) + COMMUNITY_PROGRAMMES
        order = week_order(programmes)
        self.state = State.assemble((a for c in order for a in c.arrays), build_population(params))
        self.sources = {**self.state.arrays(), "key": self.key,
                        **{name: kernel_view(getattr(params, section)) for name, section in _VIEWS.items()}}
        self._status_quo = kernel_view(params.warmup_policy), kernel_view(params.warmup_policy.review)
        self._policy = kernel_view(params.policy), kernel_view(params.policy.review)
        self.programmes = tuple(c(self) for c in programmes)  # first, so the phases can take what they offer
        built = {type(c): c for c in self.programmes}
        self.components = tuple(built[c] if c in built else c(self) for c in order)
        for component in self.components:
            setattr(self, component.name, component)
        idle = [c for c in PROGRAMMES if c not in programmes]
        self._idle = zeros(column for c in idle for column in c.results)
        self.recorder = Recorder(hood_every, self.sources, params.support.unmet_threshold,
                                 self.state.hoods.households.size, STEPS)
        self.phase_seconds = defaultdict(float) if profile else None

    @property
    def policy_week(self) -> int:
        """Weeks since the policy started (negative during the warm-up)."""
        return self.week - self.params.warmup_weeks

    def this_week(self) -> Week:
        """The week's context: the week, the policy in force and the scenario's multipliers."""
        policy_on = self.policy_week >= 0
        policy, review = self._policy if policy_on else self._status_quo
        return Week(week=self.week, policy_week=self.policy_week, policy_on=policy_on, policy=policy, review=review,
                    community_first=policy_on and self.params.policy.mode == "community_first",
                    practice_share=practice_share(self.params.policy, self.policy_week),
                    scenario=scenario_effects(self.params.scenario, self.policy_week))

    def arrive(self, week: Week, slots: np.ndarray) -> None:
        """In-migrants move into ``slots``: every declared constant is reset (``State.arrive``), then each component
        sets what it draws or derives for them (``Component.arrive``)."""
        self.state.arrive(slots)
        for component in self.components:
            component.arrive(self, week, slots)

    def step(self) -> None:
        """One week: every component in order, then (in policy weeks) the residents' sums, the components'
        measures and the week's row."""
        week = self.this_week()
        for component in self.components:
            if self.phase_seconds is None:
                component.step(self, week)
            else:
                started = time.perf_counter()
                component.step(self, week)
                self.phase_seconds[component.name] += time.perf_counter() - started
        if week.policy_on:
            self.recorder.sum_residents(self.week)
            measures = dict(self._idle)
            for component in self.components:
                measures.update(component.measures(self, week))
            measures["cost_total"] = cost_total(measures, self.recorder.columns)
            self.recorder.record(week.policy_week, measures, self.community.groups_per_hood())
        self.week += 1

    def warm_up(self) -> None:
        """Run the warm-up weeks not yet run (none in a model restored from a checkpoint)."""
        while self.week < self.params.warmup_weeks:
            self.step()

    def run(self) -> Results:
        """Run the weeks not yet run (the warm-up, unless it was restored, then the policy weeks); return the tables."""
        while self.week < self.params.warmup_weeks + self.params.weeks:
            self.step()
        return Results(self.recorder.steps_frame(), self.recorder.hoods_frame(self.state.hoods.deprivation))


def simulate(params: Params) -> Results:
    """Build and run one model."""
    return ResilienceModel(params).run()
