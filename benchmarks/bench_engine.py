"""Engine speed and memory at town to city scale, against the plain-Mesa reference: issue 14's engine targets.

    python benchmarks/bench_engine.py                      # the full table (about 10 minutes before issue 14)
    python benchmarks/bench_engine.py --engine 20000:520 200000:104 --reference 20000:5
    python benchmarks/bench_engine.py --one engine 1000000 520 1   # one measurement, printed as JSON

Every measurement runs in its own process, so its peak memory (``ru_maxrss``) is that size's alone;
a process measuring with one numba thread is also pinned to one core.  Each run is the market-town
config scaled to the size (neighbourhoods of the same make-up), a fifth of the weekly steps warm-up
and the rest policy weeks (the default run is 104 + 416 = 520), timed from the first step to the
last, recording included; building the town is timed apart.  The compiled kernels are loaded by a
small run first, so compilation is not counted.

Memory speed, in the same process as each engine run and after its last week: the week is the mean
time of the run's policy weeks (every step after the warm-up, recording included), and the pass is
one streaming read-and-write pass over the whole state, every array of ``State.arrays()`` read and
written once (``benchmarks/state_pass.py``: an in-place XOR with a run-time zero, twice the state's
bytes moved; the mean of 10 passes).  Their ratio is the week's cost in passes.

The targets (issue 14, declared in ``benchmarks/targets.py``, never asserted in tests) are printed
under the table, each with its verdict: (1) 1,000,000 residents x 520 weeks in at most 30 s on one
core, peak memory under 2 GiB; (2) a week at a million residents costs at most 4 streaming passes
over the state; (3) two numba threads at least 1.7 times one thread's resident-steps/s at a million
(the ratio is shown at every size measured); (4) the engine on one thread at least 300 times the
plain-Mesa reference's resident-steps/s at 20,000 residents, both measured in the same run.  A
target judged on a row of another size than its own says so: the verdict is then indicative only.

Writes its section of ``benchmarks/results.md`` (the table, the verdicts, the code, the machine and
its load) unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's packages, not those the virtualenv was installed from

from benchmarks import targets  # noqa: E402
from benchmarks.record import Watch, code_state, describe_code, machine, write_section  # noqa: E402

HOUSEHOLDS_MEAN = 150  # market town: 100-200 households a neighbourhood
ADULTS_PER_HOUSEHOLD = (0.33 * 1 + 0.50 * 2 + 0.12 * 3 + 0.05 * 4) / 1.0  # market town's weights (sum to 1)
TITLE = "# Engine benchmark"


def town_overrides(residents: int, steps: int) -> tuple[str, ...]:
    """Hydra overrides for a market town of about ``residents`` adults run for ``steps`` weekly steps."""
    hoods = max(1, round(residents / (HOUSEHOLDS_MEAN * ADULTS_PER_HOUSEHOLD)))
    warmup = steps // 5
    return (f"population.n_neighbourhoods={hoods}", f"warmup_weeks={warmup}", f"weeks={steps - warmup}")


def measure(engine: str, residents: int, steps: int, threads: int) -> dict:
    """Time one run in this process (called in a fresh process by :func:`run_one`)."""
    if threads == 1:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from benchmarks.state_pass import pass_seconds, state_bytes
    from model.config import load_params
    from model.simulation import ResilienceModel
    from reference import ReferenceModel

    Model = ResilienceModel if engine == "engine" else ReferenceModel
    if engine == "engine":
        warm = ResilienceModel(load_params(town_overrides(600, 2)))
        warm.run()  # loads the compiled kernels
        pass_seconds(warm.state, repeats=1)  # and the pass's, before the baseline memory is read
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    model = Model(load_params(town_overrides(residents, steps)))
    built = time.perf_counter()
    ends = []
    for _ in range(steps):
        model.step()
        ends.append(time.perf_counter())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n = len(model.slots) if engine == "reference" else model.state.residents.n
    row = {
        "engine": engine, "residents": n, "steps": steps, "threads": threads,
        "build_s": built - started, "step_s": ends[-1] - built,
        "resident_steps_per_s": n * steps / (ends[-1] - built),
        "peak_rss_mib": peak / 1024, "rss_before_build_mib": baseline / 1024,
    }
    if engine == "engine":
        warmup = model.params.warmup_weeks
        weeks = [end - start for start, end in zip([built, *ends[:-1]], ends)]
        policy_weeks = weeks[warmup:]
        row.update(warmup_weeks=warmup, policy_weeks=len(policy_weeks),
                   week_s=sum(policy_weeks) / len(policy_weeks), pass_s=pass_seconds(model.state),
                   state_mib=state_bytes(model.state) / 2**20)
    return row


def run_one(engine: str, residents: int, steps: int, threads: int) -> dict:
    """Measure in a fresh process with ``threads`` numba threads; the row notes the other work meanwhile."""
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads), "PYTHONPATH": str(ROOT)}
    with Watch() as watch:
        out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--one", engine, str(residents),
                              str(steps), str(threads)], env=env, cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout
    return {**json.loads(out.strip().splitlines()[-1]), "others": watch.others}


def _full_run_s(row: dict) -> float:
    """Stepping seconds of a run of ``targets.WEEKS`` weeks (scaled if the row measured fewer)."""
    return row["step_s"] * targets.WEEKS / row["steps"]


def table(rows: list[dict]) -> str:
    fastest_reference = max((r["resident_steps_per_s"] for r in rows if r["engine"] == "reference"), default=None)
    lines = ["| implementation | residents | weekly steps | numba threads | build (s) | stepping (s) "
             f"| {targets.WEEKS} weeks (s) | resident-steps/s | vs plain Mesa | policy week (ms) | state (MiB) "
             "| state pass (ms) | week / pass | peak memory (MiB) | other work (cores) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        engine = r["engine"] == "engine"
        ratio = f"{r['resident_steps_per_s'] / fastest_reference:,.0f}x" if fastest_reference else ""
        full = f"{_full_run_s(r):,.1f}" if r["steps"] == targets.WEEKS else f"~{_full_run_s(r):,.0f}"
        memory = (f"{1e3 * r['week_s']:,.1f} | {r['state_mib']:,.0f} | {1e3 * r['pass_s']:.2f} "
                  f"| {r['week_s'] / r['pass_s']:,.1f}" if engine else "- | - | - | -")
        lines.append(f"| {'numba engine' if engine else 'plain-Mesa reference'} | {r['residents']:,} | {r['steps']} "
                     f"| {r['threads'] if engine else '-'} | {r['build_s']:.1f} | {r['step_s']:.1f} | {full} "
                     f"| {r['resident_steps_per_s']:,.0f} | {ratio} | {memory} | {r['peak_rss_mib']:,.0f} "
                     f"| {r['others']:.2f} |")
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    """Issue 14's engine targets, each judged on the rows that measure it (the largest, for the city ones)."""
    one = [r for r in rows if r["engine"] == "engine" and r["threads"] == 1]
    two = [r for r in rows if r["engine"] == "engine" and r["threads"] == 2]
    return [*_city(max(one, key=lambda r: r["residents"], default=None)), _two_threads(one, two),
            _vs_mesa(one, [r for r in rows if r["engine"] == "reference"])]


