"""Sweeps: progress is shown, and a sweep started again simulates only the runs not yet complete."""

import json
import re

from omegaconf import OmegaConf

from experiments.progress import count_jobs
from model import outputs

from .sweeps import run_sweep


def _finished(sweep_dir):
    """Completion time of every complete run, by run directory."""
    return {path.parent.relative_to(sweep_dir).as_posix(): json.loads(path.read_text())["finished"]
            for path in sweep_dir.rglob(outputs.METADATA)}


def _tally(log):
    found = re.search(r"(\d+) simulated, (\d+) skipped \(already complete\), (\d+) failed", log)
    assert found, log
    return tuple(map(int, found.groups()))


def test_restarted_sweep_skips_complete_runs(tmp_path):
    sweep_dir = tmp_path / "sweep"
    first = run_sweep(sweep_dir, "seed=0")
    assert _tally(first) == (2, 0, 0)
    assert "[1/2] simulated" in first and "[2/2] simulated" in first
    assert (sweep_dir / "report.html").is_file()  # the preset writes the sweep's report when it ends
    done = _finished(sweep_dir)
    assert sorted(done) == ["market_town/baseline/community_first/seed=0", "market_town/baseline/service_first/seed=0"]

    again = run_sweep(sweep_dir, "seed=0")
    assert _tally(again) == (0, 2, 0)
    assert _finished(sweep_dir) == done  # nothing was rewritten

    # A run killed before it finished has no metadata.json: only that run is simulated again.
    interrupted = "market_town/baseline/community_first/seed=0"
    (sweep_dir / interrupted / outputs.METADATA).unlink()
    resumed = run_sweep(sweep_dir, "seed=0")
    assert _tally(resumed) == (1, 1, 0)
    assert re.search(rf"simulated +{re.escape(interrupted)}", resumed)
    after = _finished(sweep_dir)
    assert after.keys() == done.keys()
    assert after[interrupted] > done[interrupted]
    untouched = "market_town/baseline/service_first/seed=0"
    assert after[untouched] == done[untouched]


def _config(params, task):
    return OmegaConf.create({"hydra": {"sweeper": {"params": params}, "overrides": {"task": task}}})


def test_count_jobs_multiplies_sweep_axes():
    params = {"policy": "service_first,community_first", "seed": "range(5)"}
    assert count_jobs(_config(params, ["+experiment=policy_comparison", "weeks=26"])) == 10
    assert count_jobs(_config(params, ["scenario=baseline,pandemic,austerity"])) == 30
    assert count_jobs(_config(params, ["seed=0,1"])) == 4  # the command line overrides the preset's axis


def test_count_jobs_unknown_for_glob_sweeps():
    assert count_jobs(_config({"policy": "glob(*)"}, [])) is None
