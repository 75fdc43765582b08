"""A sweep as the app runs it: an area, a scenario, its policies (arms), the parameter sets and seeds, and optionally
one lever varied over a range, checked before it starts.

Every value a user typed is checked by ``model.params`` through the same composition the command line
uses (``model.config.load_params``, by way of ``app.choices.validated``), so the page refuses bad input
with the one-line message ``python -m experiments.run`` would print (``community.capacity=20.0 is out of range; allowed [0.0, 10.0]``),
prefixed with the policy it belongs to.  What reaches a Hydra override is either one of the choices the app
offers (area, scenario, preset, review practice, posterior member) or a number, never text a user typed, so nothing
a user sends is interpolated (``weeks=${oc.env:HOME}`` is refused as not a number).  An app sweep is bounded: at most
``MAX_ARMS`` policies, ``MAX_SEEDS`` seeds, every posterior member there is, ``MAX_VALUES`` values of a lever,
``MAX_RUNS`` runs and ``MAX_WEEKS`` weeks a run, each refused in one line before anything else is checked.

The runs are every *cell* (a policy, at each value of the varied lever if there is one) on every *replicate*: a
parameter set (the calibrated median, or each of the first ``members`` posterior members, as the main job runs
``configs/experiment/policy_comparison.yaml``) and a seed.  Each cell of a replicate shares its parameters, town
and life events (common random numbers), so differences between policies are paired, and its bands cover
parameter uncertainty and chance together over several members (chance alone over the median).

A plan is stored as ``plan.json`` in its sweep directory, so the worker, the page and a later session all read the
same sweep; a stored plan is checked as the form is (:func:`load_plan`), and a plan stored before posterior members
and lever ranges (no ``members``, ``lever``, ``values``, ``adults``) reads as the median, no lever.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from analysis.figures import label
from experiments.store import run_labels
from model.components import town_adults
from model.levers import BY_NAME, FORM_LEVERS
from model.outputs import atomic_write
from model.params import ConfigError

from .choices import Area, areas, members, preset_levers, presets, reviews, scenarios, validated

PLAN = "plan.json"
MIN_ARMS = 2
# An app sweep's bounds (README, "The policy lab app"); larger sweeps belong on the command line.
MAX_ARMS = 12  # policies compared: twelve lines still read apart on a chart
MAX_SEEDS = 50  # 50 seeds of two policies is about five minutes on 2 cores in the market town
MAX_VALUES = 11  # values of a lever varied over a range: enough points for a curve
MAX_RUNS = 600  # runs a sweep: as many as twelve policies on 50 seeds
MAX_WEEKS = 5200  # weeks a run simulates, warm-up and policy weeks together: a hundred years
MEDIAN = "median"  # the posterior option of the calibrated median (configs/posterior/median.yaml)
VARIED_LEVERS = tuple(lever for lever in FORM_LEVERS if lever.kind is float)  # the levers a range can vary
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

    def at(self, lever: str | None, value: float | None) -> Arm:
        """This policy with ``lever`` (a field's name) set to ``value``; itself if ``lever`` is None."""
        return self if lever is None else dataclasses.replace(self, **{lever: value})

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

    def titled(self, varied: str | None = None) -> str:
        """The policy for people: the preset, then each lever set otherwise than the preset sets it, but the lever
        ``varied`` over a range (its value is the chart's axis)."""
        preset = preset_levers(self.preset)
        changed = [lever.level(getattr(self, lever.name)) for lever in FORM_LEVERS
                   if lever.name != varied and getattr(self, lever.name) != getattr(preset, lever.name)]
        return label(self.preset) + (f" ({', '.join(changed)})" if changed else "")

    @property
    def title(self) -> str:
        return self.titled()


class Cell(NamedTuple):
    """A policy (its index in ``Plan.arms``) at a value of the varied lever (None: no lever is varied)."""

    arm: int
    value: float | None


class Run(NamedTuple):
    """One run of a plan: its cell (an index of ``Plan.cells``), parameter set (``posterior`` option), seed and
    directory."""

    cell: int
    posterior: str
    seed: int
    directory: Path


@dataclass(frozen=True)
class Plan:
    """A sweep: every cell on every replicate (parameter set and seed), in one area and scenario, over the same weeks."""

    sweep_id: str
    created: str  # ISO time the sweep was planned
    area: Area
    scenario: str
    seeds: int  # seeds 0 .. seeds - 1
    weeks: int
    warmup_weeks: int
    arms: tuple[Arm, ...]
    keys: tuple[dict, ...]  # each cell's run labels (experiments.store.run_labels without the replicate), as its tables hold them
    shock: tuple[int, int]  # the scenario's start week and duration, shaded on the curves
    members: int = 0  # posterior members, the first of configs/posterior/; 0: the calibrated median alone
    lever: str | None = None  # the lever varied over a range (a VARIED_LEVERS name), or None
    values: tuple[float, ...] = ()  # its values, lowest first
    adults: float | None = None  # the town's adults (model.components.town_adults), for the first time estimate

    @property
    def cells(self) -> tuple[Cell, ...]:
        """Every policy at every value of the varied lever (each policy once if none is varied), policy by policy."""
        return tuple(Cell(arm, value) for arm in range(len(self.arms)) for value in (self.values or (None,)))

    def cell_arm(self, cell: Cell) -> Arm:
        return self.arms[cell.arm].at(self.lever, cell.value)

    def cell_title(self, cell: Cell) -> str:
        """``2. Community first`` (``, community capacity 0.5`` at a value of the varied lever): numbered as the page
        numbers the policies, so policies that differ only in a lever's last decimal read apart."""
        name = f"{cell.arm + 1}. {self.arms[cell.arm].titled(self.lever)}"
        return name if self.lever is None else f"{name}, {BY_NAME[self.lever].level(cell.value)}"

    def run_title(self, run: Run) -> str:
        """``policy 2 (Community first), seed 0``, with the varied lever's value and the posterior member if any."""
        cell = self.cells[run.cell]
        at = "" if self.lever is None else f" at {BY_NAME[self.lever].level(cell.value)}"
        member = "" if run.posterior == MEDIAN else f", {run.posterior}"
        return f"policy {cell.arm + 1} ({self.arms[cell.arm].titled(self.lever)}){at}{member}, seed {run.seed}"

    @property
    def posteriors(self) -> tuple[str, ...]:
        """The parameter sets (``posterior`` options) every cell runs on."""
        return tuple(members()[:self.members]) if self.members else (MEDIAN,)

    def run_overrides(self, cell: int, posterior: str, seed: int) -> list[str]:
        """The Hydra overrides of one run (the ``cell``-th cell with the parameter set ``posterior`` on ``seed``)."""
        return [*self.place_overrides(), *self.cell_arm(self.cells[cell]).overrides(), f"posterior={posterior}",
                f"seed={seed}"]

    def place_overrides(self) -> list[str]:
        """What every run shares: the area, the scenario and the weeks."""
        return [*self.area.overrides, f"scenario={self.scenario}", f"weeks={self.weeks}",
                f"warmup_weeks={self.warmup_weeks}"]

    def runs(self, sweep_dir: Path) -> list[Run]:
        """Every run, replicate by replicate (every parameter set on seed 0, then on seed 1, ...) and within one cell by
        cell, so every policy is drawn early, the bands soon span the parameter sets, and the runs of a replicate
        share its warm-up."""
        return [Run(k, posterior, seed, Path(sweep_dir) / self._run_path(cell, posterior, seed))
                for seed in range(self.seeds) for posterior in self.posteriors for k, cell in enumerate(self.cells)]

    def _run_path(self, cell: Cell, posterior: str, seed: int) -> str:
        """``policy-2/seed=0``, with ``community_capacity=0.5/`` for a value of the varied lever and ``member_007/`` for
        a posterior member (the layout of a sweep planned before either, kept)."""
        value = "" if self.lever is None else f"{self.lever}={cell.value!r}/"
        member = "" if posterior == MEDIAN else f"{posterior}/"
        return f"policy-{cell.arm + 1}/{value}{member}seed={seed}"

    @property
    def replicates_text(self) -> str:
        """``1 seed``, ``10 posterior members x 2 seeds``."""
        seeds = f"{self.seeds} seed{'s' if self.seeds > 1 else ''}"
        return f"{self.members} posterior member{'s' if self.members > 1 else ''} x {seeds}" if self.members else seeds

    @property
    def title(self) -> str:
        varied = "" if self.lever is None else (
            f", {BY_NAME[self.lever].label} from {self.values[0]:g} to {self.values[-1]:g} ({len(self.values)} values)")
        return (f"{self.area.name}, {label(self.scenario).lower()}: "
                f"{' vs '.join(arm.titled(self.lever) for arm in self.arms)}{varied}, {self.replicates_text}")

    def save(self, sweep_dir: Path) -> None:
        atomic_write(Path(sweep_dir) / PLAN, lambda path: path.write_text(json.dumps(asdict(self), indent=2)))


_OPTIONAL = {f.name: f.default for f in fields(Plan) if f.default is not dataclasses.MISSING}


def load_plan(sweep_dir: Path) -> Plan:
    """The plan stored in ``sweep_dir``, checked as the form is: its area, scenario and presets among those the app
    offers (the area's overrides are the app's own, never the file's), its seeds, members, lever range, weeks and
    policies within the app's bounds.  Anything else raises a one-line :class:`PlanError`."""
    sweep_dir = Path(sweep_dir)
    try:
        values = json.loads((sweep_dir / PLAN).read_text())
        return _stored_plan(values)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        reason = (str(error).splitlines() or [""])[0]
        raise PlanError(f"{PLAN} cannot be read: {type(error).__name__}: {reason}"[:300]) from None


def _stored_plan(values: Any) -> Plan:
    """A plan from its stored values (:func:`load_plan`)."""
    names = {f.name for f in fields(Plan)}
    if not isinstance(values, dict) or not set(names) - set(_OPTIONAL) <= set(values) <= names:
        raise ValueError(f"not a plan: it holds {', '.join(map(str, values)) if isinstance(values, dict) else values!r}")
    values = {**_OPTIONAL, **values}
    area = areas().get(values["area"]["key"])
    if area is None or values["area"] != {**asdict(area), "overrides": list(area.overrides)}:
        raise ValueError(f"area {values['area'].get('key')!r} is not one the app offers")
    _check_sweep(values["scenario"], values["seeds"], values["members"], values["weeks"], values["warmup_weeks"],
                 values["arms"], values["lever"], values["values"])
    arms = tuple(arm_from_form(k, arm) for k, arm in enumerate(values["arms"]))
    keys, shock, adults = values["keys"], values["shock"], values["adults"]
    if not (isinstance(keys, list) and len(keys) == len(arms) * max(len(values["values"]), 1)
            and all(isinstance(key, dict) for key in keys)
            and isinstance(shock, list) and len(shock) == 2 and all(isinstance(week, int) for week in shock)
            and (adults is None or isinstance(adults, (int, float)) and not isinstance(adults, bool) and adults > 0)):
        raise ValueError("its run keys, its shock or its adults are not what the app stores")
    return Plan(str(values["sweep_id"]), str(values["created"]), area, values["scenario"], values["seeds"], values["weeks"],
                values["warmup_weeks"], arms, tuple(keys), (shock[0], shock[1]), values["members"], values["lever"],
                tuple(float(v) for v in values["values"]), adults)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_sweep(scenario: Any, seeds: Any, members_: Any, weeks: Any, warmup_weeks: Any, arms: Any, lever: Any,
                 values: Any) -> None:
    """The form's (or a stored plan's) choices and bounds, cheap checks before the model's: one-line ConfigError."""
    if not isinstance(arms, list) or len(arms) > MAX_ARMS:
        raise ConfigError(f"compare at most {MAX_ARMS} policies in the app (a larger sweep belongs on the command line)")
    if scenario not in scenarios():
        raise ConfigError(f"pick a scenario: one of {', '.join(scenarios())}")
    if seeds is None:
        raise ConfigError(f"enter the seeds (a whole number from 1 to {MAX_SEEDS})")
    if not _whole(seeds) or not 1 <= seeds <= MAX_SEEDS:
        raise ConfigError(f"seeds={seeds!r}: give a whole number from 1 to {MAX_SEEDS}")
    most = len(members())
    if members_ is None:
        raise ConfigError(f"enter the posterior members (a whole number from 0, the calibrated median alone, to {most})")
    if not _whole(members_) or not 0 <= members_ <= most:
        raise ConfigError(f"members={members_!r}: give a whole number from 0 (the calibrated median alone) to {most} "
                          "(posterior members)")
    for value, name in ((weeks, "weeks under the policy"), (warmup_weeks, "weeks of warm-up")):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"enter the {name} (a whole number)")
    if weeks + warmup_weeks > MAX_WEEKS:
        raise ConfigError(f"weeks={weeks!r} and warmup_weeks={warmup_weeks!r}: a run of the app simulates at most "
                          f"{MAX_WEEKS:,} weeks, warm-up included")
    if lever is not None and BY_NAME.get(lever) not in VARIED_LEVERS:
        raise ConfigError(_not_varied(lever))
    if lever is not None and not (isinstance(values, list) and 2 <= len(values) <= MAX_VALUES and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) and values == sorted(set(values))):
        raise ConfigError(f"vary the {BY_NAME[lever].label} over 2 to {MAX_VALUES} different values, lowest first")
    if lever is None and values:
        raise ConfigError("values of a lever, but no lever to vary")
    runs = len(arms) * max(len(values), 1) * max(members_, 1) * seeds
    if runs > MAX_RUNS:
        raise ConfigError(f"{runs:,} runs: a sweep of the app has at most {MAX_RUNS} (fewer policies, values, members or "
                          "seeds; a larger sweep belongs on the command line)")


