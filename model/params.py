"""Typed, range-checked model parameters.

Values live in one place, the YAML files under ``configs/`` (with their
sources, see ``docs/evidence.md``); this module says what each value means,
its unit and its allowed range.  One rule validates every value at start (a
bad value fails with a one-line error naming the field, the value and the
allowed range) and the ODD parameter table is generated from the same source.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
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


@dataclass(frozen=True)
class Area:
    """A real area (with population=area): its neighbourhoods come from data (model/area.py), the rest from population."""

    code: tuple[str, ...] | None = name_list("a district, unitary, borough or county: its 2019 code or name, "
                                             "or a list of district codes")
    csv: str | None = optional_text("a CSV of your own neighbourhoods (households, adults, share_65_84, "
                                    "share_85_plus, deprivation, optional name)")


@dataclass(frozen=True)
class Needs:
    """Life events: need onset, acute episodes, recovery, deterioration, mortality."""

    onset_weekly: float = p(0.0, 0.2, "per week", "chronic-need onset hazard at age 75, zero deprivation")
    onset_age_factor: float = p(1.0, 5.0, "x per decade", "onset hazard multiplier per decade of age")
    onset_deprivation: float = p(0.0, 10.0, "relative", "extra onset hazard at full deprivation")
    onset_isolation: float = p(0.0, 10.0, "relative", "extra onset hazard when isolated (loneliness harms health)")
    onset_mean_hours: float = p(0.1, 40.0, "hours/week", "mean chronic need added per onset")
    acute_weekly: float = p(0.0, 0.2, "per week", "acute episode (e.g. hospital discharge) hazard at 75")
    acute_mean_hours: float = p(0.1, 60.0, "hours/week", "mean acute need added per episode")
    acute_recovery: float = p(0.0, 1.0, "per week", "fraction of acute need recovered weekly")
    chronic_recovery: float = p(0.0, 1.0, "per week", "fraction of chronic need recovered weekly")
    deterioration: float = p(0.0, 1.0, "per week", "chronic need added per hour of unmet need (revolving door)")
    max_need_hours: float = p(1.0, 168.0, "hours/week", "cap on weekly need")
    initial_need_share_85: float = p(0.0, 1.0, "fraction", "adults 85+ with chronic need at start")
    mortality_log_base: float = p(-20.0, 0.0, "log annual", "Gompertz intercept (age 0)")
    mortality_age_slope: float = p(0.0, 0.3, "per year", "Gompertz slope")
    mortality_need_effect: float = p(0.0, 1.0, "per hour", "relative mortality per hour of weekly need")
    mortality_isolation: float = p(0.0, 10.0, "relative", "extra mortality when isolated (isolation harms health)")
    migrant_age_mean: float = p(1.0, 60.0, "years", "mean years over 18 of in-migrants replacing deaths")


@dataclass(frozen=True)
class Network:
    """Tie strength dynamics, helper capacity and carer strain."""

    active_threshold: float = p(0.0, 1.0, "strength", "tie counts as active (for isolation)")
    drop_threshold: float = p(0.0, 1.0, "strength", "non-household ties below this are lost")
    contact_household: float = p(0.0, 1.0, "per week", "chance of contact along a household tie")
    contact_family: float = p(0.0, 1.0, "per week", "chance of contact along a family tie")
    contact_friend: float = p(0.0, 1.0, "per week", "chance of contact along a friend tie")
    contact_neighbour: float = p(0.0, 1.0, "per week", "chance of contact along a neighbour tie")
    contact_groupmate: float = p(0.0, 1.0, "per week", "chance of contact outside group along a group-mate tie")
    reinforce: float = p(0.0, 1.0, "fraction", "strength gained towards 1 on contact")
    decay: float = p(0.0, 1.0, "fraction", "strength lost without contact")
    neighbour_formation: float = p(0.0, 1.0, "per resident-week", "new neighbour ties")
    groupmate_formation: float = p(0.0, 1.0, "per member-week", "new ties between members of an active group")
    helper_hours: float = p(0.0, 60.0, "hours/week", "light help a healthy adult under 65 can give anyone they know")
    helper_hours_older: float = p(0.0, 1.0, "fraction", "light-help capacity at 65-84 relative to younger adults")
    household_weight: float = p(1.0, 20.0, "relative", "how much more people ask their own household")
    carer_hours: float = p(0.0, 168.0, "hours/week",
                           "most a main carer gives: to someone in their household, and to everyone they care for in all")
    carer_hours_family: float = p(0.0, 168.0, "hours/week", "most a main carer in another household (family) gives")
    strain_hours: float = p(0.1, 168.0, "hours/week", "caring hours a week at which strain settles at "
                            "strain_gain / strain_recovery; it settles in proportion to the hours given")
    strain_gain: float = p(0.0, 1.0, "per week", "carer strain gained in a week of strain_hours of caring")
    strain_recovery: float = p(0.0, 1.0, "per week", "share of strain lost weekly")
    burnout_threshold: float = p(0.0, 1.0, "strain", "strain at which a carer withdraws")
    burnout_weeks: int = p(0, 520, "weeks", "how long a burnt-out carer withdraws")
    bereavement_wellbeing: float = p(0.0, 1.0, "wellbeing", "wellbeing lost by each tie of someone who dies")


@dataclass(frozen=True)
class Support:
    """How need is met: personal resources first, then network, then community."""

    personal_hours: float = p(0.0, 60.0, "hours/week", "own need a resident with full personal resources meets")
    community_max_hours: float = p(0.0, 60.0, "hours/week", "most one person can draw from community support")
    asking_base: float = p(0.0, 1.0, "fraction", "share of unmet need a resident with no personal resources asks of their network")
    asking_personal: float = p(0.0, 1.0, "fraction", "extra share asked at full personal resources (confidence to ask)")
    asking_return: float = p(0.0, 1.0, "per week", "speed at which asking returns to its baseline after a conversation")
    unmet_threshold: float = p(0.0, 40.0, "hours/week", "unmet need that counts as 'need not met'")
    persist_weeks: int = p(1, 104, "weeks", "weeks of unmet need before people consider contacting the council")
    contact_weekly: float = p(0.0, 1.0, "per week", "chance of contacting once unmet need has persisted")
    patience_weeks: int = p(0, 520, "weeks", "after a contact, weeks people give the offer before unmet need counts again")
    contact_scale_hours: float = p(0.01, 168.0, "hours/week", "unmet need at which contacting is most likely")
    crisis_contact: float = p(0.0, 1.0, "probability",
                              "chance a crisis (acute episode or a main carer's breakdown) with unmet need leads to contact")


@dataclass(frozen=True)
class Wellbeing:
    """Wellbeing moves weekly toward a target set by resources, unmet need, isolation and strain."""

    base: float = p(0.0, 1.0, "0-1", "target wellbeing with no personal resources and no problems")
    personal_weight: float = p(0.0, 1.0, "0-1", "target gained at full personal resources")
    unmet_weight: float = p(0.0, 1.0, "0-1", "target lost at or above unmet_scale hours of unmet need")
    unmet_scale: float = p(0.1, 168.0, "hours/week", "unmet need at which the unmet penalty is full")
    isolation_weight: float = p(0.0, 1.0, "0-1", "target lost when isolated")
    strain_weight: float = p(0.0, 1.0, "0-1", "target lost at full carer strain")
    group_weight: float = p(0.0, 1.0, "0-1", "target gained by belonging to an active group")
    adjustment: float = p(0.0, 1.0, "per week", "share of the gap to target closed weekly")
    discouragement: float = p(0.0, 1.0, "per week", "personal resources lost in a week of unmet need")


@dataclass(frozen=True)
class Community:
    """Associations, contributors, awareness and reciprocity."""

    volunteer_hours: float = p(0.0, 40.0, "hours/week", "community support a contributor gives")
    group_support_hours: float = p(0.0, 200.0, "hours/week", "support an active group gives its area")
    critical_mass: float = p(1.0, 500.0, "members", "members at which a group is fully active")
    activity_rate: float = p(0.0, 1.0, "per week", "speed at which activity moves to its target")
    dissolve_activity: float = p(0.0, 1.0, "activity", "groups below this activity dissolve")
    formation_weekly: float = p(0.0, 1.0, "per neighbourhood-week", "new groups per neighbourhood at 15% contributors")
    join_weekly: float = p(0.0, 1.0, "per resident-week", "aware residents joining a matching group")
    leave_weekly: float = p(0.0, 1.0, "per membership-week", "memberships lapsing")
    reciprocity: float = p(0.0, 1.0, "per week", "people helped by the community who become contributors")
    contributor_lapse: float = p(0.0, 1.0, "per week", "contributors who stop (as many start, keeping the share)")
    awareness_spread: float = p(0.0, 1.0, "per tie-week", "awareness passed along an aware active tie")
    awareness_lapse: float = p(0.0, 1.0, "per week", "awareness forgotten")
    membership_confidence: float = p(0.0, 1.0, "per week", "personal resources gained by group members")
    group_room: int = p(1, 1000, "members", "members a group can take: practitioners link people only to groups with room")
    capacity: float = p(0.0, 10.0, "x", "community capacity: volunteers' and groups' support hours relative to the defaults")
    belonging_activity: float = p(0.0, 1.0, "activity",
                                  "activity at which a group's members belong (not isolated, gain confidence and wellbeing)")


@dataclass(frozen=True)
class Builders:
    """What a community builder site and the connectors it recruits do (``model/builders.py``)."""

    lag_weeks: int = p(0, 520, "weeks", "weeks in post before a builder's work shows any effect")
    ramp_weeks: int = p(1, 520, "weeks", "further weeks until a builder reaches full effect")
    introductions_weekly: float = p(0.0, 50.0, "per FTE-week", "residents introduced to someone sharing an interest")
    introduction_strength: float = p(0.0, 1.0, "strength", "strength of the tie an introduction creates")
    connectors_yearly: float = p(0.0, 100.0, "per FTE-year", "residents recruited as community connectors")
    connector_introductions: float = p(0.0, 1.0, "per connector-week", "introductions a connector makes")
    grants_yearly: float = p(0.0, 100.0, "per FTE-year", "small-sparks grants, each founding a group")
    spark_invites: int = p(0, 100, "residents", "neighbours sharing the interest a new group invites")
    celebrations_yearly: float = p(0.0, 52.0, "per FTE-year", "celebrations of community activity")
    celebration_reach: float = p(0.0, 1.0, "fraction", "residents of the neighbourhood a celebration makes aware")
    connector_aid_hours: float = p(0.0, 40.0, "hours/week", "help a connector organises for people they know, per unit of scenario.mutual_aid")


@dataclass(frozen=True)
class Review:
    """Review practice: how long-term packages are reviewed, a lever of its own usable with any front door
    (config group ``review``, chosen by each policy preset; ``review@policy.review=...`` changes it)."""

    name: str
    review_hours: float = p(0.0, 40.0, "hours", "practitioner time a review of a long-term package takes")
    review_weeks: int = p(1, 520, "weeks", "interval between reviews of a long-term package")
    step_down: bool = p(doc="reviews step packages down where network/community can meet the need")


@dataclass(frozen=True)
class Policy:
    """What the front door does; outcomes emerge from residents' resources and capacity."""

    name: str
    review: Review
    mode: str = choice(POLICY_MODES, "front-door model")
    staff_fte_per_10k: float = p(0.0, 100.0, "FTE per 10,000 adults", "the practitioner team: conversations, plan support, assessments, reviews")
    productive_hours: float = p(1.0, 48.0, "hours/FTE-week", "hours per FTE available for conversations")
    contact_hours: float = p(0.0, 40.0, "hours", "first conversation (screening or 'connect' conversation)")
    plan_hours: float = p(0.0, 40.0, "hours", "second conversation: short-term/crisis plan, 'let's talk local'")
    assessment_hours: float = p(0.0, 80.0, "hours", "needs assessment and support planning")
    eligibility_hours: float = p(0.0, 168.0, "hours/week", "unmet need at which statutory support is eligible")
    connect_boost: float = p(0.0, 1.0, "strength", "tie strength a 'connect' conversation restores")
    link_groups: bool = p(doc="practitioners introduce people to a group matching their interests")
    mobilisation: float = p(0.0, 1.0, "fraction", "share of the gap to asking for everything a conversation closes")
    plan_weeks: int = p(0, 104, "weeks", "length of a community plan with follow-up")
    plan_support_hours: float = p(0.0, 40.0, "hours/week", "practitioner/link-worker support during a plan")
    reablement_first: bool = p(doc="offer reablement before long-term support when need is mostly acute")
    signpost_uptake: float = p(0.0, 1.0, "probability", "chance a signposted person joins a group")
    outreach_weekly: float = p(0.0, 1.0, "per week", "chance a coordinator reaches someone with unmet need before they call")
    referral_weekly: float = p(0.0, 1.0, "per week", "chance primary care refers an isolated person with a need to a link worker")
    personal_budget_share: float = p(0.0, 1.0, "probability",
                                     "chance someone offered residential care takes a personal budget for care at home")
    builder_coverage: float = p(0.0, 1.0, "fraction", "neighbourhoods with a community builder site, most deprived first")
    builder_fte: float = p(0.0, 5.0, "FTE per site", "community builder time at each site")
    ramp_weeks: int = p(0, 520, "weeks", "weeks over which the practice ramps in from the status quo's (0 = at once)")
    transition_share: float = p(0.0, 1.0, "fraction", "team cost spent on training, supervision and double running while a new practice ramps in")


