"""Statutory packages: which service states are long-term packages, and which package a start chooses.

One rule for every route that starts a package (the front door's assessment, the assessment when a plan or
reablement ends) and for the programmes that change the choice (personal budgets): the same need gets the
same package whichever front door started it.
"""

from numba import njit

from .. import codes
from ..draws import SHARED_LIVES
from ..rng import TRIAGE, uniform


@njit(inline="always", cache=True)
def on_long_term(service):
    """Whether a service state is a statutory long-term package."""
    return service >= codes.HOME_CARE


@njit(inline="always", cache=True)
def needs_care_home(i, need, met_network, services_pars):
    """Whether the package for ``i`` would be a care home (or a Shared Lives placement): need at or above
    ``services_pars.residential_hours`` with the network meeting less than 30% of it."""
    return need[i] >= services_pars.residential_hours and met_network[i] < 0.3 * need[i]


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
def start_package(key, week, i, new, need, unmet, met_network, isolated, service, service_hours, next_review,
                  review_weeks, services_pars, starts, n_starts, starts_new):
    """Choose and start a long-term package sized to the need that nothing else meets: a care home (or Shared
    Lives) where :func:`needs_care_home`, else :func:`care_at_home`; the first review in ``review_weeks``.

    Adds ``i`` to the week's starts (``starts[:n_starts[0]]``, with ``starts_new``: whether the new practice
    started it), which programmes that change the choice read after the front door (``model/phases/conversation.py``).
    """
    if needs_care_home(i, need, met_network, services_pars):
        shared = uniform(key, TRIAGE, week, i, SHARED_LIVES) < services_pars.shared_lives_share
        service[i] = codes.SHARED_LIVES if shared else codes.RESIDENTIAL
    else:
        care_at_home(key, week, i, unmet, isolated, service, service_hours, services_pars)
    next_review[i] = week + review_weeks
    starts[n_starts[0]] = i
    starts_new[n_starts[0]] = new
    n_starts[0] += 1
