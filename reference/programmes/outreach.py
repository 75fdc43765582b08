"""Outreach in plain Python: the rule of ``model/programmes/outreach.py``."""

from __future__ import annotations

from .programme import Programme


class Outreach(Programme):
    """Coordinators bring people whose need went unmet this week to a conversation before they call."""

    name = "outreach"

    def bring_in(self, model, week: int) -> None:
        pars = self.in_force(model)
        if pars is None:
            return
        for r in model.slots:
            if r.weeks_unmet > 0 and r.open_to_route(week) and r.in_touch(week) < pars.weekly:
                r.come_in(week)
