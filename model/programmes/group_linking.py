"""Linking to groups: a practitioner introduces the person to a local group that shares their interests.

What a conversation can connect someone to (``phases/conversation.py``): the most active group in their
neighbourhood sharing one of their interests, with room (``community.group_room`` members), among those
alive as the week began.  Taken when the conversation settles on the community (resolved at first contact,
or a community plan): the person joins and the place is taken at once, so the next person linked this week
finds the group fuller (``essex_conv1_connect``, ``shropshire_community_plan``, ``lac_small_money``,
``oldham_rani``).
"""

from __future__ import annotations

from dataclasses import dataclass

from numba import njit

from ..lib.groups import matching_group, take_place
from .programme import Programme


@dataclass(frozen=True)
class GroupLinkingPars:
    """Practitioners link people to local groups in a conversation (no parameters: a practice runs it or not)."""


@njit(cache=True)
def find_group(i, new, connections):
    """The group a conversation in the new practice (``new``) or the status quo's can link ``i`` to, or -1."""
    (linked_new, linked_status_quo, room, hood, interests, member, hood_groups_start, hood_groups, group_interest,
     group_activity, group_members) = connections
    if not (linked_new if new else linked_status_quo):
        return -1
    return matching_group(i, hood, interests, member, hood_groups_start, hood_groups, group_interest=group_interest,
                          group_activity=group_activity, group_members=group_members, room=room)


@njit(cache=True)
def join_found_group(i, group, connections):
    """``i`` joins the group found (if any), and the place is taken at once."""
    member, group_members = connections[5], connections[10]
    take_place(i, group, member, group_members)


class GroupLinking(Programme):
    """Programme: a conversation's connection is a local group that shares the person's interests."""

    name = "group_linking"
    Pars = GroupLinkingPars
    after = "front_door"  # it acts inside the front door's triage, through connection(); nothing of its own to step

    def connection(self, model):
        """The front door's connection: (find, take, their arrays and settings) (``phases/conversation.py``)."""
        s = model.sources
        connections = (self.in_policy is not None, self.in_status_quo is not None,
                       model.params.community.group_room, s["hood"], s["interests"], s["member"],
                       s["hood_groups_start"], s["hood_groups"], s["group_interest"], s["group_activity"],
                       s["group_members"])
        return find_group, join_found_group, connections
