"""Same seed, same results; results do not depend on the number of threads."""

import numba
from polars.testing import assert_frame_equal

from model.config import load_params
from model.simulation import ResilienceModel

from .conftest import SMALL

SHORT = SMALL[:1] + ("weeks=26", "warmup_weeks=13")


def _steps(overrides):
    return ResilienceModel(load_params(overrides)).run().steps


def test_same_seed_same_results():
    assert_frame_equal(_steps(SHORT + ("seed=3",)), _steps(SHORT + ("seed=3",)))


def test_different_seeds_differ():
    a, b = _steps(SHORT + ("seed=3",)), _steps(SHORT + ("seed=4",))
    assert not a.equals(b)


def test_results_independent_of_thread_count():
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _steps(SHORT + ("seed=5",))
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = _steps(SHORT + ("seed=5",))
    finally:
        numba.set_num_threads(threads)
    assert numba.config.NUMBA_NUM_THREADS > 1, "needs more than one thread to mean anything"
    assert_frame_equal(one, many)
