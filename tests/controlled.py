"""``python -m experiments.run`` stopped where a test says, so a test never waits on time or guesses
where a sweep has got to: ``python -m tests.controlled [--pause-before K ...] [--kill-on-write N] ARGS``.

``--pause-before K``: job K of the sweep (K = 1, 2, ... as in its ``[K/N]`` lines), holding its run's
lock, prints ``paused before simulating job K: <run dir>`` and reads a line from stdin before it
simulates; the test reads that line, then writes one to let the job go on, or kills the sweep there.
``--kill-on-write N``: the process writes half of its N-th Parquet file and SIGKILLs itself, so it is
killed midway through a write.  ARGS go to ``experiments.run`` unchanged, which runs as ``-m`` runs it.
The patches live here, in the tests, so the production code carries no test hook.
"""

from __future__ import annotations

import argparse
import io
import os
import runpy
import signal
import sys
from pathlib import Path

import polars as pl
from hydra.core.hydra_config import HydraConfig

from experiments import warmups


def pause_before(jobs: set[int]) -> None:
    """Make the jobs numbered in ``jobs`` wait for a line on stdin before they simulate (their warm-up first)."""
    simulate = warmups.warmed_up

    def paused(*args, **kwargs):
        hydra = HydraConfig.get()
        job = hydra.job.num + 1
        if job in jobs:
            print(f"paused before simulating job {job}: {hydra.runtime.output_dir}", flush=True)
            sys.stdin.readline()
        return simulate(*args, **kwargs)

    warmups.warmed_up = paused  # before experiments.run imports it


def kill_on_write(n: int) -> None:
    """SIGKILL this process halfway through writing its ``n``-th Parquet file."""
    write = pl.DataFrame.write_parquet
    written = []

    def killing(frame, file, *args, **kwargs):
        written.append(file)
        if len(written) < n:
            return write(frame, file, *args, **kwargs)
        whole = io.BytesIO()
        write(frame, whole, *args, **kwargs)
        Path(file).write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
        os.kill(os.getpid(), signal.SIGKILL)

    pl.DataFrame.write_parquet = killing


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.controlled")
    parser.add_argument("--pause-before", type=int, action="append", default=[], metavar="K")
    parser.add_argument("--kill-on-write", type=int, metavar="N")
    options, hydra_args = parser.parse_known_args()
    if options.pause_before:
        pause_before(set(options.pause_before))
    if options.kill_on_write:
        kill_on_write(options.kill_on_write)
    sys.argv = [sys.argv[0], *hydra_args]
    # As -m runs it: Hydra finds configs/ beside the file of a __main__ module.
    runpy.run_module("experiments.run", run_name="__main__", alter_sys=True)
