"""What the front door offers programmes, and the only part of it a programme may use.

A programme reaches the council's front door in three ways, each kept here so that no programme edits
the front door's rules and the front door names no programme:

* **Who is brought to a conversation.**  A programme's route (outreach, a referral) runs after the week's
  own contacts (``phases/contacts.py``) and brings people in with :func:`bring`, the one rule that puts a
  contact in the queue.  Routes use the same draw as people's own contacts (``draws.IN_TOUCH``), so a
  resident is in touch this week if the draw falls below any route's chance: routes add up as the largest
  of their chances, and the order they run in changes nothing.  :func:`open_to_route` is whom a route may
  reach: no one already supported, waiting, or in touch within ``support.patience_weeks``.
* **What a conversation can connect someone to.**  A programme offers :class:`Places`: local places with
  room (a group, and in time a befriender or a network), each with the interest it suits, a rank and how
  many are taken, listed by neighbourhood; and for the people in the queue, the place each already holds
  and whether they can take another.  In the conversation the practitioner finds the best place
  (``lib.groups.best_place``), in a practice that runs the programme (``new``, the new practice, or the
  status quo's); a conversation that connects someone to something local counts on the neighbourhood's
  voluntary support in full, without one on half.  When it settles on the community (resolved, or a plan)
  the place is taken at once, so the next person finds it fuller, and the programme completes the
  connection after the front door (:meth:`Places.connect`: a membership, a tie).  The places are data, not
  code, so the front door's kernel is compiled and cached once whatever programme offers them.
* **The packages a conversation or an assessment starts.**  Every start goes through
  ``lib.packages.start_package``, which lists the week's starts (``starts[:n_starts[0]]``, and
  ``starts_new``: whether the new practice started it); a programme that changes the package (a personal
  budget instead of a care home) runs after the front door and reads that list.

What a programme costs is its own cost line (a ``cost`` column it declares and measures).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from numba import njit

from .. import codes


@njit(inline="always", cache=True)
def bring(i, week, way, contacted, since_last, last_contact, contacts, queued_since, route):
    """``i`` is in touch with the front door this week by route ``way`` (``codes.ROUTES``): their request joins
    the queue."""
    route[i] = way
    contacted[i] = True
    since_last[i] = week - last_contact[i]
    last_contact[i] = week
    contacts[i] += 1
    queued_since[i] = week


@njit(inline="always", cache=True)
def open_to_route(i, week, service, in_hospital, queued_since, last_contact, patience_weeks):
    """Whether a programme's route may bring ``i`` to a conversation this week: not supported already (no
    service at all, not in hospital), no contact waiting, and none within ``patience_weeks``."""
    return (service[i] == codes.NO_SERVICE and not in_hospital[i] and queued_since[i] == codes.NEVER
            and week - last_contact[i] > patience_weeks)


@dataclass(frozen=True)
class Places:
    """What a programme offers a conversation: places by neighbourhood (``start`` [H+1], ``places``), each place's
    ``interest``, ``rank`` and ``taken`` count (the front door adds to it as places are taken), the most a place
    takes (``room``), whether the new practice and the status quo's offer them (``in_new``,
    ``in_status_quo``); ``people(order)`` gives, for the people in the queue in order, the place each holds
    (-1 for none) and whether they can take another; ``connect(order, connected, free)`` completes, after the
    front door, each connection made (``connected[t]``: the place queue position ``t`` took, or -1)."""

    start: np.ndarray
    places: np.ndarray
    interest: np.ndarray
    rank: np.ndarray
    taken: np.ndarray
    room: int
    in_new: bool
    in_status_quo: bool
    people: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    connect: Callable[[np.ndarray, np.ndarray, np.ndarray], None]

    def kernel_arguments(self) -> dict:
        """The front door's kernel arguments for these places."""
        return {"place_start": self.start, "places": self.places, "place_interest": self.interest,
                "place_rank": self.rank, "place_taken": self.taken, "place_room": self.room,
                "places_new": self.in_new, "places_status_quo": self.in_status_quo}


def no_places(n_hoods: int) -> Places:
    """What the front door offers when no programme offers places: none, anywhere."""
    empty = np.zeros(1, dtype=np.int32)
    return Places(np.zeros(n_hoods + 1, dtype=np.int64), empty, empty, np.zeros(1), empty, 0, False, False,
                  people=lambda order: (np.full(order.size, -1, dtype=np.int32), np.zeros(order.size, dtype=np.bool_)),
                  connect=lambda order, connected, free: None)