def _not_varied(lever: Any) -> str:
    return f"vary={lever!r}: pick one of {', '.join(v.name for v in VARIED_LEVERS)}, or none"


def lever_values(lever: Any, low: Any, high: Any, count: Any) -> tuple[str | None, list[float]]:
    """The lever a user chose to vary (None: none) and its ``count`` values, evenly spaced from ``low`` to ``high``
    (either way round) and shown lowest first; a field left empty or out of bounds is refused in one line."""
    if lever in (None, ""):
        return None, []
    if BY_NAME.get(lever) not in VARIED_LEVERS:
        raise ConfigError(_not_varied(lever))
    name = BY_NAME[lever].label
    for value, end in ((low, "lowest"), (high, "highest")):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"enter the {end} {name} to try (a number)")
    if not _whole(count) or not 2 <= count <= MAX_VALUES:
        raise ConfigError(f"values={count!r}: give a whole number of values from 2 to {MAX_VALUES}")
    if low == high:
        raise ConfigError(f"the {name} runs from {low:g} to {high:g}: give two different ends of its range")
    low, high = sorted((float(low), float(high)))
    return lever, [round(low + k * (high - low) / (count - 1), 10) for k in range(count)]


def new_sweep_id(now: datetime) -> str:
    """A new sweep's id, the name of its directory: when it was planned, and random bits (:data:`SWEEP_ID`)."""
    return f"{now:%Y-%m-%d_%H-%M-%S}_{secrets.token_hex(2)}"