@dataclass(frozen=True)
class Services:
    """Statutory services: allocation rules, crowd-out, dependency."""

    residential_hours: float = p(0.0, 168.0, "hours/week", "need above which residential care is offered")
    day_care_max_hours: float = p(0.0, 168.0, "hours/week", "need up to which isolated people get day care")
    day_care_hours: float = p(0.0, 60.0, "hours/week", "need met by a day-care place")
    shared_lives_share: float = p(0.0, 1.0, "fraction", "residential/day-care placements made as Shared Lives")
    reablement_weeks: int = p(1, 52, "weeks", "length of reablement")
    reablement_hours: float = p(0.0, 60.0, "hours/week", "need met during reablement")
    reablement_gain: float = p(0.0, 1.0, "per week", "chronic need shed and confidence gained in reablement")
    crowd_out: float = p(0.0, 1.0, "fraction", "informal help and tie contact withdrawn while a package runs")
    dependency_rate: float = p(0.0, 1.0, "per week", "growth of dependency on a long-term package")
    dependency_recovery: float = p(0.0, 1.0, "per week", "dependency lost without a package")
    resource_erosion: float = p(0.0, 1.0, "per week", "personal resources lost at full dependency")


@dataclass(frozen=True)
class Costs:
    """Unit costs in GBP (2024 prices); sources in configs/config.yaml."""

    home_care_hour: float = p(0.0, 1000.0, "GBP/hour")
    day_care_week: float = p(0.0, 10000.0, "GBP/week")
    residential_week: float = p(0.0, 20000.0, "GBP/week")
    shared_lives_week: float = p(0.0, 20000.0, "GBP/week")
    reablement_week: float = p(0.0, 10000.0, "GBP/week")
    staff_fte_year: float = p(0.0, 1e6, "GBP/FTE-year")
    builder_site_year: float = p(0.0, 1e6, "GBP/FTE-year", "community builder site per builder FTE, incl. small-sparks pot")
    community_hour: float = p(0.0, 100.0, "GBP/hour", "council grants to the voluntary sector per hour of community support and organised mutual aid delivered")


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
    """Which calibrated parameter set a run uses: ``configs/posterior/`` holds the ABC-SMC posterior ensemble
    (``member_NN``) and its componentwise median (``median``), each setting the calibrated values of every
    section it names.  The strengths-based conversation's two calibrated values live here because only the
    community-first presets take them (``policy.mobilisation: ${posterior.mobilisation}``); the status quo's
    front door has no such conversation."""

    name: str
    member: int = p(-1, 100000, "", "member of the posterior ensemble; -1: not a member (the median, or hand-set values)")
    mobilisation: float = p(0.0, 1.0, "fraction", "what a strengths-based conversation adds to asking (community-first presets)")
    plan_support_hours: float = p(0.0, 40.0, "hours/week", "practitioner support during a plan (community-first presets)")


