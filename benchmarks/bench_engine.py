"""Engine speed and memory at town to city scale, against the plain-Mesa reference.

    python benchmarks/bench_engine.py                      # the full table (about half an hour on 2 cores)
    python benchmarks/bench_engine.py --engine 20000:520 200000:104 --reference 2000:52
    python benchmarks/bench_engine.py --one engine 1000000 520 1   # one measurement, printed as JSON

Every measurement runs in its own process, so its peak memory (``ru_maxrss``) is that size's alone;
a process measuring with one numba thread is also pinned to one core.  Each run is the market-town
config scaled to the size (neighbourhoods of the same make-up), a fifth of the weekly steps warm-up
and the rest policy weeks (the default run is 104 + 416 = 520), timed from the first step to the
last, recording included; building the town is timed apart.  The compiled kernels are loaded by a
small run first, so compilation is not counted.

Writes ``benchmarks/results.md`` (the table, the machine and its load) unless ``--no-write``.
Targets (issue 5, not asserted in tests): 1,000,000 residents x 520 weeks in under 60 s on one core,
peak memory under 2 GiB, and at least 100 times the plain-Mesa resident-steps per second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results.md")
HOUSEHOLDS_MEAN = 150  # market town: 100-200 households a neighbourhood
ADULTS_PER_HOUSEHOLD = (0.33 * 1 + 0.50 * 2 + 0.12 * 3 + 0.05 * 4) / 1.0  # market town's weights (sum to 1)


def town_overrides(residents: int, steps: int) -> tuple[str, ...]:
    """Hydra overrides for a market town of about ``residents`` adults run for ``steps`` weekly steps."""
    hoods = max(1, round(residents / (HOUSEHOLDS_MEAN * ADULTS_PER_HOUSEHOLD)))
    warmup = steps // 5
    return (f"population.n_neighbourhoods={hoods}", f"warmup_weeks={warmup}", f"weeks={steps - warmup}")


def measure(engine: str, residents: int, steps: int, threads: int) -> dict:
    """Time one run in this process (called in a fresh process by :func:`run_one`)."""
    if threads == 1:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from model.config import load_params
    from model.simulation import ResilienceModel
    from reference import ReferenceModel

    Model = ResilienceModel if engine == "engine" else ReferenceModel
    if engine == "engine":
        ResilienceModel(load_params(town_overrides(600, 2))).run()  # load the compiled kernels
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    model = Model(load_params(town_overrides(residents, steps)))
    built = time.perf_counter()
    for _ in range(steps):
        model.step()
    done = time.perf_counter()
    n = len(model.slots) if engine == "reference" else model.state.residents.n
    return {
        "engine": engine, "residents": n, "steps": steps, "threads": threads,
        "build_s": built - started, "step_s": done - built,
        "resident_steps_per_s": n * steps / (done - built),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_build_mib": baseline / 1024,
    }


def run_one(engine: str, residents: int, steps: int, threads: int) -> dict:
    """Measure in a fresh process with ``threads`` numba threads."""
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, __file__, "--one", engine, str(residents), str(steps), str(threads)],
                         env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    import mesa
    import numba
    import numpy

    revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem / 2**20, "python": platform.python_version(),
            "numba": numba.__version__, "numpy": numpy.__version__, "mesa": mesa.__version__, "revision": revision}


def table(rows: list[dict]) -> str:
    fastest_reference = max((r["resident_steps_per_s"] for r in rows if r["engine"] == "reference"), default=None)
    lines = ["| implementation | residents | weekly steps | numba threads | build (s) | stepping (s) "
             "| 520 weeks (s) | resident-steps/s | vs plain Mesa | peak memory (MiB) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        name = "numba engine" if r["engine"] == "engine" else "plain-Mesa reference"
        ratio = f"{r['resident_steps_per_s'] / fastest_reference:,.0f}x" if fastest_reference else ""
        threads = r["threads"] if r["engine"] == "engine" else "-"
        full = r["step_s"] * 520 / r["steps"]
        full = f"{full:,.0f}" if r["steps"] == 520 else f"~{full:,.0f}"
        lines.append(f"| {name} | {r['residents']:,} | {r['steps']} | {threads} | {r['build_s']:.1f} "
                     f"| {r['step_s']:.1f} | {full} | {r['resident_steps_per_s']:,.0f} | {ratio} "
                     f"| {r['peak_rss_mib']:,.0f} |")
    return "\n".join(lines)


def targets(rows: list[dict]) -> list[str]:
    """The issue's three targets, each against the rows that measure it."""
    lines = []
    one_core = [r for r in rows if r["engine"] == "engine" and r["threads"] == 1]
    largest = max(one_core, key=lambda r: r["residents"], default=None)
    if largest:
        full = largest["step_s"] * 520 / largest["steps"]
        verdict = "met" if full < 60 else f"missed by {full / 60:.1f}x"
        how = "measured" if largest["steps"] == 520 else f"scaled from {largest['steps']} weeks"
        lines.append(f"- {largest['residents']:,} residents x 520 weeks on one core: {full:,.0f} s ({how}); "
                     f"target under 60 s: {verdict}.")
    engine = [r for r in rows if r["engine"] == "engine"]
    if engine:
        peak = max(r["peak_rss_mib"] for r in engine)
        lines.append(f"- Peak memory: {peak:,.0f} MiB at most; target under 2 GiB: {'met' if peak < 2048 else 'missed'}.")
    for ref in (r for r in rows if r["engine"] == "reference"):
        same = [r for r in one_core if abs(r["residents"] - ref["residents"]) <= 0.05 * ref["residents"]]
        if same:
            ratio = same[0]["resident_steps_per_s"] / ref["resident_steps_per_s"]
            lines.append(f"- Engine (one thread) vs plain Mesa at {ref['residents']:,} residents: {ratio:,.0f}x; "
                         f"target at least 100x: {'met' if ratio >= 100 else 'missed'}.")
    return lines


