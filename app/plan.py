"""A sweep as the app runs it: an area, a scenario, its policies (arms) and seeds, checked before it starts.

Every value a user typed is checked by ``model.params`` through the same composition the command line
uses (``model.config.load_params``, by way of ``app.choices.validated``), so the page refuses bad input
with the one-line message ``python -m experiments.run`` would print (``community.capacity=20.0 is out of range; allowed [0.0, 10.0]``),
prefixed with the policy it belongs to.  A plan is stored as ``plan.json`` in its sweep directory, so
the worker, the page and a later session all read the same sweep.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from analysis.figures import label
from experiments.store import run_labels
from model.levers import FORM_LEVERS
from model.outputs import atomic_write
from model.params import ConfigError

from .choices import Area, areas, preset_levers, presets, reviews, scenarios, validated

PLAN = "plan.json"
MAX_SEEDS = 50  # 50 seeds of two policies is about five minutes on 2 cores; more belongs on the command line
MIN_ARMS = 2

@dataclass(frozen=True)
class Arm:
    """One policy compared: a preset and its levers (a field per ``model.levers.FORM_LEVERS`` lever)."""

    preset: str
    staff_fte_per_10k: float
    review: str
    builder_coverage: float
    community_capacity: float

    @property
    def policy_name(self) -> str:
        """The run's ``policy.name``: the preset's, or, with another team size, one that says so.

        Runs are told apart by their policy and levers (``analysis.sweep.RUN_KEYS``); the team size is
        not among the levers, so an arm that changes it takes a name of its own
        (``community_first_with_3.1_practitioners_per_10k``) rather than being taken for the preset.
        """
        if self.staff_fte_per_10k == preset_levers(self.preset).staff_fte_per_10k:
            return self.preset
        return f"{self.preset}_with_{self.staff_fte_per_10k:g}_practitioners_per_10k"

    def overrides(self) -> tuple[str, ...]:
        """The Hydra overrides that give this policy: the preset, then each lever at the arm's level (a lever of a
        programme the preset does not run, set above its absent level, adds the programme)."""
        preset = preset_levers(self.preset)
        overrides = [f"policy={self.preset}"]
        for lever in FORM_LEVERS:
            value = getattr(self, lever.name)
            runs = lever.programme is None or lever.programme in preset.programmes
            if runs or value != lever.absent:
                overrides += lever.overrides(value, runs)
        if self.policy_name != self.preset:
            overrides.append(f"policy.name={self.policy_name}")
        return tuple(overrides)

    @property
    def title(self) -> str:
        """The policy for people: the preset, then each lever set otherwise than the preset sets it."""
        preset = preset_levers(self.preset)
        changed = [lever.level(getattr(self, lever.name)) for lever in FORM_LEVERS
                   if getattr(self, lever.name) != getattr(preset, lever.name)]
        return label(self.preset) + (f" ({', '.join(changed)})" if changed else "")


@dataclass(frozen=True)
class Plan:
    """A sweep: every arm on every seed, in one area and scenario, over the same weeks."""

    sweep_id: str
    created: str  # ISO time the sweep was planned
    area: Area
    scenario: str
    seeds: int  # seeds 0 .. seeds - 1
    weeks: int
    warmup_weeks: int
    arms: tuple[Arm, ...]
    keys: tuple[dict, ...]  # each arm's run labels (experiments.store.run_labels without the seed), as its tables hold them
    shock: tuple[int, int]  # the scenario's start week and duration, shaded on the curves

    def run_overrides(self, arm: int, seed: int) -> list[str]:
        """The Hydra overrides of one run (the ``arm``-th policy on ``seed``)."""
        return [*self.area.overrides, f"scenario={self.scenario}", f"weeks={self.weeks}",
                f"warmup_weeks={self.warmup_weeks}", *self.arms[arm].overrides(), f"seed={seed}"]

    def runs(self, sweep_dir: Path) -> list[tuple[int, int, Path]]:
        """(arm, seed, run directory) of every run, seed by seed, so each seed's policies finish together."""
        return [(arm, seed, Path(sweep_dir) / f"policy-{arm + 1}" / f"seed={seed}")
                for seed in range(self.seeds) for arm in range(len(self.arms))]

    @property
    def title(self) -> str:
        return (f"{self.area.name}, {label(self.scenario).lower()}: "
                f"{' vs '.join(arm.title for arm in self.arms)}, {self.seeds} seed{'s' if self.seeds > 1 else ''}")

    def save(self, sweep_dir: Path) -> None:
        atomic_write(Path(sweep_dir) / PLAN, lambda path: path.write_text(json.dumps(asdict(self), indent=2)))


