"""Personal budgets in plain Python: the rule of ``model/programmes/personal_budgets.py``."""

from __future__ import annotations

from model.draws import PERSONAL_BUDGET
from model.rng import TRIAGE, uniform

from ..agents import in_care_home
from .programme import Programme


class PersonalBudgets(Programme):
    """A start that chose a care home becomes care at home, with the chance of the practice that made it (each
    resident's last start this week: someone assessed twice in a week keeps the last package)."""

    name = "personal_budgets"

    def after_front_door(self, model, week: int) -> None:
        done = set()
        for r, new, _ in reversed(model.starts):
            if r.slot in done:
                continue
            done.add(r.slot)
            pars = self.in_policy if new else self.in_status_quo
            share = pars.share if pars is not None else 0.0
            if in_care_home(r.service) and uniform(model.key, TRIAGE, week, r.slot, PERSONAL_BUDGET) < share:
                model.care_at_home(week, r)
