"""Where a week of the engine spends its time, phase by phase, at a given town size.

    python benchmarks/profile_engine.py [--residents 1000000] [--weeks 52] [--threads 1]

Runs the warm-up and some policy weeks with the model's own phase timer (``profile=True``: each
phase's ``step`` is timed in the model's loop, so nothing is wrapped or patched) and prints each
phase's time per week, per resident-week and share of the stepping time.  Comparing the
per-resident-week column across sizes separates arithmetic (the same at every size) from waiting on
memory (growing once the town no longer fits in cache).
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=52, help="weekly steps timed (a fifth of them warm-up)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    os.environ["NUMBA_NUM_THREADS"] = str(args.threads)  # before numba is imported

    from bench_engine import town_overrides
    from model.config import load_params
    from model.simulation import ResilienceModel

    ResilienceModel(load_params(town_overrides(600, 2))).run()  # load the compiled kernels
    model = ResilienceModel(load_params(town_overrides(args.residents, args.weeks)), profile=True)
    n = model.state.residents.n
    started = time.perf_counter()
    for _ in range(args.weeks):
        model.step()
    total = time.perf_counter() - started
    print(f"{n:,} residents, {args.weeks} weeks, {args.threads} thread(s): {total:.1f} s, "
          f"{n * args.weeks / total / 1e6:.2f} M resident-steps/s")
    print(f"{'phase':28s} {'ms/week':>8s} {'ns/resident-week':>17s} {'share':>6s}")
    seconds = dict(model.phase_seconds)
    rest = total - sum(seconds.values())
    for name, s in [*sorted(seconds.items(), key=lambda item: -item[1]), ("(recording)", rest)]:
        print(f"{name:28s} {1e3 * s / args.weeks:8.2f} {1e9 * s / args.weeks / n:17.1f} {s / total:6.1%}")


if __name__ == "__main__":
    main()
