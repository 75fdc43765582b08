"""Weekly measurements: one parallel pass per neighbourhood, summed in a fixed order.

The same per-neighbourhood sums give the town-level row of the per-step table
and, every ``hood_every`` weeks, the rows of the per-neighbourhood table.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numba import njit, prange

from . import codes

HOOD_COLUMNS = (
    "residents", "need_hours", "unmet_hours", "with_unmet", "isolated", "wellbeing_sum", "carers",
    "carer_strain_sum", "carers_high_strain", "aware", "contributors", "members", "deaths", "contacts",
    "recontacts_12w", "recontacts_26w", "home_care_hours",
    *(f"caseload_{name}" for name in codes.SERVICES[1:]),
)
_COL = {name: c for c, name in enumerate(HOOD_COLUMNS)}
_CASELOAD = _COL["caseload_community_plan"]  # first caseload column; codes follow in SERVICES order


@njit(parallel=True, cache=True)
def _hood_sums(hood_start, need, unmet, isolated, wellbeing, helper_load, strain, aware, contributor, member, died,
               contacted, since_last, service, met_service, unmet_threshold, out):
    n_hoods = hood_start.shape[0] - 1
    for h in prange(n_hoods):
        # Local accumulators (kept in registers), written once per neighbourhood.
        need_sum = unmet_sum = with_unmet = n_isolated = wellbeing_sum = carers = strain_sum = high_strain = 0.0
        n_aware = contributors = members = deaths = contacts = recontacts_12 = recontacts_26 = home_care = 0.0
        caseload = np.zeros(len(codes.SERVICES))
        for i in range(hood_start[h], hood_start[h + 1]):
            need_sum += need[i]
            unmet_sum += unmet[i]
            with_unmet += unmet[i] > unmet_threshold
            n_isolated += isolated[i]
            wellbeing_sum += wellbeing[i]
            if helper_load[i] > 0:
                carers += 1
                strain_sum += strain[i]
                high_strain += strain[i] >= 0.5
            n_aware += aware[i]
            contributors += contributor[i] != codes.NOT_CONTRIBUTOR
            members += member[i, 0] >= 0
            deaths += died[i]
            if contacted[i]:
                contacts += 1
                recontacts_12 += since_last[i] <= 12
                recontacts_26 += since_last[i] <= 26
            if service[i] == codes.HOME_CARE:
                home_care += met_service[i]
            caseload[service[i]] += 1
        row = out[h]
        row[0] = hood_start[h + 1] - hood_start[h]
        row[1] = need_sum
        row[2] = unmet_sum
        row[3] = with_unmet
        row[4] = n_isolated
        row[5] = wellbeing_sum
        row[6] = carers
        row[7] = strain_sum
        row[8] = high_strain
        row[9] = n_aware
        row[10] = contributors
        row[11] = members
        row[12] = deaths
        row[13] = contacts
        row[14] = recontacts_12
        row[15] = recontacts_26
        row[16] = home_care
        row[_CASELOAD:_CASELOAD + len(codes.SERVICES) - 1] = caseload[1:]


def hood_sums(state, unmet_threshold: float, contacted: np.ndarray, since_last: np.ndarray) -> np.ndarray:
    """Per-neighbourhood sums of HOOD_COLUMNS for the current week, shape [H, len(HOOD_COLUMNS)]."""
    r = state.residents
    out = np.zeros((state.hoods.households.size, len(HOOD_COLUMNS)))
    _hood_sums(state.hoods.start, r.need, r.unmet, r.isolated, r.wellbeing, r.helper_load, r.strain, r.aware,
               r.contributor, r.member, r.died, contacted, since_last, r.service, r.met_service, unmet_threshold, out)
    return out


class Recorder:
    """Collects the per-step and per-neighbourhood tables of a run."""

    def __init__(self, hood_every: int):
        self.hood_every = hood_every
        self.steps: list[dict] = []
        self.hood_rows: list[tuple[int, np.ndarray, np.ndarray]] = []
        self._hood_contacts = None

    def record(self, week: int, sums: np.ndarray, extra: dict, wellbeing: np.ndarray, groups_per_hood: np.ndarray) -> None:
        """Add week ``week``'s row; ``extra`` holds front-door, group and cost measures."""
        totals = sums.sum(axis=0)
        t = dict(zip(HOOD_COLUMNS, totals.tolist()))
        n = t["residents"]
        row = {
            "week": week,
            "residents": int(n),
            "deaths": int(t["deaths"]),
            "contacts": int(t["contacts"]),
            "contacts_per_1000": 1000 * t["contacts"] / n,
            "recontacts_12w": int(t["recontacts_12w"]),
            "recontacts_26w": int(t["recontacts_26w"]),
            **extra,
            **{k: int(t[k]) for k in HOOD_COLUMNS if k.startswith("caseload_")},
            "caseload_long_term": int(sum(t[f"caseload_{s}"] for s in codes.LONG_TERM_SERVICES)),
            "home_care_hours": t["home_care_hours"],
            "need_hours": t["need_hours"],
            "unmet_hours": t["unmet_hours"],
            "unmet_share": t["unmet_hours"] / t["need_hours"] if t["need_hours"] > 0 else 0.0,
            "with_unmet_need": int(t["with_unmet"]),
            "isolation_rate": t["isolated"] / n,
            "wellbeing_mean": t["wellbeing_sum"] / n,
            "wellbeing_p10": float(np.partition(wellbeing, len(wellbeing) // 10)[len(wellbeing) // 10]),
            "carers": int(t["carers"]),
            "carer_strain_mean": t["carer_strain_sum"] / t["carers"] if t["carers"] > 0 else 0.0,
            "carers_high_strain": int(t["carers_high_strain"]),
            "aware_share": t["aware"] / n,
            "contributors": int(t["contributors"]),
            "group_members": int(t["members"]),
        }
        self.steps.append(row)
        contacts = sums[:, _COL["contacts"]]
        self._hood_contacts = contacts.copy() if self._hood_contacts is None else self._hood_contacts + contacts
        if (week + 1) % self.hood_every == 0:
            snapshot = sums.copy()
            snapshot[:, _COL["contacts"]] = self._hood_contacts
            self._hood_contacts = None
            self.hood_rows.append((week, snapshot, groups_per_hood.copy()))

    def steps_frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.steps)

    def hoods_frame(self, deprivation: np.ndarray) -> pl.DataFrame:
        """Per-neighbourhood rows every ``hood_every`` weeks (contacts summed over the period)."""
        frames = []
        for week, sums, groups in self.hood_rows:
            n = sums[:, _COL["residents"]]
            frames.append(pl.DataFrame({
                "week": np.full(len(n), week, dtype=np.int32),
                "neighbourhood": np.arange(len(n), dtype=np.int32),
                "deprivation": deprivation,
                "residents": n.astype(np.int32),
                "contacts_per_1000": 1000 * sums[:, _COL["contacts"]] / n,
                "unmet_share": np.divide(sums[:, _COL["unmet_hours"]], sums[:, _COL["need_hours"]],
                                         out=np.zeros(len(n)), where=sums[:, _COL["need_hours"]] > 0),
                "isolation_rate": sums[:, _COL["isolated"]] / n,
                "wellbeing_mean": sums[:, _COL["wellbeing_sum"]] / n,
                "caseload_long_term": sum(sums[:, _COL[f"caseload_{s}"]] for s in codes.LONG_TERM_SERVICES).astype(np.int32),
                "groups_active": groups.astype(np.int32),
            }))
        return pl.concat(frames) if frames else pl.DataFrame()
