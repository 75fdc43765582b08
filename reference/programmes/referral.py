"""Referral in plain Python: the rule of ``model/programmes/referral.py``."""

from __future__ import annotations

from .programme import Programme


class Referral(Programme):
    """Primary care refers isolated people with a need to a conversation (social prescribing)."""

    name = "referral"

    def bring_in(self, model, week: int) -> None:
        pars = self.in_force(model)
        if pars is None:
            return
        for r in model.slots:
            if r.isolated and r.need > 0 and r.open_to_route(week) and r.in_touch(week) < pars.weekly:
                r.come_in(week)
