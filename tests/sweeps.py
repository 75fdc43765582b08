"""Run real Hydra multiruns of a tiny town for the sweep, analysis and report tests.

No test waits on time: a sweep a test must stop somewhere runs under ``tests.controlled``, which
pauses it where the test says, and the test reads the sweep's log for the line saying it got there.
``HANG_SECONDS`` only ends a hung subprocess as a failure instead of hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
# A tiny town (6 neighbourhoods, ~1,700 adults; enough staff for a few assessments a week), half a year, with the
# calibrated median parameters: the presets sweep posterior members, which a test names when it wants them.
TINY = ("population.n_neighbourhoods=6", "weeks=26", "warmup_weeks=13", "posterior=median")
TINY_WEEKS = 26
HANG_SECONDS = 600  # a tiny sweep takes seconds; only a hung one gets here


def sweep_args(sweep_dir: Path, *overrides: str, experiment: str = "policy_comparison",
               launcher: str = "basic") -> list[str]:
    """Arguments of ``experiments.run`` for the tiny town's ``experiment`` sweep into ``sweep_dir``, its jobs run
    by ``launcher``: by default Hydra's basic one, in this process one after another, where the presets' own
    (``configs/launch/cores.yaml``) would start worker processes (``tests/test_launchers.py`` runs those)."""
    return ["--multirun", f"+experiment={experiment}", f"hydra.sweep.dir={sweep_dir}", f"hydra/launcher={launcher}",
            *TINY, *overrides]


def preset_config(experiment: str):
    """The composed config of the ``experiment`` preset, with its ``hydra`` node (sweeper axes, sweep directory)."""
    from hydra import compose, initialize_config_dir

    from model.config import CONFIG_DIR

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        return compose(config_name="config", overrides=[f"+experiment={experiment}"], return_hydra_config=True)


def run_sweep(sweep_dir: Path, *overrides: str, experiment: str = "policy_comparison", launcher: str = "basic") -> str:
    """Run ``python -m experiments.run --multirun +experiment=<experiment>`` of the tiny town into
    ``sweep_dir`` with ``overrides`` (see :func:`sweep_args`); returns its log (stdout and stderr); fails the
    test if it fails."""
    command = [sys.executable, "-m", "experiments.run",
               *sweep_args(sweep_dir, *overrides, experiment=experiment, launcher=launcher)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=HANG_SECONDS)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    return log


def start_controlled(*args: str) -> subprocess.Popen:
    """Start ``python -m tests.controlled ARGS`` in its own session (``os.killpg`` ends it all), with its
    stdin a pipe (a line lets a paused job go on) and its stdout and stderr one pipe (its log)."""
    return subprocess.Popen([sys.executable, "-m", "tests.controlled", *args], cwd=REPO, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def read_until(process: subprocess.Popen, text: str) -> str:
    """The process's log up to the first line containing ``text``; fails if the process ends first."""
    lines = []
    with _watchdog(process):
        for line in process.stdout:
            lines.append(line)
            if text in line:
                return "".join(lines)
    raise AssertionError(f"the process ended without logging {text!r}:\n{''.join(lines)}")


def go_on(process: subprocess.Popen) -> None:
    """Let the job a ``tests.controlled`` process has paused go on."""
    process.stdin.write("\n")
    process.stdin.flush()


def finish(process: subprocess.Popen, log: str = "") -> str:
    """Let ``process`` run to its end (a job still paused goes on); returns ``log`` with the rest of its log."""
    process.stdin.close()
    with _watchdog(process):
        rest = process.stdout.read()  # through the text buffer, which holds what read_until read ahead
        process.wait()
    return log + rest


@contextmanager
def _watchdog(process: subprocess.Popen) -> Iterator[None]:
    """Kill ``process`` if the block lasts ``HANG_SECONDS``: a hang then ends its log, failing the test."""
    timer = threading.Timer(HANG_SECONDS, process.kill)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
