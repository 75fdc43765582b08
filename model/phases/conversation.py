"""What the front door offers programmes, and the only part of it a programme may use.

A programme reaches the council's front door in three ways, each kept here so that no programme edits
the front door's rules and the front door names no programme:

* **Who is brought to a conversation.**  A programme's route (outreach, a referral) runs after the week's
  own contacts (``phases/contacts.py``) and brings people in with :func:`bring`, the one rule that puts a
  contact in the queue.  Routes use the same draw as people's own contacts (``draws.IN_TOUCH``), so a
  resident is in touch this week if the draw falls below any route's chance: routes add up as the largest
  of their chances, and the order they run in changes nothing.  :func:`open_to_route` is whom a route may
  reach: no one already supported, waiting, or in touch within ``support.patience_weeks``.
* **What a conversation can connect someone to.**  The front door's triage asks one connection
  (``find(i, new, connections)`` -> a connection, or -1 for none; ``take(i, connection, connections)`` when
  the conversation settles on it), given to it as jitted functions with their own arrays (``connections``,
  a tuple).  A conversation that connects someone to something local counts on the neighbourhood's
  voluntary support in full; without one, on half.  ``new`` says whether the practitioner works in the new
  practice (else the status quo's), so a programme can run in one and not the other.  With no programme
  offering one, the front door uses :data:`NO_CONNECTION`.
* **The packages a conversation or an assessment starts.**  Every start goes through
  ``lib.packages.start_package``, which lists the week's starts (``starts[:n_starts[0]]``, and
  ``starts_new``: whether the new practice started it); a programme that changes the package (a personal
  budget instead of a care home) runs after the front door and reads that list.

What a programme costs is its own cost line (a ``cost`` column it declares and measures).
"""

from numba import njit

from .. import codes


@njit(inline="always", cache=True)
def bring(i, week, contacted, since_last, last_contact, contacts, queued_since):
    """``i`` is in touch with the front door this week: their contact joins the queue."""
    contacted[i] = True
    since_last[i] = week - last_contact[i]
    last_contact[i] = week
    contacts[i] += 1
    queued_since[i] = week


@njit(inline="always", cache=True)
def open_to_route(i, week, service, queued_since, last_contact, patience_weeks):
    """Whether a programme's route may bring ``i`` to a conversation this week: not supported already (no
    service at all), no contact waiting, and none within ``patience_weeks``."""
    return (service[i] == codes.NO_SERVICE and queued_since[i] == codes.NEVER
            and week - last_contact[i] > patience_weeks)


@njit(cache=True)
def no_connection(i, new, connections):
    """No programme offers a connection: none is found."""
    return -1


@njit(cache=True)
def nothing_to_take(i, connection, connections):
    """No programme offers a connection: nothing to take."""


NO_CONNECTION = (no_connection, nothing_to_take, ())