def report(rows: list[dict], load_before: tuple, load_after: tuple) -> str:
    info = machine()
    return "\n".join([
        "# Engine benchmark",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} at revision `{info['revision']}` by "
        f"`{' '.join(['python benchmarks/bench_engine.py', *sys.argv[1:]])}` "
        "(each row its own process; one-thread rows pinned to one core).",
        "",
        table(rows),
        "",
        *targets(rows),
        *([""] if targets(rows) else []),
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']:.1f} GiB; Python {info['python']}, "
        f"numba {info['numba']}, numpy {info['numpy']}, mesa {info['mesa']}.  Load average (1 min) "
        f"{load_before[0]:.1f} before and {load_after[0]:.1f} after: the machine is shared, so a load above 0 "
        "means other work competed for the cores.",
        "",
        "Resident-steps/s is residents x weekly steps / stepping time.  '520 weeks' is the stepping time "
        "of a 520-week run (~: scaled from the steps measured).  'vs plain Mesa' divides by the "
        "fastest plain-Mesa row.  Peak memory is the process's maximum resident set, including about "
        f"{min(r['rss_before_build_mib'] for r in rows):,.0f} MiB of interpreter, libraries and compiled kernels.",
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", nargs="*", default=["20000:520", "200000:520", "1000000:520"],
                        help="numba engine runs as RESIDENTS:STEPS")
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--reference", nargs="*", default=["2000:52", "20000:10"],
                        help="plain-Mesa runs as RESIDENTS:STEPS")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--one", nargs=4, metavar=("ENGINE", "RESIDENTS", "STEPS", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        engine, residents, steps, threads = args.one
        print(json.dumps(measure(engine, int(residents), int(steps), int(threads))))
        return

    load_before = os.getloadavg()
    rows = []
    for spec in args.reference:
        residents, steps = map(int, spec.split(":"))
        rows.append(run_one("reference", residents, steps, 1))
        print(rows[-1], flush=True)
    for spec in args.engine:
        residents, steps = map(int, spec.split(":"))
        for threads in args.threads:
            rows.append(run_one("engine", residents, steps, threads))
            print(rows[-1], flush=True)
    load_after = os.getloadavg()
    text = report(rows, load_before, load_after)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()
