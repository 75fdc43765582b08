"""Requests: unmet need that persists, or a crisis, brings people to the council's front door; a discharge from
hospital that needs support brings them by the hospital route.

Someone on a long-term package whose need goes unmet, or who comes home from hospital, asks for their package to
be looked at again instead: their review is brought forward to this week, under every policy, so packages
follow changing need.  Programmes bring people to a conversation by routes of their own, after these requests
(``phases/conversation.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .. import codes
from ..component import Component
from ..draws import IN_TOUCH
from ..lib.packages import on_long_term
from ..rng import CONTACT, uniform_at, week_key
from ..schema import Column
from ..state import PER_RESIDENT, RESIDENTS, Array, Kernel
from .conversation import bring


@njit(parallel=True, cache=True)
def new_contacts(key, week, unmet, crisis, need, personal, weeks_unmet, service, self_funded, in_hospital, discharged,
                 queued_since, last_contact, contacts, contacted, since_last, route, next_review, review_requested,
                 support_pars, hospital_pars):
    """Persistent unmet need or a crisis turns into a contact; contacts join the queue.

    A crisis (an acute episode, or a main carer's breakdown) with unmet need brings a contact with chance
    ``support.crisis_contact``; unmet need that has lasted ``support.persist_weeks`` with a chance rising
    with the hours unmet.  No one waiting, in hospital or in reablement contacts again.  Someone discharged
    from hospital this week whose need is more than their own resources can meet by
    ``hospital.discharge_hours`` is referred by the hospital (``codes.HOSPITAL_ROUTE``).  Someone on a long-term
    package whose need has gone unmet for ``support.persist_weeks``, or who comes home from hospital, asks for
    their package to be looked at again: their review is brought forward to this week (``review_requested``).
    """
    contact = week_key(key, CONTACT, week)
    for i in prange(unmet.shape[0]):
        contacted[i] = False
        review_requested[i] = False
        if unmet[i] > support_pars.unmet_threshold:
            weeks_unmet[i] += 1
        else:
            weeks_unmet[i] = 0
        if on_long_term(service[i]):  # a self-funder's care home is theirs to arrange: no review to ask for
            if not self_funded[i] and (weeks_unmet[i] >= support_pars.persist_weeks or discharged[i]) \
                    and next_review[i] > week:
                next_review[i] = week
                review_requested[i] = True
            continue
        if queued_since[i] != codes.NEVER or service[i] == codes.REABLEMENT or in_hospital[i]:
            continue
        if discharged[i] and need[i] - personal[i] * support_pars.personal_hours >= hospital_pars.discharge_hours:
            bring(i, week, codes.HOSPITAL_ROUTE, contacted=contacted, since_last=since_last, last_contact=last_contact,
                  contacts=contacts, queued_since=queued_since, route=route)
            continue
        chance = 0.0
        if crisis[i] and unmet[i] > support_pars.unmet_threshold:
            chance = support_pars.crisis_contact
        if weeks_unmet[i] >= support_pars.persist_weeks:
            chance = max(chance, support_pars.contact_weekly * min(1.0, unmet[i] / support_pars.contact_scale_hours))
        if chance > 0 and uniform_at(contact, i, IN_TOUCH) < chance:
            bring(i, week, codes.COMMUNITY_ROUTE, contacted=contacted, since_last=since_last,
                  last_contact=last_contact, contacts=contacts, queued_since=queued_since, route=route)


_THIS_WEEK = dict(carried=False)


class Contacts(Component):
    """Phase: this week's contacts and review requests.

    Owns each resident's weeks of unmet need, their open contact (``queued_since``), their last contact and
    how many they have made, and this week's contacts (``contacted``, ``since_last``: weeks since their
    previous one) and review requests (``review_requested``).  Measures the review requests.
    """

    name = "contacts"
    arrays = (
        Array(RESIDENTS, "weeks_unmet", np.int32, PER_RESIDENT, "weeks", "consecutive weeks with unmet need "
              "(negative: weeks given to an offer before unmet need counts again)", arrival=0),
        Array(RESIDENTS, "queued_since", np.int32, PER_RESIDENT, "week", "week the open contact was made, "
              "codes.NEVER if none", start=codes.NEVER, arrival=codes.NEVER),
        Array(RESIDENTS, "last_contact", np.int32, PER_RESIDENT, "week", "week of the previous contact",
              start=codes.NEVER, arrival=codes.NEVER),
        Array(RESIDENTS, "contacts", np.int32, PER_RESIDENT, "contacts", "contacts made", arrival=0),
        Array(RESIDENTS, "route", np.int8, PER_RESIDENT, "code", "how the open request came (codes.ROUTES)",
              arrival=codes.COMMUNITY_ROUTE),
        Array(RESIDENTS, "contacted", np.bool_, PER_RESIDENT, "", "in touch with the front door this week",
              **_THIS_WEEK),
        Array(RESIDENTS, "since_last", np.int32, PER_RESIDENT, "weeks", "weeks since the previous contact, for "
              "those in touch this week", **_THIS_WEEK),
        Array(RESIDENTS, "review_requested", np.bool_, PER_RESIDENT, "", "package holders whose unmet need "
              "brought their review forward this week", **_THIS_WEEK),
    )
    results = (Column("reviews_requested", "int", "people",
                      "package holders whose unmet need brought their review forward"),)

    def __init__(self, model):
        self._new_contacts = Kernel(new_contacts, model.sources)

    def step(self, model, week) -> None:
        self._new_contacts(week=week.week)

    def measures(self, model, week) -> dict:
        return {"reviews_requested": int(model.recorder.totals.reviews_requested)}
