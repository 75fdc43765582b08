"""Linking to groups: a practitioner introduces the person to a local group that shares their interests.

The places a conversation can connect someone to (``phases/conversation.py``): the groups of their
neighbourhood alive as the week began, ranked by activity, each taking up to ``community.group_room``
members.  The practitioner finds the most active group sharing one of the person's interests, with room, other
than their first; when the conversation settles on the community (resolved at first contact, or a community
plan) the place is taken at once, so the next person linked this week finds the group fuller, and the person
joins it (``essex_conv1_connect``, ``shropshire_community_plan``, ``lac_small_money``, ``oldham_rani``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..lib.groups import join_group
from ..phases.conversation import Places
from .programme import Programme


@dataclass(frozen=True)
class GroupLinkingPars:
    """Practitioners link people to local groups in a conversation (no parameters: a practice runs it or not)."""


class GroupLinking(Programme):
    """Programme: the places a conversation offers are the local groups that share the person's interests."""

    name = "group_linking"
    Pars = GroupLinkingPars
    after = "front_door"  # it acts inside the front door's triage, through places(); nothing of its own to step

    def places(self, model) -> Places:
        """The groups as the front door's places, with each queued person's first membership and a free slot."""
        s = model.sources
        member = s["member"]

        def people(order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return member[order, 0], member[order, 1] < 0

        def connect(order: np.ndarray, connected: np.ndarray, free: np.ndarray) -> None:
            for i, group in zip(order[connected >= 0], connected[connected >= 0]):
                join_group(member, i, group)

        return Places(s["hood_groups_start"], s["hood_groups"], s["group_interest"], s["group_activity"],
                      s["group_members"], model.params.community.group_room, self.in_policy is not None,
                      self.in_status_quo is not None, people, connect)
