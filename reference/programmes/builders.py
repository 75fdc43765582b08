"""Community builders in plain Python: builder sites as Mesa agents, the work of ``model/programmes/builders.py``."""

from __future__ import annotations

import mesa

from model import codes
from model.draws import BLOCK, CELEBRATE, INTRODUCE, RECRUIT, RESIDENT_OFFSET, SPARK
from model.programmes.builders import ramp_up, site_hoods
from model.rng import BUILDERS, below, uniform

from ..agents import Resident, can_take_part, join_group, shares_interest
from .programme import Programme


class Builders(Programme):
    """Builder sites in the most deprived neighbourhoods, open from the policy's first week."""

    name = "builders"

    def __init__(self, model):
        super().__init__(model)
        pars = self.in_policy
        coverage = pars.coverage if pars is not None and pars.fte > 0 else 0.0
        self.sites = mesa.agent.AgentSet([Site(model, int(h), pars.fte, pars)
                                          for h in site_hoods(model.deprivation_array(), coverage)],
                                         random=model.random)
        self._recorded = [0, 0, 0, 0]

    def after_community(self, model, week: int) -> None:
        if model.policy_week >= 0:
            self.sites.do("step")

    def tally(self) -> list[int]:
        """What the sites did since the last recorded week."""
        total = [sum(site.tally[k] for site in self.sites) for k in range(4)]
        done = [a - b for a, b in zip(total, self._recorded)]
        self._recorded = total
        return done


class Site(mesa.Agent):
    """A community builder site in one neighbourhood (``model/programmes/builders.py`` describes the work)."""

    def __init__(self, model: mesa.Model, hood: int, fte: float, pars):
        super().__init__(model)
        self.hood, self.fte, self.pars = hood, fte, pars
        self.tally = [0, 0, 0, 0]  # introductions, connectors recruited, groups founded, celebrations

    def effort(self) -> float:
        return self.fte * ramp_up(self.model.policy_week, self.pars)

    def _count(self, draw: int, expected: float) -> int:
        whole = int(expected)
        return whole + (uniform(self.model.key, BUILDERS, self.model.week, self.hood, draw) < expected - whole)

    def _pick(self, draw: int) -> Resident:
        residents = self.model.hood_residents[self.hood]
        return residents[below(self.model.key, BUILDERS, self.model.week, self.hood, draw, len(residents))]

    def step(self) -> None:
        m, bld, h, week = self.model, self.pars, self.hood, self.model.week
        residents = m.hood_residents[h]
        effort = self.effort()
        if len(residents) < 2 or effort <= 0:
            return
        for t in range(self._count(INTRODUCE * BLOCK, bld.introductions_weekly * effort)):
            draw = INTRODUCE * BLOCK + 1 + t * 13
            i = self._pick(draw)
            if can_take_part(i.service) and i.introduce(week, h, draw + 1, residents):
                self.tally[0] += 1
        for t in range(self._count(RECRUIT * BLOCK, bld.connectors_yearly / 52.0 * effort)):
            for k in range(12):
                i = self._pick(RECRUIT * BLOCK + 1 + t * 12 + k)
                if i.contributor != codes.CONNECTOR and can_take_part(i.service):
                    i.contributor, i.aware = codes.CONNECTOR, True
                    self.tally[1] += 1
                    break
        invites = 4 * bld.spark_invites
        for t in range(self._count(SPARK * BLOCK, bld.grants_yearly / 52.0 * effort)):
            draw = SPARK * BLOCK + 1 + t * (invites + 2)
            founder = self._pick(draw)
            if not can_take_part(founder.service):
                continue
            held = [c for c in range(32) if shares_interest(founder.interests, c)]
            pick = below(m.key, BUILDERS, week, h, draw + 1, max(len(held), 1))
            group = m.found_group(0, h, held[pick] if held else 0)
            if group is None:
                return
            self.tally[2] += 1
            join_group(founder, group)
            founder.aware = True
            if founder.contributor == codes.NOT_CONTRIBUTOR:
                founder.contributor = codes.VOLUNTEER
            joined = 0
            for k in range(invites):
                if joined == bld.spark_invites:
                    break
                j = self._pick(draw + 2 + k)
                if j is not founder and shares_interest(j.interests, group.interest) and can_take_part(j.service):
                    join_group(j, group)
                    j.aware = True
                    joined += 1
        for t in range(self._count(CELEBRATE * BLOCK, bld.celebrations_yearly / 52.0 * effort)):
            self.tally[3] += 1
            for i in residents:
                if uniform(m.key, BUILDERS, week, RESIDENT_OFFSET + i.slot, CELEBRATE * BLOCK + 1 + t) < bld.celebration_reach:
                    i.aware = True
