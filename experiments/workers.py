"""Worker processes for experiments that run many model runs in parallel (calibration, sensitivity analysis).

Spawned, not forked: a fork of a process that has already run polars or numba threads can leave a worker
waiting forever on a lock copied mid-use (seen with the forking samplers of the earlier calibration library, pyabc, after polars had run).  Each
worker runs numba on one thread, so the workers together do not oversubscribe the cores.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor


def _single_threaded() -> None:
    """Worker initialiser: one numba thread per process."""
    import numba

    numba.set_num_threads(1)


def model_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes, each running numba on one thread."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_single_threaded)
