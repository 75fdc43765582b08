"""Statutory packages: which service states are long-term packages or care homes, and which package a start chooses.

One rule for every route that starts a package (the front door's assessment, a hospital discharge, the
assessment when a plan or reablement ends) and for the programmes that change the choice (personal budgets):
the same need gets the same package whichever front door started it.
"""

from numba import njit

from .. import codes
from ..draws import FUNDS_WEEKS, SHARED_LIVES
from ..rng import TRIAGE, exponential, uniform


@njit(inline="always", cache=True)
def on_long_term(service):
    """Whether a service state is a statutory long-term package."""
    return service >= codes.HOME_CARE


@njit(inline="always", cache=True)
def in_care_home(service):
    """Whether a service state is a care home (residential or nursing)."""
    return service == codes.RESIDENTIAL or service == codes.NURSING


@njit(inline="always", cache=True)
def lives_away(service):
    """Whether someone lives in a placement (a care home or Shared Lives): their need is met there, and they give no
    one care."""
    return service >= codes.SHARED_LIVES


@njit(cache=True)
def mark_last_starts(starts, n_starts, seen, last):
    """``last[t]`` for each of the week's starts (``starts[:n_starts[0]]``): whether it is its resident's last this
    week (someone assessed twice in a week keeps the last package).  ``seen`` is all False on entry and on
    return."""
    for t in range(n_starts[0] - 1, -1, -1):
        i = starts[t]
        last[t] = not seen[i]
        seen[i] = True
    for t in range(n_starts[0]):
        seen[starts[t]] = False


@njit(inline="always", cache=True)
def needs_care_home(i, unmet, services_pars):
    """Whether the package for ``i`` would be a care home: the care at home it would take (the need nothing else
    meets) is beyond ``services_pars.home_care_max_hours``, past which a council does not offer care at home."""
    return unmet[i] >= services_pars.home_care_max_hours


@njit(cache=True)
def care_at_home(key, week, i, unmet, isolated, service, service_hours, services_pars):
    """A package at home: day care (or Shared Lives) for an isolated person whose unmet need day care can meet,
    else home care sized to the unmet need."""
    if isolated[i] and unmet[i] <= services_pars.day_care_max_hours:
        shared = uniform(key, TRIAGE, week, i, SHARED_LIVES) < services_pars.shared_lives_share
        service[i] = codes.SHARED_LIVES if shared else codes.DAY_CARE
    else:
        service[i] = codes.HOME_CARE
        service_hours[i] = unmet[i]


@njit(cache=True)
def start_package(key, week, i, new, moved, need, unmet, isolated, wealthy, self_funded, funds_until, service,
                  service_hours, long_term_since, next_review, review_weeks, services_pars, starts, n_starts, starts_new,
                  starts_moved):
    """Choose and start a long-term package sized to the need nothing else meets: a care home where
    :func:`needs_care_home` (nursing at ``services_pars.nursing_hours`` of need or more; else residential, or a
    Shared Lives placement with chance ``services_pars.shared_lives_share``), else :func:`care_at_home`; the
    first review in ``review_weeks``.  Returns whether the council funds it.

    Someone with assets above the upper capital limit (``wealthy``) pays for a care home themselves: they
    move in self-funded until their assets run down (an exponential time of mean
    ``services_pars.self_funder_weeks``), and the council pays nothing until then.  A council-funded start is
    added to the week's starts (``starts[:n_starts[0]]``, with ``starts_new``: whether the new practice made
    it, and ``starts_moved``: whether it ``moved`` someone already on a long-term package into a care home, a
    change of setting rather than a new client), which programmes that change the choice read after the front
    door (``model/phases/conversation.py``).  A new client's ``long_term_since`` is this week.
    """
    if needs_care_home(i, unmet, services_pars):
        if need[i] >= services_pars.nursing_hours:
            service[i] = codes.NURSING
        elif uniform(key, TRIAGE, week, i, SHARED_LIVES) < services_pars.shared_lives_share:
            service[i] = codes.SHARED_LIVES  # a placement with a Shared Lives carer, arranged by the council
        else:
            service[i] = codes.RESIDENTIAL
        if wealthy[i] and service[i] != codes.SHARED_LIVES:
            self_funded[i] = True
            next_review[i] = codes.NEVER  # not the council's client: no review until it takes the placement over
            funds_until[i] = week + 1 + int(exponential(key, TRIAGE, week, i, FUNDS_WEEKS,
                                                        services_pars.self_funder_weeks))
            return False
    else:
        care_at_home(key, week, i, unmet, isolated, service, service_hours, services_pars)
    next_review[i] = week + review_weeks
    if not moved:
        long_term_since[i] = week
    starts[n_starts[0]] = i
    starts_new[n_starts[0]] = new
    starts_moved[n_starts[0]] = moved
    n_starts[0] += 1
    return True
