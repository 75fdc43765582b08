"""How fast the main job's sweep runs, in runs per second: issue 14's fifth target.

    python benchmarks/bench_main_job.py                   # the whole main job, 100 runs (about 4 min at the baseline)
    python benchmarks/bench_main_job.py --members 3       # a quick check: 2 policies x 3 members x 2 seeds = 12 runs
    python benchmarks/bench_main_job.py --members 1 --seeds 1 -- hydra/launcher=joblib   # Hydra overrides after --

Runs the main job as ``make report`` does, ``python -m experiments.run --multirun +experiment=policy_comparison``
with this interpreter in this checkout, into a fresh temporary sweep directory (``hydra.sweep.dir``,
removed afterwards), so every run is simulated and the report is written.  Whatever launcher, worker
processes and caches the config sets up are what is timed: the script assumes none, and overrides
given after the options (after ``--`` if one starts with ``-``) go to the sweep as they are.  The
time is the whole command's wall time, start-up and report included; the runs are the completed run
directories (each one's ``metadata.json``).  The sweep is not pinned: it gets the cores this process
may use.

The runs/s is set against the baseline, 0.4 runs/s (20 runs in 51 s on these 2 cores, before issue
14), and the target, three times that (``benchmarks/targets.py``).  ``--members K`` sweeps the first
K of the preset's posterior members, ``--seeds S`` seeds 0 to S-1: quick checks, whose runs/s reads
lower than the whole job's since start-up and the report weigh more in a small sweep.  Notes the
machine, its load (load averages before and after; the CPU other work used meanwhile, which counts
as other work any worker process the sweep leaves running unreaped), the revision and whether the
working tree differed from it.  Writes its section of ``benchmarks/results.md`` unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's packages, not those the virtualenv was installed from

from benchmarks import targets  # noqa: E402
from benchmarks.record import Watch, code_state, describe_code, machine, write_section  # noqa: E402
from model.outputs import METADATA  # noqa: E402

PRESET = ROOT / "configs" / "experiment" / "policy_comparison.yaml"
COMMAND = ("-m", "experiments.run", "--multirun", "+experiment=policy_comparison")
TITLE = "# Main job"


def subset(members: int | None, seeds: int | None, extra: list[str]) -> tuple[list[str], str]:
    """The overrides that narrow the preset's sweep to the first ``members`` members and ``seeds`` seeds, and
    in words what the sweep is, given also the ``extra`` overrides."""
    axes = yaml.safe_load(PRESET.read_text())["hydra"]["sweeper"]["params"]
    names = axes["posterior"].split(",")
    overrides, kept = [], []
    if members is not None:
        overrides.append(f"posterior={','.join(names[:members])}")
        kept.append(f"the first {members} of its {len(names)} posterior members")
    if seeds is not None:
        overrides.append(f"seed=range({seeds})")
        kept.append(f"seeds range({seeds}) instead of {axes['seed']}")
    scope = "the whole main job" if not kept else "a subset of the main job: " + " and ".join(kept)
    return overrides, scope + (", with the overrides given" if extra else "")


def report(runs: int, watch: Watch, code: dict, command: str, sweep: str, scope: str) -> str:
    rate = runs / watch.seconds
    target = targets.MAIN_JOB_GAIN * targets.MAIN_JOB_BASELINE
    minutes, seconds = divmod(watch.seconds, 60)
    wall = f"{minutes:.0f} min {seconds:.1f} s" if minutes else f"{seconds:.1f} s"
    cores = len(os.sched_getaffinity(0))
    return "\n".join([
        TITLE,
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} at {describe_code(code)} by `{command}`, which ran "
        f"`{sweep}` ({scope}) on the {cores} core{'s' * (cores > 1)} available to it.",
        "",
        "| runs | wall time | runs/s | vs baseline |",
        "|---:|---:|---:|---:|",
        f"| {runs} | {wall} | {rate:.2f} | {rate / targets.MAIN_JOB_BASELINE:.2f}x |",
        "",
        f"- Target 5, the main job: {rate:.2f} runs/s ({runs} runs in {watch.seconds:.1f} s, start-up and report "
        f"included; {scope}); baseline {targets.MAIN_JOB_BASELINE} runs/s (20 runs in 51 s, before issue 14); target "
        f"at least {target:.1f} runs/s ({targets.MAIN_JOB_GAIN:.0f}x the baseline): {targets.at_least(rate, target)}.",
        "",
        f"Machine: {machine()}; {watch.describe()}.",
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, help="sweep only the first K posterior members (the preset has 25)")
    parser.add_argument("--seeds", type=int, help="sweep only seeds 0 to S-1 (the preset has 2)")
    parser.add_argument("--no-write", action="store_true", help="print the result only")
    parser.add_argument("overrides", nargs="*", help="more Hydra overrides for the sweep, as they are")
    args = parser.parse_args()
    narrowing, scope = subset(args.members, args.seeds, args.overrides)
    code = code_state()
    with tempfile.TemporaryDirectory(prefix="main-job-") as tmp:
        sweep_dir = Path(tmp) / "policy_comparison"
        overrides = [f"hydra.sweep.dir={sweep_dir}", *narrowing, *args.overrides]
        with Watch() as watch:
            subprocess.run([sys.executable, *COMMAND, *overrides], cwd=ROOT, check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})  # workers too import this checkout
        runs = sum(1 for _ in sweep_dir.rglob(METADATA))
    sweep = " ".join(["python", *COMMAND, "hydra.sweep.dir=<temporary>", *overrides[1:]])
    text = report(runs, watch, code, " ".join(["python benchmarks/bench_main_job.py", *sys.argv[1:]]), sweep, scope)
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
