"""Weekly measurements: the town-wide sums over residents, and the tables a run returns.

One parallel pass per neighbourhood (:func:`_hood_sums`) gives, summed in a fixed order, the town-level
measures of residents (need, isolation, wellbeing, carers, caseloads, hours of home care and community
support, connectors, the queue, reviews asked for, carers' breakdowns, active ties) and, every
``hood_every`` weeks, the rows of the neighbourhoods table.  The components add their own measures to the
same row, reading these sums (:attr:`Recorder.totals`, a :class:`Totals` with a field per sum) rather than
summing residents again; the recorder declares its own columns (:attr:`Recorder.results`) as every
component does, and ``model/schema.py`` assembles the table.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit, prange

from . import codes
from collections import namedtuple

from .schema import NEIGHBOURHOODS, Column, neighbourhoods_frame, steps_frame
from .state import Kernel

HOOD_COLUMNS = (
    "residents", "need_hours", "unmet_hours", "with_unmet", "isolated", "wellbeing_sum", "carers", "carers_20_49h",
    "carers_50h_plus", "care_hours", "carer_strain_sum", "carers_high_strain", "aware", "contributors", "members",
    "deaths", "contacts", "recontacts_12w", "recontacts_26w", "home_care_hours", "community_hours", "connectors",
    "waiting", "reviews_requested", "carer_breakdowns", "active_tie_ends", "residents_65_plus", "adl_need_65_plus",
    "adl_unmet_65_plus", "contacts_hospital", "contacts_new_in_year", "in_hospital", "self_funded_care_home",
    "long_stay_clients", "long_stay_reviewed", "residents_65_69", "need_65_69", "residents_80_plus", "need_80_plus",
    "clients_with_carer", "clients_carer_50h",
    *(f"caseload_{name}" for name in codes.SERVICES[1:]),
)
_COL = {name: c for c, name in enumerate(HOOD_COLUMNS)}
Totals = namedtuple("Totals", HOOD_COLUMNS)
Totals.__doc__ = "This week's sums over every resident of the town, one field per :data:`HOOD_COLUMNS` name."
# Named slots of a neighbourhood's row (module-level ints are frozen into the kernel as constants)
_RESIDENTS, _NEED, _UNMET, _WITH_UNMET = _COL["residents"], _COL["need_hours"], _COL["unmet_hours"], _COL["with_unmet"]
_ISOLATED, _WELLBEING, _CARERS, _STRAIN = _COL["isolated"], _COL["wellbeing_sum"], _COL["carers"], _COL["carer_strain_sum"]
_HIGH_STRAIN, _AWARE, _CONTRIBUTORS, _MEMBERS = (_COL["carers_high_strain"], _COL["aware"], _COL["contributors"],
                                                 _COL["members"])
_CARERS_20, _CARERS_50, _CARE_HOURS = _COL["carers_20_49h"], _COL["carers_50h_plus"], _COL["care_hours"]
_DEATHS, _CONTACTS, _RECONTACTS_12, _RECONTACTS_26 = (_COL["deaths"], _COL["contacts"], _COL["recontacts_12w"],
                                                      _COL["recontacts_26w"])
_HOME_CARE, _COMMUNITY_HOURS = _COL["home_care_hours"], _COL["community_hours"]
_CONNECTORS, _WAITING, _REVIEWS_REQUESTED = _COL["connectors"], _COL["waiting"], _COL["reviews_requested"]
_BREAKDOWNS, _ACTIVE_TIE_ENDS = _COL["carer_breakdowns"], _COL["active_tie_ends"]
_OLD, _ADL_NEED, _ADL_UNMET = _COL["residents_65_plus"], _COL["adl_need_65_plus"], _COL["adl_unmet_65_plus"]
_FROM_HOSPITAL, _NEW_IN_YEAR = _COL["contacts_hospital"], _COL["contacts_new_in_year"]
_IN_HOSPITAL, _SELF_FUNDED = _COL["in_hospital"], _COL["self_funded_care_home"]
_LONG_STAY, _REVIEWED = _COL["long_stay_clients"], _COL["long_stay_reviewed"]
_OLD_65_69, _NEED_65_69, _OLD_80, _NEED_80 = (_COL["residents_65_69"], _COL["need_65_69"], _COL["residents_80_plus"],
                                              _COL["need_80_plus"])
_WITH_CARER, _CARER_50 = _COL["clients_with_carer"], _COL["clients_carer_50h"]
_CASELOAD = _COL["caseload_community_plan"]  # first caseload column; codes follow in SERVICES order
HIGH_STRAIN = 0.5  # carer strain counted as high
CARE_BANDS = (20.0, 50.0)  # hours a week at which the Census 2021 bands of unpaid care begin: 1-19, 20-49, 50+
CARER_HOURS = 1.0  # help of an hour a week or more makes a carer, as the Census's lowest band counts them
# How the surveys' questions map onto need (docs/evidence.md, "Need as the surveys count it"): someone needs help
# with an activity of daily living (HSE) with need of half an hour a day or more, and has an unmet need for that
# help with an hour a week or more of it met by no one.
ADL_HOURS, ADL_UNMET_HOURS = 3.5, 1.0
NEED_HOURS = 1.0  # needing help with an activity of daily living or an instrumental one (HSE): an hour a week or more
NEW_IN_YEAR_WEEKS = 52  # a request by someone who made none in the year before: a requesting person, for ASC-FR
YEAR = 52  # a long-stay client has had long-term support for a year or more; reviewed: within the last year (ASC-FR)


@njit(parallel=True, cache=True)
def _hood_sums(week, hood_start, age, need, unmet, isolated, wellbeing, helper_load, strain, aware, contributor, member,
               died, contacted, since_last, route, service, met_service, met_community, queued_since, review_requested,
               breaking, active, in_hospital, self_funded, long_term_since, last_review, carer, unmet_threshold, out):
    n_hoods = hood_start.shape[0] - 1
    for h in prange(n_hoods):
        # Local accumulators (kept in registers), written once per neighbourhood.
        need_sum = unmet_sum = with_unmet = n_isolated = wellbeing_sum = carers = strain_sum = high_strain = 0.0
        carers_20 = carers_50 = care_hours = 0.0
        n_aware = contributors = members = deaths = contacts = recontacts_12 = recontacts_26 = home_care = 0.0
        community_hours = connectors = waiting = reviews_requested = breakdowns = active_tie_ends = 0.0
        old = adl_need = adl_unmet = from_hospital = new_in_year = hospital = self_funders = 0.0
        long_stay = reviewed = old_65_69 = need_65_69 = old_80 = need_80 = with_carer = carer_50 = 0.0
        caseload = np.zeros(len(codes.SERVICES))
        for i in range(hood_start[h], hood_start[h + 1]):
            need_sum += need[i]
            unmet_sum += unmet[i]
            with_unmet += unmet[i] > unmet_threshold
            n_isolated += isolated[i]
            wellbeing_sum += wellbeing[i]
            if helper_load[i] >= CARER_HOURS:
                carers += 1
                carers_20 += CARE_BANDS[0] <= helper_load[i] < CARE_BANDS[1]
                carers_50 += helper_load[i] >= CARE_BANDS[1]
                care_hours += helper_load[i]
                strain_sum += strain[i]
                high_strain += strain[i] >= HIGH_STRAIN
            n_aware += aware[i]
            contributors += contributor[i] != codes.NOT_CONTRIBUTOR
            members += member[i, 0] >= 0
            deaths += died[i]
            if age[i] >= 65:
                old += 1
                if need[i] >= ADL_HOURS:
                    adl_need += 1
                    adl_unmet += unmet[i] >= ADL_UNMET_HOURS
                if age[i] < 70:
                    old_65_69 += 1
                    need_65_69 += need[i] >= NEED_HOURS
                elif age[i] >= 80:
                    old_80 += 1
                    need_80 += need[i] >= NEED_HOURS
            if contacted[i]:
                contacts += 1
                recontacts_12 += since_last[i] <= 12
                recontacts_26 += since_last[i] <= 26
                from_hospital += route[i] == codes.HOSPITAL_ROUTE
                new_in_year += since_last[i] > NEW_IN_YEAR_WEEKS
            hospital += in_hospital[i]
            if service[i] == codes.HOME_CARE and not in_hospital[i]:
                home_care += met_service[i]
            community_hours += met_community[i]
            connectors += contributor[i] == codes.CONNECTOR
            waiting += queued_since[i] != codes.NEVER
            reviews_requested += review_requested[i]
            breakdowns += breaking[i]
            active_tie_ends += active[i]
            if self_funded[i]:  # in a care home they pay for: not the council's client
                self_funders += 1
            else:
                caseload[service[i]] += 1
                if service[i] >= codes.HOME_CARE:  # a long-term client (lib.packages.on_long_term)
                    if week - long_term_since[i] >= YEAR:
                        long_stay += 1
                        reviewed += week - last_review[i] < YEAR
                    if carer[i] >= 0:
                        with_carer += 1
                        carer_50 += helper_load[carer[i]] >= CARE_BANDS[1]
        row = out[h]
        row[_RESIDENTS] = hood_start[h + 1] - hood_start[h]
        row[_NEED] = need_sum
        row[_UNMET] = unmet_sum
        row[_WITH_UNMET] = with_unmet
        row[_ISOLATED] = n_isolated
        row[_WELLBEING] = wellbeing_sum
        row[_CARERS] = carers
        row[_CARERS_20] = carers_20
        row[_CARERS_50] = carers_50
        row[_CARE_HOURS] = care_hours
        row[_STRAIN] = strain_sum
        row[_HIGH_STRAIN] = high_strain
        row[_AWARE] = n_aware
        row[_CONTRIBUTORS] = contributors
        row[_MEMBERS] = members
        row[_DEATHS] = deaths
        row[_CONTACTS] = contacts
        row[_RECONTACTS_12] = recontacts_12
        row[_RECONTACTS_26] = recontacts_26
        row[_HOME_CARE] = home_care
        row[_COMMUNITY_HOURS] = community_hours
        row[_CONNECTORS] = connectors
        row[_WAITING] = waiting
        row[_REVIEWS_REQUESTED] = reviews_requested
        row[_BREAKDOWNS] = breakdowns
        row[_ACTIVE_TIE_ENDS] = active_tie_ends
        row[_OLD] = old
        row[_ADL_NEED] = adl_need
        row[_ADL_UNMET] = adl_unmet
        row[_FROM_HOSPITAL] = from_hospital
        row[_NEW_IN_YEAR] = new_in_year
        row[_IN_HOSPITAL] = hospital
        row[_SELF_FUNDED] = self_funders
        row[_LONG_STAY] = long_stay
        row[_REVIEWED] = reviewed
        row[_OLD_65_69] = old_65_69
        row[_NEED_65_69] = need_65_69
        row[_OLD_80] = old_80
        row[_NEED_80] = need_80
        row[_WITH_CARER] = with_carer
        row[_CARER_50] = carer_50
        row[_CASELOAD:_CASELOAD + len(codes.SERVICES) - 1] = caseload[1:]


@njit(cache=True)
def kth_smallest(values, k, bins=4096):
    """The ``k``-th smallest (0-based) of ``values``, all in [0, 1]: what ``np.partition(values, k)[k]`` gives,
    found by counting the values in ``bins`` equal bins and sorting only the bin that holds rank ``k``
    (two passes over the values instead of a partition of all of them)."""
    counts = np.zeros(bins + 1, dtype=np.int64)
    for v in values:
        counts[min(np.int64(v * bins), bins)] += 1
    below, b = 0, 0
    while below + counts[b] <= k:
        below += counts[b]
        b += 1
    held = np.empty(counts[b])
    m = 0
    for v in values:
        if min(np.int64(v * bins), bins) == b:
            held[m] = v
            m += 1
    held.sort()
    return held[k - below]


class Recorder:
    """Collects the per-step and per-neighbourhood tables of a run.

    ``sources`` are the arrays the sums read (the state's, this week's included: who contacted and who
    burnt out); ``unmet_threshold`` is the unmet need that counts as need not met; ``columns`` the steps
    table's columns (``schema.steps_columns``).
    """

    results = (
        Column("week", "int", "week", "policy week (0 = the policy's first week)"),
        Column("residents", "int", "adults", "adults living in the town (constant: deaths are refilled)"),
        Column("deaths", "int", "adults", "deaths this week"),
        Column("contacts", "int", "contacts", "new contacts with the front door this week"),
        Column("contacts_per_1000", "float", "per 1,000 adults", "contacts per 1,000 adults this week"),
        Column("recontacts_12w", "int", "contacts", "contacts by someone who last called within 12 weeks"),
        Column("recontacts_26w", "int", "contacts", "contacts by someone who last called within 26 weeks"),
        Column("contacts_hospital", "int", "contacts", "requests by the hospital route (discharges that need support)"),
        Column("contacts_new_in_year", "int", "contacts",
               "requests by someone who made none in the year before (a requesting person, as ASC-FR counts them)"),
        *(Column(f"caseload_{name}", "int", "people", doc) for name, doc in (
            ("community_plan", "people on a community plan"), ("reablement", "people in reablement"),
            ("low_level", "people with ongoing low-level support (equipment, telecare)"),
            ("home_care", "people receiving home care"), ("day_care", "people at day care"),
            ("shared_lives", "people in a Shared Lives placement"),
            ("residential", "people in residential care the council funds"),
            ("nursing", "people in nursing care the council funds"))),
        Column("caseload_long_term", "int", "people",
               "people on a council-funded long-term package (home, day, Shared Lives, residential, nursing)"),
        Column("self_funded_care_home", "int", "people", "people in a care home they pay for themselves"),
        Column("in_hospital", "int", "adults", "people in hospital this week"),
        Column("home_care_hours", "float", "hours", "home care hours delivered this week"),
        Column("need_hours", "float", "hours", "total need this week"),
        Column("unmet_hours", "float", "hours", "need met by nobody this week"),
        Column("unmet_share", "float", "fraction", "unmet hours / need hours"),
        Column("with_unmet_need", "int", "adults", "adults with more unmet need than support.unmet_threshold"),
        Column("isolation_rate", "float", "fraction", "adults with fewer than two active ties and no active group"),
        Column("wellbeing_mean", "float", "0-1", "mean wellbeing"),
        Column("wellbeing_p10", "float", "0-1", "wellbeing of the worst-off tenth (10th percentile)"),
        Column("carers", "int", "adults", "adults giving informal help this week"),
        Column("carers_20_49h", "int", "adults",
               "adults giving 20-49 hours of informal help this week (a Census 2021 band)"),
        Column("carers_50h_plus", "int", "adults", "adults giving 50 hours or more of informal help this week"),
        Column("care_hours", "float", "hours", "informal help given this week (by main carers and everyone else)"),
        Column("carer_strain_mean", "float", "0-1", "mean strain of those carers"),
        Column("carers_high_strain", "int", "adults", "carers with strain of 0.5 or more"),
        Column("aware_share", "float", "fraction", "adults aware of local community activity"),
        Column("contributors", "int", "adults", "volunteers and connectors"),
        Column("group_members", "int", "adults", "adults in at least one group"),
        Column("residents_65_plus", "int", "adults", "adults aged 65 and over"),
        Column("adl_need_65_plus", "int", "adults", "adults 65+ needing help with an activity of daily living (need of "
               "3.5 hours a week or more: HSE)"),
        Column("adl_unmet_65_plus", "int", "adults", "adults 65+ with an unmet need for that help (an hour a week or more "
               "of it met by no one: HSE)"),
        Column("residents_65_69", "int", "adults", "adults aged 65 to 69"),
        Column("need_65_69", "int", "adults", "adults 65-69 needing help with an activity of daily living or an "
               "instrumental one (need of an hour a week or more: HSE)"),
        Column("residents_80_plus", "int", "adults", "adults aged 80 and over"),
        Column("need_80_plus", "int", "adults", "adults 80+ needing help with an activity of daily living or an "
               "instrumental one (need of an hour a week or more: HSE)"),
        Column("long_stay_clients", "int", "people", "council-funded long-term clients supported for a year or more"),
        Column("long_stay_reviewed", "int", "people", "those of them whose package was reviewed within the last year"),
        Column("clients_with_carer", "int", "people", "long-term clients with a main carer this week"),
        Column("clients_carer_50h", "int", "people", "those whose main carer gives 50 hours or more a week"),
    )

    def __init__(self, hood_every: int, sources: dict, unmet_threshold: float, n_hoods: int,
                 columns: tuple[Column, ...]):
        self.hood_every = hood_every
        self.columns = columns
        self.steps: list[dict] = []
        self.hood_rows: list[tuple[int, np.ndarray, np.ndarray]] = []
        self._hood_contacts = None
        self._sums = np.zeros((n_hoods, len(HOOD_COLUMNS)))
        self._hood_sums = Kernel(_hood_sums, {**sources, "unmet_threshold": unmet_threshold, "out": self._sums})
        self._wellbeing = sources["wellbeing"]
        self.totals = Totals(*(0.0,) * len(HOOD_COLUMNS))

    def sum_residents(self, week: int) -> None:
        """This week's sums over residents (the run's ``week``), by neighbourhood and for the town (``totals``), for
        the components' measures and the week's row."""
        self._sums[:] = 0.0
        self._hood_sums(week=week)
        self.totals = Totals(*self._sums.sum(axis=0).tolist())

    def record(self, policy_week: int, measures: dict, groups_per_hood: np.ndarray) -> None:
        """Add ``policy_week``'s row: the residents' sums (:meth:`sum_residents`, taken this week), plus
        ``measures`` from the components."""
        sums = self._sums
        t = self.totals._asdict()
        n = t["residents"]
        wellbeing = self._wellbeing
        row = {
            "week": policy_week,
            "residents": int(n),
            "deaths": int(t["deaths"]),
            "contacts": int(t["contacts"]),
            "contacts_per_1000": 1000 * t["contacts"] / n,
            "contacts_hospital": int(t["contacts_hospital"]),
            "contacts_new_in_year": int(t["contacts_new_in_year"]),
            "self_funded_care_home": int(t["self_funded_care_home"]),
            "in_hospital": int(t["in_hospital"]),
            "recontacts_12w": int(t["recontacts_12w"]),
            "recontacts_26w": int(t["recontacts_26w"]),
            **measures,
            **{k: int(t[k]) for k in HOOD_COLUMNS if k.startswith("caseload_")},
            "caseload_long_term": int(sum(t[f"caseload_{s}"] for s in codes.LONG_TERM_SERVICES)),
            "home_care_hours": t["home_care_hours"],
            "need_hours": t["need_hours"],
            "unmet_hours": t["unmet_hours"],
            "unmet_share": t["unmet_hours"] / t["need_hours"] if t["need_hours"] > 0 else 0.0,
            "with_unmet_need": int(t["with_unmet"]),
            "isolation_rate": t["isolated"] / n,
            "wellbeing_mean": t["wellbeing_sum"] / n,
            "wellbeing_p10": float(kth_smallest(wellbeing, len(wellbeing) // 10)),
            "carers": int(t["carers"]),
            "carers_20_49h": int(t["carers_20_49h"]),
            "carers_50h_plus": int(t["carers_50h_plus"]),
            "care_hours": t["care_hours"],
            "carer_strain_mean": t["carer_strain_sum"] / t["carers"] if t["carers"] > 0 else 0.0,
            "carers_high_strain": int(t["carers_high_strain"]),
            "aware_share": t["aware"] / n,
            "contributors": int(t["contributors"]),
            "group_members": int(t["members"]),
            "residents_65_plus": int(t["residents_65_plus"]),
            "adl_need_65_plus": int(t["adl_need_65_plus"]),
            "adl_unmet_65_plus": int(t["adl_unmet_65_plus"]),
            **{k: int(t[k]) for k in ("residents_65_69", "need_65_69", "residents_80_plus", "need_80_plus",
                                      "long_stay_clients", "long_stay_reviewed", "clients_with_carer",
                                      "clients_carer_50h")},
        }
        self.steps.append(row)
        contacts = sums[:, _CONTACTS]
        self._hood_contacts = contacts.copy() if self._hood_contacts is None else self._hood_contacts + contacts
        if (policy_week + 1) % self.hood_every == 0:
            snapshot = sums.copy()
            snapshot[:, _CONTACTS] = self._hood_contacts
            self._hood_contacts = None
            self.hood_rows.append((policy_week, snapshot, groups_per_hood.copy()))

    def steps_frame(self) -> pl.DataFrame:
        return steps_frame(self.steps, self.columns)

    def hoods_frame(self, deprivation: np.ndarray) -> pl.DataFrame:
        """Per-neighbourhood rows every ``hood_every`` weeks (contacts summed over the period)."""
        frames = []
        for week, sums, groups in self.hood_rows:
            n = sums[:, _RESIDENTS]
            frames.append(neighbourhoods_frame({
                "week": np.full(len(n), week, dtype=np.int32),
                "neighbourhood": np.arange(len(n), dtype=np.int32),
                "deprivation": deprivation,
                "residents": n.astype(np.int32),
                "contacts_per_1000": 1000 * sums[:, _CONTACTS] / n,
                "unmet_share": np.divide(sums[:, _UNMET], sums[:, _NEED], out=np.zeros(len(n)), where=sums[:, _NEED] > 0),
                "isolation_rate": sums[:, _ISOLATED] / n,
                "wellbeing_mean": sums[:, _WELLBEING] / n,
                "caseload_long_term": sum(sums[:, _COL[f"caseload_{s}"]] for s in codes.LONG_TERM_SERVICES).astype(np.int32),
                "groups_active": groups.astype(np.int32),
            }))
        return pl.concat(frames) if frames else neighbourhoods_frame({c.name: [] for c in NEIGHBOURHOODS})
