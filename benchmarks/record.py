"""What every benchmark records beside its numbers: the code, the machine and how busy it was.

A time means little without what was measured: the revision and whether the working tree differed
from it (:func:`code_state`), the machine and library versions (:func:`machine`), and the load while
it ran (:class:`Watch`): the 1-minute load average before and after, and the CPU time the rest of the
machine used meanwhile, which on this shared virtual machine includes time the hypervisor gave to
other machines (steal).  :func:`write_section` replaces one section of ``results.md``, so each
benchmark keeps its own section and leaves the others' as they were.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results.md")
# Files the benchmarks write themselves: changing them does not change what is measured.
OUTPUTS = ("benchmarks/results.md", "benchmarks/profile.md")
_TICK = os.sysconf("SC_CLK_TCK")


def code_state() -> dict:
    """The short revision and the paths that differ from it (modified or untracked; outputs aside)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout

    changed = [line[3:] for line in git("status", "--porcelain").splitlines() if line[3:] not in OUTPUTS]
    return {"revision": git("rev-parse", "--short", "HEAD").strip(), "changed": changed}


def describe_code(code: dict) -> str:
    """``revision `abc1234` (clean)`` or ``... (dirty: 2 files differ: a.py, b.py)``."""
    if not code["changed"]:
        return f"revision `{code['revision']}` (clean)"
    shown = ", ".join(code["changed"][:5]) + (", ..." if len(code["changed"]) > 5 else "")
    return f"revision `{code['revision']}` (dirty: {len(code['changed'])} files differ: {shown})"


def machine() -> str:
    """One sentence: CPU, cores, memory and the versions of Python and the libraries that set the speed."""
    import mesa
    import numba
    import numpy
    import polars

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    return (f"{cpu}, {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} available to the benchmark), "
            f"{mem / 2**20:.1f} GiB; Python {platform.python_version()}, numba {numba.__version__}, "
            f"numpy {numpy.__version__}, polars {polars.__version__}, mesa {mesa.__version__}")


def _cpu_ticks() -> tuple[int, int]:
    """The whole machine's busy and stolen CPU time so far, in clock ticks (``/proc/stat``)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return user + nice + system + irq + softirq, steal


@dataclass
class Watch:
    """How busy the machine was while a block ran (``with Watch() as watch:``).

    ``others`` is the CPU the rest of the machine used, in cores on average: all busy time less this
    process's and its finished children's (so the work measured must run in children that have been
    waited for, as ``subprocess.run`` does), plus steal.  On 2 cores, a one-core measurement with
    ``others`` near 1 shared the memory bus and the last-level cache with other work.
    """

    seconds: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0
    others: float = 0.0

    def __enter__(self) -> "Watch":
        self.load_before = os.getloadavg()[0]
        self._ticks, self._ours, self._started = _cpu_ticks(), self._our_seconds(), time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self._started
        (busy, steal), (busy0, steal0) = _cpu_ticks(), self._ticks
        ours = self._our_seconds() - self._ours
        self.others = max(0.0, ((busy - busy0 + steal - steal0) / _TICK - ours) / self.seconds)
        self.load_after = os.getloadavg()[0]

    @staticmethod
    def _our_seconds() -> float:
        return sum(usage.ru_utime + usage.ru_stime for usage in
                   (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))

    def describe(self) -> str:
        return (f"load average (1 min) {self.load_before:.1f} before and {self.load_after:.1f} after; "
                f"other work used {self.others:.2f} cores meanwhile")


def write_section(text: str, path: Path = RESULTS) -> None:
    """Put ``text`` (starting with its ``# Title`` line) in ``path``: in place of the section of that title
    (up to the next top-level heading) if there is one, else at the end."""
    title = text.splitlines()[0]
    old = path.read_text().splitlines() if path.exists() else []
    start = old.index(title) if title in old else len(old)
    end = next((k for k in range(start + 1, len(old)) if old[k].startswith("# ")), len(old))
    parts = ("\n".join(old[:start]).strip("\n"), text.strip("\n"), "\n".join(old[end:]).strip("\n"))
    path.write_text("\n\n".join(part for part in parts if part) + "\n")
