"""Linking to groups in plain Python: the rule of ``model/programmes/group_linking.py``."""

from __future__ import annotations

from ..agents import matching_group, take_place
from .programme import Programme


class GroupLinking(Programme):
    """A conversation links the person to the most active local group sharing their interests, with room."""

    name = "group_linking"

    def find(self, model, r, new: bool):
        if (self.in_policy if new else self.in_status_quo) is None:
            return None
        return matching_group(model, r)

    def take(self, model, r, group) -> None:
        take_place(r, group)