@dataclass(frozen=True)
class Params:
    """Everything one run needs."""

    seed: int = p(0, 2**63 - 1, "", "seeds every random draw: the town and all its dynamics")
    weeks: int = p(1, 5200, "weeks", "simulated weeks after the policy starts")
    warmup_weeks: int = p(0, 5200, "weeks", "weeks under the service-first status quo before the policy starts")
    population: Population
    area: Area
    needs: Needs
    network: Network
    support: Support
    community: Community
    builders: Builders
    wellbeing: Wellbeing
    policy: Policy
    warmup_policy: Policy
    services: Services
    costs: Costs
    scenario: Scenario
    posterior: Posterior


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


# Section name (as annotated in Params) -> its dataclass
SECTIONS: dict[str, type] = {f.type: globals()[f.type] for f in dataclasses.fields(Params) if f.type[:1].isupper()}
SECTIONS["Review"] = Review  # nested in Policy: each policy names its review practice


def _build(cls: type, values: Mapping[str, Any], path: str):
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(f"unknown field {path}{unknown[0]}; allowed: {', '.join(fields)}")
    missing = [name for name in fields if name not in values]
    if missing:
        raise ConfigError(f"missing field {path}{missing[0]}")
    kwargs = {}
    for name, f in fields.items():
        value = values[name]
        if f.type in SECTIONS:
            if not isinstance(value, Mapping):
                raise ConfigError(f"{path}{name} must be a mapping of fields")
            kwargs[name] = _build(SECTIONS[f.type], value, f"{path}{name}.")
        else:
            kwargs[name] = _check_value(f"{path}{name}", f, value)
    return cls(**kwargs)


