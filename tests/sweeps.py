"""Run real Hydra multiruns of a tiny town for the sweep, analysis and report tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# A tiny town (6 neighbourhoods, ~1,700 adults; enough staff for a few assessments a week), half a year.
TINY = ("population.n_neighbourhoods=6", "weeks=26", "warmup_weeks=13")
TINY_WEEKS = 26


def run_sweep(sweep_dir: Path, *overrides: str) -> str:
    """Run ``python -m experiments.run --multirun +experiment=policy_comparison`` of the tiny town into
    ``sweep_dir`` with ``overrides``; returns its log (stdout and stderr); fails the test if it fails."""
    command = [sys.executable, "-m", "experiments.run", "--multirun", "+experiment=policy_comparison",
               f"hydra.sweep.dir={sweep_dir}", *TINY, *overrides]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    return log