def _city(row: dict | None) -> list[str]:
    """Targets 1 (time and peak memory) and 2 (a week in streaming passes), on the largest one-thread row."""
    if row is None:
        return ["- Target 1 (time and memory) and target 2 (memory speed): not measured (no one-thread engine row)."]
    where, full = targets.judged_at(row["residents"], targets.CITY), _full_run_s(row)
    how = "measured" if row["steps"] == targets.WEEKS else f"scaled from {row['steps']} weeks"
    passes = row["week_s"] / row["pass_s"]
    speed = 2 * row["state_mib"] * 2**20 / row["pass_s"] / 1e9
    return [
        f"- Target 1, time: {where} x {targets.WEEKS} weeks on one core: {full:,.1f} s ({how}); target at most "
        f"{targets.CITY_SECONDS:.0f} s: {targets.at_most(full, targets.CITY_SECONDS)}.",
        f"- Target 1, memory: peak of that run {row['peak_rss_mib']:,.0f} MiB; target under "
        f"{targets.PEAK_MIB / 1024:.0f} GiB: {targets.at_most(row['peak_rss_mib'], targets.PEAK_MIB)}.",
        f"- Target 2, memory speed: a week at {where} on one thread takes {1e3 * row['week_s']:,.1f} ms (the mean "
        f"of its {row['policy_weeks']} policy weeks, steps {row['warmup_weeks'] + 1}-{row['steps']}, after the "
        f"{row['warmup_weeks']}-week warm-up; recording included); one streaming pass over its state "
        f"({row['state_mib']:,.0f} MiB read and written) takes {1e3 * row['pass_s']:.2f} ms ({speed:.0f} GB/s); the "
        f"week costs {passes:,.1f} passes; target at most {targets.WEEK_PASSES:.0f}: "
        f"{targets.at_most(passes, targets.WEEK_PASSES)}.",
    ]