def load_plan(sweep_dir: Path) -> Plan:
    """The plan stored in ``sweep_dir``."""
    values = json.loads((Path(sweep_dir) / PLAN).read_text())
    return Plan(**{**values, "area": Area(**{**values["area"], "overrides": tuple(values["area"]["overrides"])}),
                   "arms": tuple(Arm(**arm) for arm in values["arms"]), "keys": tuple(values["keys"]),
                   "shock": tuple(values["shock"])})


def plan_sweep(form: dict[str, Any]) -> Plan:
    """The plan of what a user filled in, or a one-line :class:`ConfigError` saying what to change.

    ``form`` holds ``area``, ``scenario``, ``seeds``, ``weeks``, ``warmup_weeks`` and ``arms``, a list of
    dicts with ``preset`` and the levers (``LEVER_NAMES``); numbers may be None (a field left empty).
    """
    area = areas().get(form.get("area"))
    if area is None:
        raise ConfigError("pick an area")
    if form.get("scenario") not in scenarios():
        raise ConfigError(f"pick a scenario: one of {', '.join(scenarios())}")
    seeds = form.get("seeds")
    if not isinstance(seeds, int) or isinstance(seeds, bool) or not 1 <= seeds <= MAX_SEEDS:
        raise ConfigError(f"seeds={seeds!r}: give a whole number from 1 to {MAX_SEEDS}")
    for field, name in (("weeks", "weeks under the policy"), ("warmup_weeks", "weeks of warm-up")):
        if form.get(field) is None:
            raise ConfigError(f"enter the {name} (a whole number)")
    common = [*area.overrides, f"scenario={form['scenario']}", f"weeks={form['weeks']!r}",
              f"warmup_weeks={form['warmup_weeks']!r}"]
    params = validated(common)  # the place and horizon on their own, so their errors name no policy
    arms = tuple(_arm(k, values) for k, values in enumerate(form.get("arms") or []))
    if len(arms) < MIN_ARMS:
        raise ConfigError(f"compare at least {MIN_ARMS} policies")
    for k, arm in enumerate(arms):
        if arm in arms[:k]:
            raise ConfigError(f"policies {arms.index(arm) + 1} and {k + 1} are the same; change a lever of one")
    keys = []
    for k, arm in enumerate(arms):
        try:
            labels = run_labels(validated([*common, *arm.overrides(), "seed=0"]))
        except ConfigError as error:
            raise ConfigError(f"policy {k + 1}: {error}") from None
        labels.pop("seed")
        keys.append(labels)
    now = datetime.now()
    return Plan(sweep_id=f"{now:%Y-%m-%d_%H-%M-%S}_{secrets.token_hex(2)}", created=now.isoformat(timespec="seconds"),
                area=area, scenario=form["scenario"], seeds=seeds, weeks=int(params.weeks),
                warmup_weeks=int(params.warmup_weeks), arms=arms, keys=tuple(keys),
                shock=(params.scenario.start_week, params.scenario.duration_weeks))


def _arm(k: int, values: dict[str, Any]) -> Arm:
    """The ``k``-th policy of the form; a field left empty or a choice not offered is refused in one line."""
    if values.get("preset") not in presets():
        raise ConfigError(f"policy {k + 1}: pick a preset")
    if values.get("review") not in reviews():
        raise ConfigError(f"policy {k + 1}: pick a review practice: one of {', '.join(reviews())}")
    for lever in FORM_LEVERS:
        value = values.get(lever.name)
        if lever.kind is float and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ConfigError(f"policy {k + 1}: enter the {lever.label} (a number)")
    return Arm(values["preset"], **{lever.name: lever.kind(values[lever.name]) for lever in FORM_LEVERS})
