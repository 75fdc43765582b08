"""What every reference programme has: its parameters in the policy's practice and in the status quo's."""

from __future__ import annotations


class Programme:
    """A programme run by the policy (``in_policy``), by the status quo (``in_status_quo``) or both; ``in_force``
    is this week's (the status quo's during the warm-up)."""

    name = ""

    def __init__(self, model):
        self.in_policy = model.params.policy.programmes.get(self.name)
        self.in_status_quo = model.params.warmup_policy.programmes.get(self.name)

    def in_force(self, model):
        return self.in_policy if model.policy_week >= 0 else self.in_status_quo