def _two_threads(one: list[dict], two: list[dict]) -> str:
    """Target 3: two threads over one at every size run with both, judged at the largest."""
    pairs = [(a, b) for a in one for b in two if (a["residents"], a["steps"]) == (b["residents"], b["steps"])]
    if not pairs:
        return "- Target 3, two threads: not measured (no size run with both one and two threads)."
    gains = [(a["residents"], b["resident_steps_per_s"] / a["resident_steps_per_s"]) for a, b in pairs]
    residents, gain = max(gains)
    shown = ", ".join(f"{g:.2f}x at {n:,}" for n, g in gains)
    return (f"- Target 3, two threads: two numba threads' resident-steps/s over one thread's: {shown} residents; "
            f"target at least {targets.TWO_THREADS}x at {targets.judged_at(residents, targets.CITY)}: "
            f"{targets.at_least(gain, targets.TWO_THREADS)}.")


def _vs_mesa(one: list[dict], references: list[dict]) -> str:
    """Target 4: the engine on one thread against the reference row nearest the target's size, run alike."""
    town = min(references, key=lambda r: abs(r["residents"] - targets.TOWN), default=None)
    same = [r for r in one if town and abs(r["residents"] - town["residents"]) <= 0.05 * town["residents"]]
    if not same:
        return ("- Target 4, against plain Mesa: not measured (no reference row with a one-thread engine row of "
                "its size).")
    ratio = same[0]["resident_steps_per_s"] / town["resident_steps_per_s"]
    return (f"- Target 4, against plain Mesa: the engine on one thread at "
            f"{targets.judged_at(town['residents'], targets.TOWN)} does {ratio:,.0f}x the plain-Mesa reference's "
            f"resident-steps/s (both in this run); target at least {targets.VS_MESA:.0f}x: "
            f"{targets.at_least(ratio, targets.VS_MESA)}.")


def report(rows: list[dict], code: dict, watch: Watch, command: str) -> str:
    return "\n".join([
        TITLE,
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} at {describe_code(code)} by `{command}` "
        f"({watch.seconds / 60:.1f} min; each row its own process; one-thread rows pinned to one core).",
        "",
        table(rows),
        "",
        *verdicts(rows),
        "",
        f"Machine: {machine()}.  Over the whole benchmark: {watch.describe()}.  The machine is shared: "
        "other work competes for the cores, the memory bus and the last-level cache.",
        "",
        f"Resident-steps/s is residents x weekly steps / stepping time.  '{targets.WEEKS} weeks' is the stepping "
        f"time of a {targets.WEEKS}-week run (~: scaled from the steps measured).  'vs plain Mesa' divides by the "
        "fastest plain-Mesa row.  'policy week' is the mean step after the warm-up (recording included), "
        "'state pass' one streaming read-and-write pass over the state's arrays (mean of 10), both timed in "
        "the row's process after its run.  Peak memory is the process's maximum resident set, including about "
        f"{min(r['rss_before_build_mib'] for r in rows):,.0f} MiB of interpreter, libraries and (in the engine's "
        "rows) compiled kernels.  "
        "'other work' is the CPU the rest of the machine (steal included) used while the row ran, in cores.",
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", nargs="*", default=["20000:520", "200000:520", "1000000:520"],
                        help="numba engine runs as RESIDENTS:STEPS")
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--reference", nargs="*", default=["20000:10"], help="plain-Mesa runs as RESIDENTS:STEPS")
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    parser.add_argument("--one", nargs=4, metavar=("ENGINE", "RESIDENTS", "STEPS", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        engine, residents, steps, threads = args.one
        print(json.dumps(measure(engine, int(residents), int(steps), int(threads))))
        return

    code = code_state()
    rows = []
    with Watch() as watch:
        for spec in args.reference:
            residents, steps = map(int, spec.split(":"))
            rows.append(run_one("reference", residents, steps, 1))
            print(rows[-1], flush=True)
        for spec in args.engine:
            residents, steps = map(int, spec.split(":"))
            for threads in args.threads:
                rows.append(run_one("engine", residents, steps, threads))
                print(rows[-1], flush=True)
    text = report(rows, code, watch, " ".join(["python benchmarks/bench_engine.py", *sys.argv[1:]]))
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
