"""A sweep as the app runs it: an area, a scenario, its policies (arms) and seeds, checked before it starts.

Every value a user typed is checked by ``model.params`` through the same composition the command line
uses (``model.config.load_params``, by way of ``app.choices.validated``), so the page refuses bad input
with the one-line message ``python -m experiments.run`` would print (``community.capacity=20.0 is out of range; allowed [0.0, 10.0]``),
prefixed with the policy it belongs to.  What reaches a Hydra override is either one of the choices the app
offers (area, scenario, preset, review practice) or a number, never text a user typed, so nothing a user sends
is interpolated (``weeks=${oc.env:HOME}`` is refused as not a number).  An app sweep is bounded: at most
``MAX_ARMS`` policies, ``MAX_SEEDS`` seeds and ``MAX_WEEKS`` weeks a run, each refused in one line before
anything else is checked.  A plan is stored as ``plan.json`` in its sweep directory, so the worker, the page
and a later session all read the same sweep; a stored plan is checked as the form is (:func:`load_plan`).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass, fields
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
MIN_ARMS = 2
# An app sweep's bounds (README, "The policy lab app"); larger sweeps belong on the command line.
MAX_ARMS = 12  # policies compared: twelve lines still read apart on a chart
MAX_SEEDS = 50  # 50 seeds of two policies is about five minutes on 2 cores in the market town
MAX_WEEKS = 5200  # weeks a run simulates, warm-up and policy weeks together: a hundred years
SWEEP_ID = re.compile(r"\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_[0-9a-f]{4}")  # when it was planned, and 16 random bits


class PlanError(ValueError):
    """A stored plan that cannot be read, or is not a plan the app could have made (one line)."""

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
    """The plan stored in ``sweep_dir``, checked as the form is: its area, scenario and presets among those the app
    offers (the area's overrides are the app's own, never the file's), its seeds, weeks and policies within the
    app's bounds.  Anything else raises a one-line :class:`PlanError`."""
    sweep_dir = Path(sweep_dir)
    try:
        values = json.loads((sweep_dir / PLAN).read_text())
        return _stored_plan(values)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        reason = (str(error).splitlines() or [""])[0]
        raise PlanError(f"{PLAN} cannot be read: {type(error).__name__}: {reason}"[:300]) from None


def _stored_plan(values: Any) -> Plan:
    """A plan from its stored values (:func:`load_plan`)."""
    if not isinstance(values, dict) or set(values) != {f.name for f in fields(Plan)}:
        raise ValueError(f"not a plan: it holds {', '.join(map(str, values)) if isinstance(values, dict) else values!r}")
    area = areas().get(values["area"]["key"])
    if area is None or values["area"] != {**asdict(area), "overrides": list(area.overrides)}:
        raise ValueError(f"area {values['area'].get('key')!r} is not one the app offers")
    _check_sweep(values["scenario"], values["seeds"], values["weeks"], values["warmup_weeks"], values["arms"])
    arms = tuple(_arm(k, arm) for k, arm in enumerate(values["arms"]))
    keys, shock = values["keys"], values["shock"]
    if not (isinstance(keys, list) and len(keys) == len(arms) and all(isinstance(key, dict) for key in keys)
            and isinstance(shock, list) and len(shock) == 2 and all(isinstance(week, int) for week in shock)):
        raise ValueError("its run keys or its shock are not what the app stores")
    return Plan(str(values["sweep_id"]), str(values["created"]), area, values["scenario"], values["seeds"], values["weeks"],
                values["warmup_weeks"], arms, tuple(keys), (shock[0], shock[1]))


def _check_sweep(scenario: Any, seeds: Any, weeks: Any, warmup_weeks: Any, arms: Any) -> None:
    """The form's (or a stored plan's) choices and bounds, cheap checks before the model's: one-line ConfigError."""
    if not isinstance(arms, list) or len(arms) > MAX_ARMS:
        raise ConfigError(f"compare at most {MAX_ARMS} policies in the app (a larger sweep belongs on the command line)")
    if scenario not in scenarios():
        raise ConfigError(f"pick a scenario: one of {', '.join(scenarios())}")
    if not isinstance(seeds, int) or isinstance(seeds, bool) or not 1 <= seeds <= MAX_SEEDS:
        raise ConfigError(f"seeds={seeds!r}: give a whole number from 1 to {MAX_SEEDS}")
    for value, name in ((weeks, "weeks under the policy"), (warmup_weeks, "weeks of warm-up")):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"enter the {name} (a whole number)")
    if weeks + warmup_weeks > MAX_WEEKS:
        raise ConfigError(f"weeks={weeks!r} and warmup_weeks={warmup_weeks!r}: a run of the app simulates at most "
                          f"{MAX_WEEKS:,} weeks, warm-up included")


def new_sweep_id(now: datetime) -> str:
    """A new sweep's id, the name of its directory: when it was planned, and random bits (:data:`SWEEP_ID`)."""
    return f"{now:%Y-%m-%d_%H-%M-%S}_{secrets.token_hex(2)}"


def plan_sweep(form: dict[str, Any]) -> Plan:
    """The plan of what a user filled in, or a one-line :class:`ConfigError` saying what to change.

    ``form`` holds ``area``, ``scenario``, ``seeds``, ``weeks``, ``warmup_weeks`` and ``arms``, a list of
    dicts with ``preset`` and the levers (``LEVER_NAMES``); numbers may be None (a field left empty).
    """
    area = areas().get(form.get("area")) if isinstance(form.get("area"), str) else None
    if area is None:
        raise ConfigError("pick an area")
    _check_sweep(form.get("scenario"), form.get("seeds"), form.get("weeks"), form.get("warmup_weeks"),
                 form.get("arms") or [])
    seeds = form["seeds"]
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
    return Plan(sweep_id=new_sweep_id(now), created=now.isoformat(timespec="seconds"),
                area=area, scenario=form["scenario"], seeds=seeds, weeks=int(params.weeks),
                warmup_weeks=int(params.warmup_weeks), arms=arms, keys=tuple(keys),
                shock=(params.scenario.start_week, params.scenario.duration_weeks))


def _arm(k: int, values: Any) -> Arm:
    """The ``k``-th policy of the form; a field left empty or a choice not offered is refused in one line."""
    if not isinstance(values, dict) or values.get("preset") not in presets():
        raise ConfigError(f"policy {k + 1}: pick a preset")
    if values.get("review") not in reviews():
        raise ConfigError(f"policy {k + 1}: pick a review practice: one of {', '.join(reviews())}")
    for lever in FORM_LEVERS:
        value = values.get(lever.name)
        if lever.kind is float and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ConfigError(f"policy {k + 1}: enter the {lever.label} (a number)")
    return Arm(values["preset"], **{lever.name: lever.kind(values[lever.name]) for lever in FORM_LEVERS})
