"""Statutory packages and care homes in plain Python: the rules of ``model/lib/packages.py`` and
``model/phases/care_homes.py``.

Every route that starts a package (the front door's assessment, a hospital discharge, the assessment when a plan
or reablement ends, a review that finds care at home no longer enough) chooses it by one rule, so the same need
gets the same package whichever front door started it.  A care home is chosen when the care at home the person
would need is beyond what a council offers (``services.home_care_max_hours``: a care home costs about as much as
37 hours of home care, ``asc_fr_unit_costs``).  Someone with assets above the upper capital limit pays for a care
home themselves until their assets run out, when the council takes the placement over
(``self_funders_37pct``).
"""

from __future__ import annotations

from model import codes
from model.draws import FUNDS_WEEKS, SHARED_LIVES
from model.rng import TRIAGE, exponential, uniform

from .agents import Resident, in_care_home


class CareHomes:
    """The package and care-home rules of ``ReferenceModel`` (a mixin: they use its residents and the week's
    starts)."""

    def needs_care_home(self, r: Resident) -> bool:
        """Whether ``r``'s package would be a care home: the care at home it would take (the need nothing else
        meets) is beyond ``services.home_care_max_hours``."""
        return r.unmet >= self.params.services.home_care_max_hours

    def care_at_home(self, week: int, r: Resident) -> None:
        """Day care (or Shared Lives) for an isolated person day care can serve, else home care sized to the unmet
        need."""
        svc = self.params.services
        if r.isolated and r.unmet <= svc.day_care_max_hours:
            shared = uniform(self.key, TRIAGE, week, r.slot, SHARED_LIVES) < svc.shared_lives_share
            r.service = codes.SHARED_LIVES if shared else codes.DAY_CARE
        else:
            r.service, r.service_hours = codes.HOME_CARE, r.unmet

    def start_package(self, week: int, r: Resident, new: bool, moved: bool, review_weeks: int) -> bool:
        """A long-term package sized to the need nothing else meets: a care home where :meth:`needs_care_home`
        (nursing at ``services.nursing_hours`` of need or more; else residential, or a Shared Lives placement with
        chance ``services.shared_lives_share``), else :meth:`care_at_home`; its first review in ``review_weeks``.

        A wealthy person pays for a care home themselves: self-funded until their assets run down (an exponential
        time of mean ``services.self_funder_weeks``), and the council starts nothing.  A council-funded start is
        listed in the week's starts (``self.starts``: the resident, whether the new practice made it, and whether
        it ``moved`` someone already on a long-term package into a care home, a change of setting rather than a
        new client); a new client's ``long_term_since`` is this week.  Returns whether the council funds it."""
        svc = self.params.services
        if self.needs_care_home(r):
            if r.need >= svc.nursing_hours:
                r.service = codes.NURSING
            elif uniform(self.key, TRIAGE, week, r.slot, SHARED_LIVES) < svc.shared_lives_share:
                r.service = codes.SHARED_LIVES
            else:
                r.service = codes.RESIDENTIAL
            if r.wealthy and r.service != codes.SHARED_LIVES:
                r.self_funded = True
                r.next_review = codes.NEVER  # not the council's client: no review until it takes the placement over
                r.funds_until = week + 1 + int(exponential(self.key, TRIAGE, week, r.slot, FUNDS_WEEKS,
                                                           svc.self_funder_weeks))
                return False
        else:
            self.care_at_home(week, r)
        r.next_review = week + review_weeks
        if not moved:
            r.long_term_since = week
        self.starts.append((r, new, moved))
        return True

    def _care_home_admissions(self, week: int) -> None:
        """The week's council-funded permanent admissions to a care home (each resident's last start this week
        that is a care home, as ASCOF 2A counts them, by age), after the programmes that change the week's
        packages; then the self-funders whose assets ran out this week: the council takes the placement over (an
        admission too, if they are in a care home), as a new long-term client with a review due."""
        self.admitted = {"65_plus": 0, "18_64": 0}
        seen = set()
        for r, _, _ in reversed(self.starts):
            if r.slot in seen:
                continue
            seen.add(r.slot)
            if in_care_home(r.service) and not r.self_funded:
                self.admitted["65_plus" if r.age >= 65 else "18_64"] += 1
        self.taken_over = 0
        review_weeks = self.front_door_policy.review.review_weeks
        for r in self.slots:
            if r.self_funded and r.funds_until <= week:
                r.self_funded, r.funds_until = False, codes.NEVER
                r.long_term_since, r.next_review = week, week + review_weeks
                self.taken_over += 1
                if in_care_home(r.service):
                    self.admitted["65_plus" if r.age >= 65 else "18_64"] += 1
