"""Golden outputs: sha256 digests of every output column and every state array for a few small cases.

``golden_digests.json`` holds them.  Any change to the engine that changes a result, however slightly, changes a
digest and fails ``tests/test_golden.py``.  An intended change of results regenerates the file in the
same commit, whose message says why::

    .venv/bin/python -m tests.golden            # rewrite tests/golden_digests.json

The cases cover both policies, a preset with community builders, a shock with mutual aid, and the
outreach and referral routes, each run at 1 and at 2 numba threads against the one stored set (results must not depend on the thread count).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numba
import numpy as np
import polars as pl

from model.config import load_params
from model.simulation import ResilienceModel, Results
from model.state import TOWN as TOWN_PARTS

FILE = Path(__file__).with_name("golden_digests.json")
THREADS = (1, 2)
TOWN = ("population.n_neighbourhoods=4", "warmup_weeks=26", "weeks=52")
CASES = {
    "service_first": ("policy=service_first", "seed=0"),
    "community_first": ("policy=community_first", "seed=1"),
    "leeds_abcd-builders": ("policy=leeds_abcd", "seed=2", "policy.programmes.builders.lag_weeks=4",
                            "policy.programmes.builders.ramp_weeks=4", "policy.programmes.builders.coverage=0.75"),
    "pandemic-mutual_aid": ("policy=community_first", "seed=3", "scenario=pandemic", "scenario.start_week=6",
                            "scenario.duration_weeks=26"),
    "outreach-referral": ("policy=local_area_coordination", "seed=4", "+programme@policy.programmes.referral=referral",
                          "policy.programmes.referral.weekly=0.05"),
}


def _digest(values: np.ndarray) -> str:
    values = np.ascontiguousarray(values)
    return hashlib.sha256(f"{values.dtype.str}{values.shape}".encode() + values.tobytes()).hexdigest()


def _table_digests(prefix: str, frame: pl.DataFrame) -> dict[str, str]:
    out = {f"{prefix}.__columns__": hashlib.sha256(
        json.dumps([[name, str(dtype)] for name, dtype in frame.schema.items()]).encode()).hexdigest()}
    for name in frame.columns:
        out[f"{prefix}.{name}"] = _digest(frame[name].to_numpy())
    return out


def case_digests(overrides: tuple[str, ...], threads: int) -> dict[str, str]:
    """Digests of one run of ``TOWN + overrides`` at ``threads`` numba threads: every column of the steps
    and neighbourhoods tables (with the column names, order and types) and every state array at the end."""
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        model = ResilienceModel(load_params(TOWN + overrides), hood_every=13)
        results = model.run()
    finally:
        numba.set_num_threads(before)
    return run_digests(model, results)


def run_digests(model: ResilienceModel, results: Results) -> dict[str, str]:
    """Digests of a finished run: every column of its tables (with names, order and types) and every array of the
    town's state (residents, ties, groups, neighbourhoods) that outlives its week.  The council's week (the team's
    hours) shows in the tables."""
    out = {**_table_digests("steps", results.steps), **_table_digests("neighbourhoods", results.neighbourhoods)}
    for part, arrays in model.state.carried_by_part().items():
        if part in TOWN_PARTS:
            for name, array in arrays.items():
                out[f"state.{part}.{name}"] = _digest(array)
    return out


def all_digests() -> dict[str, dict[str, str]]:
    """One set of digests per case; the same at every thread count, or this refuses to write them."""
    out = {}
    for name, overrides in CASES.items():
        by_threads = [case_digests(overrides, threads) for threads in THREADS]
        if any(d != by_threads[0] for d in by_threads):
            raise SystemExit(f"{name}: results depend on the thread count; not writing digests")
        out[name] = by_threads[0]
    return out


def stored() -> dict[str, dict[str, str]]:
    return json.loads(FILE.read_text())


if __name__ == "__main__":
    digests = all_digests()
    FILE.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    print(f"wrote {FILE} ({len(digests)} cases, {sum(map(len, digests.values()))} digests)")