def validate(cls: type, values: Mapping[str, Any], path: str = ""):
    """Validate ``values`` into ``cls``, any dataclass whose fields are declared with :func:`p` or :func:`choice`
    (e.g. an experiment's settings), by the same rule as the model's parameters."""
    return _build(cls, values, path)


# Top-level config keys that are not model parameters: the settings of the apps sharing configs/ (how a run is
# run and written, Hydra's own, experiments.sensitivity's and experiments.calibrate's). Any other is a mistake (+foo=1).
APP_KEYS = ("output", "hydra", "sensitivity", "calibration")


def params_from_dict(values: Mapping[str, Any]) -> Params:
    """Validate a plain mapping (e.g. a resolved Hydra config) into :class:`Params`.

    Keys in ``APP_KEYS`` are ignored; any other key that is not a model parameter is an error.
    """
    model_keys = [f.name for f in dataclasses.fields(Params)]
    unknown = sorted(set(values) - set(model_keys) - set(APP_KEYS), key=str)
    if unknown:
        raise ConfigError(f"unknown field {unknown[0]}; allowed: {', '.join(model_keys + list(APP_KEYS))}")
    params = _build(Params, {k: v for k, v in values.items() if k in model_keys}, "")
    pop = params.population
    if pop.households_min > pop.households_max:
        raise ConfigError(
            f"population.households_min={pop.households_min} exceeds population.households_max={pop.households_max}"
        )
    if len(pop.adults_per_household) > 8:
        raise ConfigError(f"population.adults_per_household has {len(pop.adults_per_household)} sizes; allowed at most 8")
    if pop.share_65_84 + pop.share_85_plus > 1:
        raise ConfigError("population.share_65_84 + population.share_85_plus must not exceed 1")
    if params.area.code is None and params.area.csv is None:  # a generated town: its expected size
        weights = pop.adults_per_household
        household = sum(k * w for k, w in enumerate(weights, start=1)) / sum(weights)
        check_town_size(f"population.n_neighbourhoods={pop.n_neighbourhoods}",
                        pop.n_neighbourhoods * (pop.households_min + pop.households_max) / 2 * household)
    from .area import check_area  # model/area.py reads Population and ConfigError from this module

    check_area(params)
    return params


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