def plan_sweep(form: dict[str, Any]) -> Plan:
    """The plan of what a user filled in, or a one-line :class:`ConfigError` saying what to change.

    ``form`` holds ``area``, ``scenario``, ``seeds``, ``members``, ``weeks``, ``warmup_weeks``, ``arms`` (a list of
    dicts with ``preset`` and the levers, ``FORM_LEVERS``) and, to vary a lever over a range, ``vary`` (a
    ``VARIED_LEVERS`` name, or None), ``vary_from``, ``vary_to`` and ``vary_values`` (how many); numbers may be None
    (a field left empty).
    """
    area = areas().get(form.get("area")) if isinstance(form.get("area"), str) else None
    if area is None:
        raise ConfigError("pick an area")
    lever, levels = lever_values(form.get("vary"), form.get("vary_from"), form.get("vary_to"), form.get("vary_values"))
    members_ = form.get("members", 0)
    _check_sweep(form.get("scenario"), form.get("seeds"), members_, form.get("weeks"), form.get("warmup_weeks"),
                 form.get("arms") or [], lever, levels)
    common = [*area.overrides, f"scenario={form['scenario']}", f"weeks={form['weeks']!r}",
              f"warmup_weeks={form['warmup_weeks']!r}"]
    params = validated(common)  # the place and horizon on their own, so their errors name no policy
    arms = tuple(arm_from_form(k, fields_) for k, fields_ in enumerate(form.get("arms") or []))
    if len(arms) < MIN_ARMS:
        raise ConfigError(f"compare at least {MIN_ARMS} policies")
    alike = [arm.at(lever, 0.0) for arm in arms]  # a varied lever's own value on a policy is not run
    for k, arm in enumerate(alike):
        if arm in alike[:k]:
            raise ConfigError(f"policies {alike.index(arm) + 1} and {k + 1} are the same; change a lever of one"
                              + ("" if lever is None else f" other than the {BY_NAME[lever].label}"))
    keys = []
    for k, arm in enumerate(arms):
        for value in levels or [None]:
            try:
                labels = run_labels(validated([*common, *arm.at(lever, value).overrides(), "seed=0"]))
            except ConfigError as error:
                where = f"policy {k + 1}" + ("" if lever is None else f" at {BY_NAME[lever].level(value)}")
                raise ConfigError(f"{where}: {error}") from None
            keys.append({key: labels[key] for key in labels if key not in ("member", "seed")})
    now = datetime.now()
    return Plan(sweep_id=new_sweep_id(now), created=now.isoformat(timespec="seconds"),
                area=area, scenario=form["scenario"], seeds=form["seeds"], weeks=int(params.weeks),
                warmup_weeks=int(params.warmup_weeks), arms=arms, keys=tuple(keys),
                shock=(params.scenario.start_week, params.scenario.duration_weeks), members=members_, lever=lever,
                values=tuple(levels), adults=round(town_adults(params)))


def arm_from_form(k: int, values: Any) -> Arm:
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
