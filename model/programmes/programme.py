"""What a programme adds to a component: the phase it follows in the week, and its parameters in each practice."""

from __future__ import annotations

from typing import ClassVar

from ..component import Component


class Programme(Component):
    """A component a policy runs (its section is ``policy.programmes.<name>``), acting right after the phase
    named ``after``.

    During the warm-up the status quo's practice is in force, and the policy's from policy week 0; while a new
    practice ramps in, each piece of work is done in one or the other.  So a programme holds its parameters in
    both (``in_policy``, ``in_status_quo``: the section, or None where that practice does not run it) and
    :meth:`in_force` gives this week's.  A programme runs in a model when either practice runs it; a run
    without it records its columns as zero.
    """

    after: ClassVar[str]

    def __init__(self, model):
        self.in_policy = model.params.policy.programmes.get(self.name)
        self.in_status_quo = model.params.warmup_policy.programmes.get(self.name)

    def in_force(self, week):
        """This week's parameters: the policy's in policy weeks, the status quo's during the warm-up (None: not run)."""
        return self.in_policy if week.policy_on else self.in_status_quo
