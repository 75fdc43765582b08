"""Same rules, new draws: the per-step measures of the model before and after a change of random draws.

A change that only renumbers the random draws (a cheaper hash, one draw per tie instead of one per tie
end, a different rounding of tie strengths) changes every result, so the golden digests cannot tell
whether the rules survived it.  This compares distributions instead: over ``SEEDS`` the mean of each
measure in ``MEASURES`` over a run's policy weeks, for both policies, against the same numbers recorded
by the code before the change (``draws_before.json``, written by ``python -m tests.draw_equivalence``
at that revision).  The initial town depends on the seed alone (``model/population.py`` draws it with
numpy's generator, not with the weekly draws), so each seed gives a pair of runs of one town and
the test is paired: a t-test of the per-seed differences, Bonferroni-corrected over measures and
policies.  Seeds are fixed, so the verdict is the same on every run.

What it can see (measured when the draws changed at issue 14, from the spread of the per-seed
differences): a shift of the mean of about 0.1% in wellbeing, 0.6% in active ties, 3% in unmet need and
group members, 4% in carers, 6% in isolation and deaths, 8-9% in contacts, caseload and cost, 13-17% in
statutory starts; the queue, nearly always empty in this town, is not a useful check.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy import stats

from model.config import load_params
from model.simulation import ResilienceModel

FILE = Path(__file__).with_name("draws_before.json")
TOWN = ("population.n_neighbourhoods=12", "warmup_weeks=104", "weeks=104")
POLICIES = ("service_first", "community_first")
SEEDS = range(40)
MEASURES = ("contacts_per_1000", "statutory_starts", "caseload_long_term", "cost_total", "unmet_share",
            "isolation_rate", "wellbeing_mean", "ties_active", "carers", "care_hours", "carer_strain_mean",
            "aware_share", "group_members", "groups_active", "deaths", "queue_length",
            "outcome_resolved_first_contact")
ALPHA = 0.01  # family-wise: the chance that unchanged rules fail the test, over every measure and policy


def run_means(policy: str, seed: int, extra: tuple[str, ...] = ()) -> dict[str, float]:
    """Each measure's mean over the policy weeks of one run."""
    steps = ResilienceModel(load_params(TOWN + (f"policy={policy}", f"seed={seed}") + extra)).run().steps
    return {name: float(steps[name].mean()) for name in MEASURES}


def measures_over_seeds(extra: tuple[str, ...] = ()) -> dict[str, dict[str, list[float]]]:
    """``{policy: {measure: [mean of seed 0, seed 1, ...]}}``."""
    out = {}
    for policy in POLICIES:
        runs = [run_means(policy, seed, extra) for seed in SEEDS]
        out[policy] = {name: [run[name] for run in runs] for name in MEASURES}
    return out


def compare(before: dict, after: dict) -> list[dict]:
    """One row per policy and measure: means before and after, the paired t-test's p-value and whether it
    rejects equal means at the family-wise ``ALPHA`` (Bonferroni over every row)."""
    tests = len(POLICIES) * len(MEASURES)
    rows = []
    for policy in POLICIES:
        for name in MEASURES:
            a, b = np.asarray(before[policy][name]), np.asarray(after[policy][name])
            diff = b - a
            p = 1.0 if not diff.any() else float(stats.ttest_rel(b, a).pvalue)
            rows.append({"policy": policy, "measure": name, "before": a.mean(), "after": b.mean(),
                         "difference_sd": diff.mean() / a.std(ddof=1) if a.std(ddof=1) > 0 else 0.0,
                         "p": p, "differs": p < ALPHA / tests})
    return rows


def record() -> None:
    """Write ``draws_before.json`` from the code as it is now (run at the revision before a change of draws)."""
    revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    FILE.write_text(json.dumps({"revision": revision, "town": TOWN, "seeds": list(SEEDS),
                                "measures": measures_over_seeds()}, indent=1) + "\n")


if __name__ == "__main__":
    record()
    sys.exit(0)
