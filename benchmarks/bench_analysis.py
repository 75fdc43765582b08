"""How long the comparison report of a large sweep takes to build, and how much memory it needs.

    python benchmarks/bench_analysis.py RUN_DIR [--runs 400]

Builds a synthetic sweep by copying one real run directory (e.g. a 260-week market-town run) under
``--runs`` policy/seed labels, then times ``open_sweep``, each tidy table and the whole report and
prints the process's peak memory.  Target: a 400-run sweep of five-year runs reports in under 30 s.
Measured (2 cores, shared): open_sweep 1.1 s, the four tables 1.8 s, the whole report 3.9 s; peak
memory 456 MB, most of it the libraries (the per-step tables of all 400 runs are only 54 MB).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's packages, not the installed ones

from analysis import report, tables  # noqa: E402
from analysis.sweep import TABLES, open_sweep  # noqa: E402
from model import outputs  # noqa: E402


def fake_sweep(template: Path, root: Path, runs: int) -> Path:
    """``runs`` copies of ``template`` as two policies x runs/2 seeds, labels rewritten in every table."""
    policies = ("service_first", "community_first")
    for k in range(runs):
        policy, seed = policies[k % 2], k // 2
        run = root / "market_town" / "baseline" / policy / f"seed={seed}"
        run.mkdir(parents=True)
        for name in TABLES.values():
            (pl.read_parquet(template / name)
             .with_columns(pl.lit(policy).alias("policy"), pl.lit(seed, dtype=pl.Int64).alias("seed"))
             .write_parquet(run / name))
        shutil.copy(template / outputs.CONFIG, run / outputs.CONFIG)
        meta = json.loads((template / outputs.METADATA).read_text())
        (run / outputs.METADATA).write_text(json.dumps({**meta, "policy": policy, "seed": seed}))
    return root


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    print(f"{label:28s} {time.perf_counter() - started:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--runs", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = timed(f"make {args.runs} runs", lambda: fake_sweep(args.run_dir, Path(tmp) / "sweep", args.runs))
        sweep = timed("open_sweep", lambda: open_sweep(root))
        steps = sweep.scan("steps")
        timed("weekly_bands", lambda: tables.weekly_bands(steps))
        timed("cumulative_cost_difference", lambda: tables.cumulative_cost_difference(steps))
        timed("summary_table", lambda: tables.summary_table(sweep.scan("summary")))
        timed("funnel", lambda: tables.funnel(steps))
        timed("whole report", lambda: report.write_report(root, Path(tmp) / "report.html"))
        print(f"peak memory so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB")
        print(f"all runs' steps collected in memory: {steps.collect().estimated_size() / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
