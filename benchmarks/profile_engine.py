"""Where a week of the engine spends its time, kernel by kernel, at a given town size.

    python benchmarks/profile_engine.py [--residents 1000000] [--weeks 52] [--threads 1]

Wraps every kernel and helper that ``ResilienceModel.step`` calls (the names it imports into
``model.simulation``) with a timer, runs the warm-up and some policy weeks, and prints each one's
time per week, per resident-week and share of the stepping time.  Comparing the per-resident-week
column across sizes separates arithmetic (the same at every size) from waiting on memory (growing
once the town no longer fits in cache).  The model code is not changed, so the numbers are those of
a real run.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=52, help="weekly steps timed (a fifth of them warm-up)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    os.environ["NUMBA_NUM_THREADS"] = str(args.threads)  # before numba is imported

    from bench_engine import town_overrides
    from model import simulation, support
    from model.config import load_params

    simulation.ResilienceModel(load_params(town_overrides(600, 2))).run()  # load the compiled kernels
    seconds: dict[str, float] = defaultdict(float)

    def timed(name, function):
        def wrapper(*a, **k):
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                seconds[name] += time.perf_counter() - started
        return wrapper

    for name in dir(simulation):
        obj = getattr(simulation, name)
        if callable(obj) and getattr(obj, "__module__", "").startswith("model.") and not isinstance(obj, type) \
                and name not in {"kernel_view", "build_population", "run_key", "site_hoods"}:
            setattr(simulation, name, timed(name, obj))
    for name in ("_before_network", "_flag_spare", "_share_round", "_community_round"):  # the passes inside allocate
        setattr(support, name, timed(f"  allocate:{name}", getattr(support, name)))
    model = simulation.ResilienceModel(load_params(town_overrides(args.residents, args.weeks)))
    n = model.state.residents.n
    started = time.perf_counter()
    for _ in range(args.weeks):
        model.step()
    total = time.perf_counter() - started
    print(f"{n:,} residents, {args.weeks} weeks, {args.threads} thread(s): {total:.1f} s, "
          f"{n * args.weeks / total / 1e6:.2f} M resident-steps/s")
    print(f"{'kernel':28s} {'ms/week':>8s} {'ns/resident-week':>17s} {'share':>6s}")
    rest = total - sum(s for name, s in seconds.items() if not name.startswith(" "))
    for name, s in [*sorted(seconds.items(), key=lambda item: -item[1]), ("(the rest of step)", rest)]:
        print(f"{name:28s} {1e3 * s / args.weeks:8.2f} {1e9 * s / args.weeks / n:17.1f} {s / total:6.1%}")


if __name__ == "__main__":
    main()
