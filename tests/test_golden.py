"""Golden outputs: every output column and state array of a few small runs matches its stored digest.

This is the test that catches an unintended change of results (the determinism test only compares two
runs of the same build).  An intended change regenerates ``tests/golden_digests.json`` with
``python -m tests.golden`` in the same commit, and the commit message says why.
"""

import numba
import pytest

from .golden import CASES, THREADS, case_digests, stored


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("case", CASES)
def test_outputs_match_their_golden_digests(case, threads):
    assert numba.config.NUMBA_NUM_THREADS >= threads, "needs 2 cores to check the 2-thread digests"
    expected = stored()[case]
    got = case_digests(CASES[case], threads)
    changed = sorted(name for name in expected.keys() | got.keys() if expected.get(name) != got.get(name))
    assert not changed, f"{len(changed)} outputs changed: {', '.join(changed[:12])}"


def test_a_changed_result_is_caught():
    """Negative control: one more week of warm-up changes the digests."""
    name = "service_first"
    assert case_digests(CASES[name] + ("warmup_weeks=27",), 1) != stored()[name]
