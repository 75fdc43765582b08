"""Typed, range-checked model parameters: how a parameter is declared and checked, and the sections of the contract.

Values live in one place, the YAML files under ``configs/`` (with their sources, see
``docs/evidence.md``); a section (a frozen dataclass of fields declared with :func:`p` or :func:`choice`)
says what each value means, its unit and its allowed range.  One rule validates every value at start (a
bad value fails with a one-line error naming the field, the value and the allowed range) and the ODD
parameter table is generated from the same declarations.

Each component declares its own section in its module (``NeedsPars`` in ``model/phases/life.py``, a
programme's in its module under ``model/programmes/``); this module holds the machinery and the sections
of the contract every component reads: the town (:class:`Population`, :class:`Area`), the council's
policy (:class:`Policy`, with its review practice, :class:`Review`, and the programmes it runs), the
shock (:class:`Scenario`) and the posterior member (:class:`Posterior`).  ``model/components.py``
assembles them into ``Params``, everything one run needs.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import typing
from collections import namedtuple
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .rng import MAX_RESIDENTS

POLICY_MODES = ("service_first", "community_first")


class ConfigError(ValueError):
    """A config value is missing, unknown or out of its allowed range."""


def p(lo: float | None = None, hi: float | None = None, unit: str = "", doc: str = ""):
    """A parameter field with its allowed closed range, unit and meaning (its value comes from the config)."""
    return field(metadata={"lo": lo, "hi": hi, "unit": unit, "doc": doc})


def choice(allowed: tuple[str, ...], doc: str = ""):
    """A parameter that must be one of ``allowed``."""
    return field(metadata={"allowed": allowed, "doc": doc})


def name_list(doc: str = ""):
    """A parameter naming things: null (none), one non-empty string, or a list of them (kept as a tuple)."""
    return field(metadata={"names": True, "doc": doc})


def programme_sections(doc: str = ""):
    """A policy's programmes: a mapping of programme name -> that programme's section (``Policy.programmes``)."""
    return field(metadata={"programmes": True, "doc": doc})


def optional_text(doc: str = ""):
    """A parameter that is null (none) or a non-empty string, e.g. a path."""
    return field(metadata={"optional_text": True, "doc": doc})


@dataclass(frozen=True)
class Population:
    """Synthetic town: neighbourhoods, households, ages, deprivation and starting ties."""

    name: str
    n_neighbourhoods: int = p(1, 20000, "", "hyperlocal neighbourhoods (street-connector scale)")
    households_min: int = p(1, 10000, "households", "smallest neighbourhood")
    households_max: int = p(1, 10000, "households", "largest neighbourhood")
    adults_per_household: tuple[float, ...] = p(doc="weights for 1..k adults per household")
    share_65_84: float = p(0.0, 1.0, "fraction", "adults aged 65-84")
    share_85_plus: float = p(0.0, 1.0, "fraction", "adults aged 85+")
    older_alone_share: float = p(0.0, 1.0, "fraction", "adults 65+ living alone in the town as built (a single-adult "
                                 "household where there is one)")
    older_couple_share: float = p(0.0, 1.0, "fraction", "adults 65+ living as a couple with someone 65+ in the town as "
                                  "built (a two-adult household where there is one)")
    deprivation_mean: float = p(0.01, 0.99, "index 0-1", "mean neighbourhood deprivation")
    deprivation_concentration: float = p(0.5, 1000.0, "", "beta concentration: higher = less varied")
    personal_resources_mean: float = p(0.01, 0.99, "0-1", "mean skills/knowledge/confidence at zero deprivation")
    personal_deprivation_effect: float = p(0.0, 1.0, "0-1", "drop in mean personal resources at full deprivation")
    family_ties_mean: float = p(0.0, 20.0, "ties", "kin ties outside the household")
    friend_ties_mean: float = p(0.0, 30.0, "ties", "friend ties (mostly within the neighbourhood)")
    neighbour_ties_mean: float = p(0.0, 30.0, "ties", "neighbour ties within the neighbourhood")
    tie_deprivation_effect: float = p(0.0, 1.0, "0-1", "fewer friend/neighbour ties at full deprivation")
    tie_slack: int = p(1, 64, "ties", "spare slots per resident for ties formed later")
    associations_per_100_households: float = p(0.0, 50.0, "groups", "associations, groups and venues")
    membership_share: float = p(0.0, 1.0, "fraction", "adults in at least one group at start")
    contributor_share: float = p(0.0, 1.0, "fraction", "adults who volunteer (contributors)")
    connector_share: float = p(0.0, 1.0, "fraction", "adults who are informal connectors")
    awareness: float = p(0.0, 1.0, "fraction", "adults aware of local community activity")
    n_interests: int = p(1, 32, "categories", "interest categories shared by residents and groups")
    wealth_share: float = p(0.0, 1.0, "fraction", "adults with assets above the upper capital limit (who pay for a "
                            "care home themselves) in the least deprived neighbourhoods")
    wealth_deprivation_effect: float = p(0.0, 1.0, "0-1", "drop in that share at full deprivation, relative")


@dataclass(frozen=True)
class Area:
    """A real area (with population=area): its neighbourhoods come from data (model/area.py), the rest from population."""

    code: tuple[str, ...] | None = name_list("a district, unitary, borough or county: its 2019 code or name, "
                                             "or a list of district codes")
    csv: str | None = optional_text("a CSV of your own neighbourhoods (households, adults, share_65_84, "
                                    "share_85_plus, deprivation, optional name)")


@dataclass(frozen=True)
class Review:
    """Review practice: how long-term packages are reviewed, a lever of its own usable with any front door
    (config group ``review``, chosen by each policy preset; ``review@policy.review=...`` changes it)."""

    name: str
    review_hours: float = p(0.0, 40.0, "hours", "practitioner time a review of a long-term package takes")
    review_weeks: int = p(1, 520, "weeks", "interval between planned reviews of a long-term package")
    team_share: float = p(0.0, 1.0, "fraction", "most of the team's hours a week that go to reviews (planned reviews "
                          "compete with new requests; those not held wait)")
    step_down: bool = p(doc="reviews look first to what the person's network and community can carry, with the carer's "
                        "agreement: a package is ended where they can carry all of its need, and an increase in need "
                        "is met by them first")


@dataclass(frozen=True)
class Policy:
    """What the council's practice is: its front door, its team, its review practice and the programmes it runs.

    Outcomes emerge from residents' resources and capacity; no outcome share is a parameter.  Each
    programme a policy runs (``programmes``: name -> that programme's own section, declared in its module
    under ``model/programmes/``; config group ``programme``) is a component of its own; a preset names the
    programmes it runs in its defaults list and only the values it changes (``configs/policy/``)."""

    name: str
    review: Review
    programmes: dict = programme_sections("programmes this policy runs: name -> its section (configs/programme/)")
    mode: str = choice(POLICY_MODES, "front-door model")
    staff_fte_per_10k: float = p(0.0, 100.0, "FTE per 10,000 adults", "the practitioner team: conversations, plan support, assessments, reviews")
    productive_hours: float = p(1.0, 48.0, "hours/FTE-week", "hours per FTE available for conversations")
    contact_hours: float = p(0.0, 40.0, "hours", "first conversation (screening or 'connect' conversation)")
    plan_hours: float = p(0.0, 40.0, "hours", "second conversation: short-term/crisis plan, 'let's talk local'")
    assessment_hours: float = p(0.0, 80.0, "hours", "needs assessment and support planning")
    eligibility_hours: float = p(0.0, 168.0, "hours/week", "unmet need at which statutory support is eligible")
    connect_boost: float = p(0.0, 1.0, "strength", "tie strength a 'connect' conversation restores")
    mobilisation: float = p(0.0, 1.0, "fraction", "share of the gap to asking for everything a conversation closes")
    plan_weeks: int = p(0, 104, "weeks", "length of a community plan with follow-up")
    plan_support_hours: float = p(0.0, 40.0, "hours/week", "practitioner/link-worker support during a plan")
    reablement_first: bool = p(doc="offer reablement before long-term support when need is mostly acute")
    hospital_practice: bool = p(doc="the policy's practice reaches people discharged from hospital (an intermediate "
                                "tier at the hospital door); else the status quo's discharge team serves them")
    signpost_uptake: float = p(0.0, 1.0, "probability", "chance a signposted person joins a group")
    ramp_weeks: int = p(0, 520, "weeks", "weeks over which the practice ramps in from the status quo's (0 = at once)")
    transition_share: float = p(0.0, 1.0, "fraction", "team cost spent on training, supervision and double running while a new practice ramps in")

    def runs(self, programme: str) -> bool:
        """Whether this policy runs ``programme``."""
        return programme in self.programmes

@dataclass(frozen=True)
class Scenario:
    """A shock: multipliers applied from ``start_week`` for ``duration_weeks``."""

    name: str
    start_week: int = p(0, 10000, "weeks after policy start")
    duration_weeks: int = p(0, 10000, "weeks")
    onset_multiplier: float = p(0.0, 10.0, "x", "need onset hazard")
    group_activity_multiplier: float = p(0.0, 10.0, "x", "groups able to meet (0 = paused)")
    mutual_aid: float = p(0.0, 10.0, "x", "extra tie contact where ties are already active")
    helper_capacity_multiplier: float = p(0.0, 10.0, "x", "informal help people can give")
    group_funding_multiplier: float = p(0.0, 10.0, "x", "funding and activity of groups")
    visit_multiplier: float = p(0.0, 10.0, "x", "contact along ties outside the household (visits)")
    staff_multiplier: float = p(0.0, 10.0, "x", "front-door staff")


@dataclass(frozen=True)
class Posterior:
    """Which calibrated parameter set a run uses: ``configs/posterior/`` holds the posterior ensemble (history matching, then emcee)
    (``member_NNN``) and its componentwise median (``median``), each setting the calibrated values of every
    section it names.  The strengths-based conversation's two calibrated values live here because only the
    community-first presets take them (``policy.mobilisation: ${posterior.mobilisation}``); the status quo's
    front door has no such conversation."""

    name: str
    member: int = p(-1, 100000, "", "member of the posterior ensemble; -1: not a member (the median, or hand-set values)")
    mobilisation: float = p(0.0, 1.0, "fraction", "what a strengths-based conversation adds to asking (community-first presets)")
    plan_support_hours: float = p(0.0, 40.0, "hours/week", "practitioner support during a plan (community-first presets)")


_KERNEL_VIEWS: dict[type, type] = {}
_NUMERIC = ("float", "int", "bool")


def kernel_view(section):
    """The numeric fields of a parameter section as a namedtuple numba kernels can take."""
    cls = type(section)
    if cls not in _KERNEL_VIEWS:
        names = [f.name for f in dataclasses.fields(cls) if f.type in _NUMERIC]
        view = namedtuple(f"{cls.__name__}Values", names, module=__name__)
        globals()[view.__name__] = view  # importable by name, so numba can cache kernels taking it
        _KERNEL_VIEWS[cls] = view
    view = _KERNEL_VIEWS[cls]
    return view(*(getattr(section, name) for name in view._fields))


def _check_value(path: str, f: dataclasses.Field, value: Any) -> Any:
    """Coerce ``value`` to the field's type and check its range; raise a one-line ConfigError.

    A field typed ``int | None`` or ``float | None`` may also be null."""
    meta = f.metadata
    if "names" in meta or "optional_text" in meta:
        return _check_text(path, value, many="names" in meta)
    if "allowed" in meta:
        if value not in meta["allowed"]:
            raise ConfigError(f"{path}={value!r} is not allowed; choose one of: {', '.join(meta['allowed'])}")
        return value
    if f.type == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{path}={value!r} must be true or false")
        return value
    if f.type.startswith("tuple"):
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__") or not all(
                _is_number(v) and math.isfinite(v) and v >= 0 for v in value) or not any(v > 0 for v in value):
            raise ConfigError(f"{path}={_shown(value)} must be a non-empty list of non-negative numbers with a positive sum")
        return tuple(float(v) for v in value)
    if f.type == "str":
        if f.name == "name":
            return _check_name(path, value)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{path}={_shown(value)} must be a non-empty string")
        return value
    kind, _, optional = f.type.partition(" | ")
    if optional == "None" and value is None:
        return None
    if not _is_number(value):
        raise ConfigError(f"{path}={_shown(value)} must be a number" + (" or null" if optional else ""))
    if kind == "int" and not (math.isfinite(value) and value == int(value)):
        raise ConfigError(f"{path}={value!r} must be a whole number")
    value = int(value) if kind == "int" else float(value)
    lo, hi = meta.get("lo"), meta.get("hi")
    if value != value or (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(f"{path}={value!r} is out of range; allowed [{lo}, {hi}]")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# A section's ``name`` names its runs' directories (``results/runs/<population>/<scenario>/<policy>/...``): one path
# component, so no ``/``, no ``..`` and at most the 255 bytes a file name may have.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,254}")


def _check_name(path: str, value: Any) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ConfigError(f"{path}={_shown(value)} must be 1 to 255 letters, digits, '_', '.', '+' or '-', starting "
                          f"with a letter or digit (it names a directory of results)")
    return value


def _shown(value: Any) -> str:
    """``value`` as a one-line message shows it: its repr, a long text cut to its first 50 characters."""
    if isinstance(value, str) and len(value) > 60:
        return f"{value[:50]!r}... ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:70]}..."


def _check_text(path: str, value: Any, many: bool) -> str | tuple[str, ...] | None:
    """Null, a non-empty string, or (if ``many``) a non-empty list of non-empty strings, as a tuple."""
    if value is None:
        return None
    if many and isinstance(value, (list, tuple)):
        if value and all(isinstance(v, str) and v.strip() for v in value):
            return tuple(v.strip() for v in value)
    elif isinstance(value, str) and value.strip():
        return (value.strip(),) if many else value.strip()
    allowed = "null, a non-empty string or a list of them" if many else "null or a non-empty string"
    raise ConfigError(f"{path}={value!r} must be {allowed}")


def sections(cls: type) -> dict[str, type]:
    """The fields of ``cls`` that are sections of their own (dataclasses), by field name: annotations are resolved
    in the module that declares ``cls``, so a section may be declared in any component's module."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if dataclasses.is_dataclass(hints[f.name])}


