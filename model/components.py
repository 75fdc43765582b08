"""The model's components: the phases in the order of the week, the programmes a policy can run, and ``Params``,
everything one run needs, assembled from the sections they declare.

This is the one place that names every component.  A new programme is a module under ``model/programmes/``
and a line in :data:`PROGRAMMES`; its parameters, arrays, columns and costs come with it
(``docs/architecture.md``, "Adding a programme").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping

from .area import check_area, town_of
from .params import APP_KEYS, Area, ConfigError, Policy, Population, Posterior, Scenario, build, check_town_size, p
from .phases.community import Community, CommunityPars
from .phases.contacts import Contacts
from .phases.costs import Costs, CostsPars
from .phases.care_homes import CareHomes
from .phases.frontdoor import FrontDoor
from .phases.hospital import Hospital, HospitalPars
from .phases.life import Life, NeedsPars
from .phases.reviews import Reviews
from .phases.services import ServiceEffects, ServicesPars
from .phases.support import Support, SupportPars
from .phases.team import Team
from .phases.ties import NetworkPars, Ties
from .phases.wellbeing import Wellbeing, WellbeingPars
from .programmes.builders import Builders
from .programmes.group_linking import GroupLinking
from .programmes.mutual_aid import MutualAid, MutualAidPars
from .programmes.outreach import Outreach
from .programmes.personal_budgets import PersonalBudgets
from .programmes.referral import Referral
from .recorder import Recorder
from .schema import steps_columns

# The phases, in the order they run each week.
PHASES = (Life, Hospital, ServiceEffects, Community, Ties, Support, Wellbeing, Contacts, Team, Reviews, FrontDoor,
          CareHomes, Costs)
# The programmes a policy can run (``policy.programmes``), each acting right after the phase it names in ``after``.
PROGRAMMES = (Builders, Outreach, Referral, GroupLinking, PersonalBudgets)
# Programmes of the community itself, in every model: they act when a scenario calls them out.
COMMUNITY_PROGRAMMES = (MutualAid,)
PROGRAMME_SECTIONS = {programme.name: programme.Pars for programme in PROGRAMMES}
# The steps table's columns: the recorder's and every component's, whether a run runs it or not.
STEPS = steps_columns([Recorder.results, *(c.results for c in PHASES + PROGRAMMES + COMMUNITY_PROGRAMMES)])


@dataclass(frozen=True)
class Params:
    """Everything one run needs."""

    seed: int = p(0, 2**63 - 1, "", "seeds every random draw: the town and all its dynamics")
    weeks: int = p(1, 5200, "weeks", "simulated weeks after the policy starts")
    warmup_weeks: int = p(0, 5200, "weeks", "weeks under the service-first status quo before the policy starts")
    population: Population
    area: Area
    needs: NeedsPars
    hospital: HospitalPars
    network: NetworkPars
    support: SupportPars
    community: CommunityPars
    wellbeing: WellbeingPars
    policy: Policy
    warmup_policy: Policy
    services: ServicesPars
    costs: CostsPars
    mutual_aid: MutualAidPars
    scenario: Scenario
    posterior: Posterior


def week_order(programmes) -> tuple:
    """The components of a model running ``programmes`` (classes), in the order they act each week: the phases,
    each followed by the programmes that act after it, in the order given."""
    order = []
    for phase in PHASES:
        order.append(phase)
        order.extend(programme for programme in programmes if programme.after == phase.name)
    return tuple(order)


def params_from_dict(values: Mapping[str, Any]) -> Params:
    """Validate a plain mapping (e.g. a resolved Hydra config) into :class:`Params`.

    Keys in ``APP_KEYS`` are ignored; any other key that is not a model parameter is an error.
    """
    model_keys = [f.name for f in dataclasses.fields(Params)]
    unknown = sorted(set(values) - set(model_keys) - set(APP_KEYS), key=str)
    if unknown:
        raise ConfigError(f"unknown field {unknown[0]}; allowed: {', '.join(model_keys + list(APP_KEYS))}")
    params = build(Params, {k: v for k, v in values.items() if k in model_keys}, PROGRAMME_SECTIONS)
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
        check_town_size(f"population.n_neighbourhoods={pop.n_neighbourhoods}", town_adults(params))
    check_area(params)
    return params


def town_adults(params: Params) -> float:
    """The adults of the town ``params`` builds: a real area's, counted from its neighbourhoods
    (``model.area.town_of``), or a generated town's expected number (its neighbourhoods, their mean number of
    households and the mean household size of ``population.adults_per_household``).  The size check above reads
    it, and the policy lab's first estimate of a sweep's time."""
    town = town_of(params)
    if town is not None:
        return float(town.adults.sum())
    pop = params.population
    weights = pop.adults_per_household
    household = sum(k * w for k, w in enumerate(weights, start=1)) / sum(weights)
    return pop.n_neighbourhoods * (pop.households_min + pop.households_max) / 2 * household
