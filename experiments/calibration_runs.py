"""The calibration's simulations: one parameter set -> the fitted figures, and the resumable table that keeps them.

A design point is one set of values of the calibrated parameters.  :class:`Simulator` runs every preset a fitted
figure names on one town (one seed) and measures each figure over the policy weeks from ``figures.yaml``'s
``from_week``; the presets share the warm-up (it runs the status quo whatever the policy, so it is simulated once
and restored for each: ``model.checkpoint``).  :func:`simulate_all` runs a list of points on a pool of
single-threaded workers and appends each finished batch to the table ``runs.parquet`` (written atomically), so a
calibration that is stopped or killed redoes at most one batch when started again.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import polars as pl

from experiments.workers import model_pool
from model.checkpoint import capture, fingerprint, restore
from model.config import params_with
from model.outputs import atomic_write
from model.simulation import ResilienceModel
from model.summary import summarise

FAILED = float("nan")  # a figure a run cannot measure (no contact served, say) is missing, not a number
KEYS = ("wave", "point", "seed")  # a run's identity in the table


class Simulator:
    """One design point's values and seed -> {figure: value} for the figures ``figures`` (id -> (preset, measure))."""

    def __init__(self, presets: Mapping[str, dict], figures: Mapping[str, tuple[str, str]], from_week: int):
        self.presets = dict(presets)
        self.figures = dict(figures)
        self.from_week = from_week

    def __call__(self, values: Mapping[str, float], seed: int) -> dict[str, float]:
        summaries = {}
        warmed = None
        for preset, config in self.presets.items():
            model = ResilienceModel(params_with(config, values, seed))
            key = fingerprint(model)
            if warmed is None:
                model.warm_up()
                warmed = (key, capture(model))
            elif key == warmed[0]:
                restore(model, warmed[1])
            steps = model.run().steps
            summaries[preset] = summarise(steps.filter(pl.col("week") >= self.from_week)).row(0, named=True)
        out = {}
        for name, (preset, measure) in self.figures.items():
            value = summaries[preset][measure]
            out[name] = float(value) if value is not None and math.isfinite(value) else FAILED
        return out


def _one(simulator: Simulator, key: tuple[int, int, int], values: dict[str, float]) -> dict:
    started = time.perf_counter()
    figures = simulator(values, key[2])
    return {**dict(zip(KEYS, key)), **values, **figures, "seconds": time.perf_counter() - started}


def run_seed(seed: int, wave: int, point: int) -> int:
    """The town (seed) of ``point`` in ``wave``: fixed by the calibration's seed, so a resumed run draws the same."""
    return int(np.random.SeedSequence([seed, wave, point]).generate_state(1)[0] % 2**31)


def simulate_all(simulator: Simulator, points: Sequence[tuple[tuple[int, int, int], dict[str, float]]], path: Path,
                 workers: int, batch: int = 10, progress: Callable[[int, int], None] | None = None) -> pl.DataFrame:
    """Run every point of ``points`` ((wave, point, seed), values) not yet in the table ``path``; append the
    results to it every ``batch`` runs (atomically).  Returns the whole table."""
    done = pl.read_parquet(path) if path.is_file() else None
    have = set() if done is None else set(zip(*(done[k].to_list() for k in KEYS)))
    todo = [(key, values) for key, values in points if key not in have]
    rows: list[dict] = []

    def flush():
        nonlocal done, rows
        if rows:
            frame = pl.DataFrame(rows)
            done = frame if done is None else pl.concat([done, frame], how="diagonal_relaxed")
            atomic_write(path, lambda tmp: done.write_parquet(tmp))
            rows = []

    if todo:
        path.parent.mkdir(parents=True, exist_ok=True)
        with model_pool(workers) as pool:
            pending = {pool.submit(_one, simulator, key, values) for key, values in todo}
            finished = 0
            try:
                while pending:
                    ready, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in ready:
                        rows.append(future.result())
                        finished += 1
                    if len(rows) >= batch:
                        flush()
                        if progress:
                            progress(finished, len(todo))
            finally:  # what finished is kept, whatever stopped the rest
                for future in pending:
                    future.cancel()
                flush()
    return done