def _build(cls: type, values: Mapping[str, Any], path: str, programmes: Mapping[str, type]):
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(f"unknown field {path}{unknown[0]}; allowed: {', '.join(fields)}")
    missing = [name for name, f in fields.items() if name not in values and "programmes" not in f.metadata]
    if missing:
        raise ConfigError(f"missing field {path}{missing[0]}")
    nested = sections(cls)
    kwargs = {}
    for name, f in fields.items():
        value = values.get(name)
        if name in nested:
            if not isinstance(value, Mapping):
                raise ConfigError(f"{path}{name} must be a mapping of fields")
            kwargs[name] = _build(nested[name], value, f"{path}{name}.", programmes)
        elif "programmes" in f.metadata:
            kwargs[name] = _build_programmes(value, f"{path}{name}.", programmes)
        else:
            kwargs[name] = _check_value(f"{path}{name}", f, value)
    return cls(**kwargs)


def _build_programmes(values: Any, path: str, programmes: Mapping[str, type]) -> dict:
    """A policy's programmes: null or a mapping of programme name -> its section's values (or null: its defaults
    come from configs/programme/ through the preset's defaults list, so null means none set)."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise ConfigError(f"{path[:-1]} must be a mapping of programme name -> its settings")
    built = {}
    for name, section in values.items():
        if name not in programmes:
            raise ConfigError(f"unknown programme {path}{name}; choose from: {', '.join(sorted(programmes))}")
        built[name] = _build(programmes[name], section or {}, f"{path}{name}.", programmes)
    return built


def validate(cls: type, values: Mapping[str, Any], path: str = ""):
    """Validate ``values`` into ``cls``, any dataclass whose fields are declared with :func:`p` or :func:`choice`
    (e.g. an experiment's settings), by the same rule as the model's parameters."""
    return _build(cls, values, path, {})


def build(cls: type, values: Mapping[str, Any], programmes: Mapping[str, type]):
    """Validate a run's ``values`` into ``cls`` (``components.Params``); ``programmes`` maps each programme a
    policy may run to its section."""
    return _build(cls, values, "", programmes)


# Top-level config keys that are not model parameters: the settings of the apps sharing configs/ (how a run is
# run and written, Hydra's own, experiments.sensitivity's, experiments.calibrate's and experiments.fit_status_quo's). Any
# other is a mistake (+foo=1).
APP_KEYS = ("output", "hydra", "sensitivity", "calibration", "fit")


# The engine's memory per adult: its peak resident set at 1,000,221 adults was 1,368 MiB (benchmarks/results.md,
# the interpreter and compiled kernels included), about 1.4 KB an adult.
BYTES_PER_ADULT = 1368 * 2**20 / 1_000_221


def check_town_size(setting: str, adults: float) -> None:
    """Refuse a town of ``adults`` the engine or this machine cannot hold, before anything is built, in one line
    starting with the ``setting`` that sets its size (``field=value``)."""
    if adults >= MAX_RESIDENTS:
        raise ConfigError(f"{setting}: a town of about {adults:,.0f} adults; the engine takes fewer than "
                          f"{MAX_RESIDENTS:,} (its random draws are keyed by pairs of residents)")
    check_memory(setting, adults * BYTES_PER_ADULT, f"a town of about {adults:,.0f} adults")


def check_memory(setting: str, needed: float, what: str) -> None:
    """Refuse a run whose ``what`` needs more than :func:`machine_memory` (``needed`` bytes), in one line starting
    with the ``setting`` that asks for it (``field=value``)."""
    have = machine_memory()
    if needed > have:
        raise ConfigError(f"{setting}: {what} needs about {_in_bytes(needed)} of memory; this machine has "
                          f"{_in_bytes(have)}")


def _in_bytes(size: float) -> str:
    return f"{size / 2**20:,.0f} MiB" if size < 2**30 else f"{size / 2**30:,.1f} GiB"


def machine_memory() -> int:
    """Bytes of memory a run may use: the machine's, or its control group's limit (a container's) if lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return total
    return min(total, int(limit)) if limit.isdigit() else total
