"""The benchmark scripts run end to end on a tiny town and print every target with its verdict.

No time is asserted: issue 14's targets are judged in the benchmarks' own output, on a quiet machine,
never in tests.  Each script runs as a user runs it (``python benchmarks/<script>.py``), with
``--no-write`` so ``benchmarks/results.md`` is left as it was.
"""

from __future__ import annotations

import re
import subprocess
import sys

from benchmarks.record import RESULTS, write_section

from .sweeps import HANG_SECONDS, REPO

VERDICT = re.compile(r": (met|missed by [0-9.]+x)\.$")


def _run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, f"benchmarks/{script}", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=HANG_SECONDS)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _verdict(output: str, target: str) -> str:
    """The line judging ``target``; fails unless it ends with a verdict."""
    line = next((line for line in output.splitlines() if line.startswith(f"- {target}")), None)
    assert line is not None and VERDICT.search(line), f"no verdict for {target!r} in:\n{output}"
    return line


def test_the_engine_benchmark_judges_every_engine_target():
    before = RESULTS.read_text()
    output = _run("bench_engine.py", "--engine", "600:5", "--threads", "1", "2", "--reference", "600:2", "--no-write")
    for target in ("Target 1, time", "Target 1, memory", "Target 2, memory speed", "Target 3, two threads",
                   "Target 4, against plain Mesa"):
        _verdict(output, target)
    assert "indicative only" in _verdict(output, "Target 1, time")  # a tiny town is not judged as the city
    assert RESULTS.read_text() == before


def test_the_profile_times_every_phase_and_kernel_and_writes_markdown(tmp_path):
    markdown = tmp_path / "profile.md"
    output = _run("profile_engine.py", "--residents", "600", "--weeks", "5", "--markdown", str(markdown))
    assert markdown.read_text().strip() == output.strip()
    for row in ("| **life** |", "| `life_events` |", "| **(recording)** |", "| `_hood_sums` |", "| **whole week** |"):
        assert row in output, row
    _verdict(output, "Target 1 allows")
    _verdict(output, "One streaming pass")


def test_the_main_job_benchmark_times_a_subset_sweep():
    output = _run("bench_main_job.py", "--members", "1", "--seeds", "1", "--no-write",
                  "population.n_neighbourhoods=2", "weeks=2", "warmup_weeks=1")
    assert "| 2 |" in output  # 2 policies x 1 member x 1 seed, all completed
    assert "a subset of the main job" in _verdict(output, "Target 5, the main job")


def test_a_section_of_results_replaces_its_own_and_keeps_the_others(tmp_path):
    results = tmp_path / "results.md"
    write_section("# Engine benchmark\n\nengine 1\n", results)
    write_section("# Main job\n\njob 1\n", results)
    write_section("# Engine benchmark\n\nengine 2\n", results)
    assert results.read_text() == "# Engine benchmark\n\nengine 2\n\n# Main job\n\njob 1\n"

