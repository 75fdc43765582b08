"""Where a week of the engine spends its time, phase by phase and kernel by kernel, at a given town size.

    python benchmarks/profile_engine.py [--residents 1000000] [--weeks 52] [--threads 1] [--markdown FILE]
    python benchmarks/profile_engine.py --markdown /tmp/profile.md   # a million residents, 52 weeks: under a minute

Runs the weeks as ``bench_engine.py`` does (a fifth of them warm-up, the rest policy weeks) with the
model's own phase timer (``profile=True``: each phase's ``step`` is timed in the model's loop) and
prints each phase's time per week, per resident-week and share of the stepping time, and under each
phase every kernel it called.  Kernels are timed call by call by this script, not the model: every
kernel bound to the state is called through ``model.state.Kernel.__call__``, which the script wraps
with two clock reads (about a microsecond a call, against milliseconds a kernel at city scale).  A
call is charged to the phase whose ``step`` made it, or else to the recording: the phases' measures
and the week's row, in policy weeks only, timed as the stepping time the phases leave.  A phase's
'outside kernels' row is its Python and numpy glue and any numba function it calls directly.
Comparing the per-resident-week column across sizes separates arithmetic (the same at every size)
from waiting on memory (growing once the town no longer fits in cache).

After the weeks, one streaming pass over the state is timed (``benchmarks/state_pass.py``), to give
the week's cost in passes (issue 14's second target) beside the week's budget under the first
(30 s for 520 weeks on one core).  ``--markdown FILE`` writes the table and those lines, with the
code, machine and load they were measured on, as a section to paste into ``benchmarks/profile.md``.
With one thread the process is pinned to one core.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's packages, not the installed ones

from benchmarks import targets  # noqa: E402
from benchmarks.bench_engine import town_overrides  # noqa: E402
from benchmarks.record import Watch, code_state, describe_code, machine  # noqa: E402

RECORDING = "(recording)"


class KernelTimes:
    """Seconds and calls of every kernel, by the section (phase, or the recording) that called it.

    :meth:`install` wraps ``Kernel.__call__`` for the rest of the process and each phase's ``step`` on
    this model only, so the wrapper knows which phase is running.
    """

    def __init__(self):
        self.section = RECORDING
        self.seconds: dict[tuple[str, str], float] = defaultdict(float)
        self.calls: dict[tuple[str, str], int] = defaultdict(int)

    def install(self, model) -> None:
        from model.state import Kernel

        call = Kernel.__call__

        def timed(kernel, **given):
            started = time.perf_counter()
            result = call(kernel, **given)
            key = self.section, kernel.__name__
            self.seconds[key] += time.perf_counter() - started
            self.calls[key] += 1
            return result

        Kernel.__call__ = timed
        for component in model.components:
            component.step = self._charged_to(component.name, component.step)

    def _charged_to(self, name: str, step):
        def step_in_section(model, week):
            self.section = name
            step(model, week)
            self.section = RECORDING
        return step_in_section

    def of(self, section: str) -> list[tuple[str, float, int]]:
        """``(kernel, seconds, calls)`` of the kernels ``section`` called, the longest first."""
        found = [(kernel, s, self.calls[where, kernel]) for (where, kernel), s in self.seconds.items()
                 if where == section]
        return sorted(found, key=lambda row: -row[1])


def table(sections: dict[str, float], kernels: KernelTimes, total: float, weeks: int, n: int) -> str:
    """The markdown table: each section (in bold), then its kernels and what it spent outside them; then the week."""
    def row(name: str, seconds: float, calls: str = "") -> str:
        return (f"| {name} | {calls} | {1e3 * seconds / weeks:,.2f} | {1e9 * seconds / weeks / n:,.1f} "
                f"| {seconds / total:.1%} |")

    lines = ["| phase, kernel | calls/week | ms/week | ns/resident-week | share |", "|---|---:|---:|---:|---:|"]
    for section, seconds in sorted(sections.items(), key=lambda item: -item[1]):
        lines.append(row(f"**{section}**", seconds))
        inside = kernels.of(section)
        lines += [row(f"`{kernel}`", s, f"{calls / weeks:.2g}") for kernel, s, calls in inside]
        lines.append(row("outside kernels", seconds - sum(s for _, s, _ in inside)))
    lines.append(row("**whole week**", total))
    return "\n".join(lines)


def profile(residents: int, weeks: int) -> dict:
    """Run ``weeks`` steps of a town of about ``residents`` with phases and kernels timed, then one pass."""
    from benchmarks.state_pass import pass_seconds, state_bytes
    from model.config import load_params
    from model.simulation import ResilienceModel

    warm = ResilienceModel(load_params(town_overrides(600, 2)))
    warm.run()  # loads the compiled kernels
    pass_seconds(warm.state, repeats=1)
    with Watch() as watch:
        model = ResilienceModel(load_params(town_overrides(residents, weeks)), profile=True)
        kernels = KernelTimes()
        kernels.install(model)
        started = time.perf_counter()
        for _ in range(weeks):
            model.step()
        total = time.perf_counter() - started
        pass_s = pass_seconds(model.state)
    sections = dict(model.phase_seconds)
    sections[RECORDING] = total - sum(sections.values())
    return {"n": model.state.residents.n, "warmup": model.params.warmup_weeks, "sections": sections,
            "kernels": kernels, "total": total, "pass_s": pass_s, "state_mib": state_bytes(model.state) / 2**20,
            "watch": watch}


def markdown(run: dict, weeks: int, threads: int, code: dict) -> str:
    """The profile as a section of ``profile.md``: what it was measured on, the table, the targets' lines."""
    n, total = run["n"], run["total"]
    week, budget = total / weeks, targets.CITY_SECONDS / targets.WEEKS
    passes = week / run["pass_s"]
    return "\n".join([
        f"## {n:,} residents, {weeks} weeks, {threads} numba thread{'s' * (threads > 1)}: per phase and per kernel",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} at {describe_code(code)} by `python benchmarks/profile_engine.py "
        f"{' '.join(sys.argv[1:])}`{', pinned to one core' if threads == 1 else ''}: {total:.1f} s stepping "
        f"({run['warmup']} weeks warm-up), {n * weeks / total / 1e6:.2f} M resident-steps/s.  "
        f"Machine: {machine()}; {run['watch'].describe()}.",
        "",
        table(run["sections"], run["kernels"], total, weeks, n),
        "",
        f"- Target 1 allows {1e3 * budget:.1f} ms a week ({targets.CITY_SECONDS:.0f} s for {targets.WEEKS} weeks at "
        f"{targets.CITY:,} residents on one core); the mean week at {targets.judged_at(n, targets.CITY)} took "
        f"{1e3 * week:,.1f} ms: {targets.at_most(week, budget)}.",
        f"- One streaming pass over the state ({run['state_mib']:,.0f} MiB read and written) takes "
        f"{1e3 * run['pass_s']:.2f} ms; the week costs {passes:,.1f} passes; target 2 at most "
        f"{targets.WEEK_PASSES:.0f}: {targets.at_most(passes, targets.WEEK_PASSES)}.",
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=52, help="weekly steps timed (a fifth of them warm-up)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--markdown", type=Path, help="also write the profile as a markdown section to this file")
    args = parser.parse_args()
    os.environ["NUMBA_NUM_THREADS"] = str(args.threads)  # before numba is imported
    if args.threads == 1:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    code = code_state()
    text = markdown(profile(args.residents, args.weeks), args.weeks, args.threads, code)
    print(text)
    if args.markdown:
        args.markdown.write_text(text)


if __name__ == "__main__":
    main()
