"""Same seed, same results on every Hydra launcher: the tiny sweep (2 policies x 2 seeds) run in worker
processes by joblib (the presets' own, ``configs/launch/cores.yaml``), by Ray (a local cluster started for
the test) and by submitit's local executor writes, run by run, the same tables as Hydra's basic launcher
running the jobs one after another in one process (the ``tiny_sweep`` fixture), warm-ups shared or not."""

import json
import re
import shutil

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analysis.sweep import TABLES
from experiments import warmups
from model import outputs

from .sweeps import run_sweep

LAUNCHERS = {  # launcher config (configs/hydra/launcher/ or a plugin's) -> its plugin, and any test-only overrides
    "joblib": ("hydra_plugins.hydra_joblib_launcher", ("hydra.launcher.n_jobs=2",)),  # workers even on one core
    "ray_cluster": ("hydra_plugins.hydra_ray_launcher",  # a fresh local cluster with a small object store
                    ("hydra.launcher.ray.init.address=local", "hydra.launcher.ray.init.object_store_memory=78643200")),
    "slurm_local": ("hydra_plugins.hydra_submitit_launcher", ()),
}


def _runs(sweep_dir):
    return sorted(marker.parent.relative_to(sweep_dir).as_posix() for marker in sweep_dir.rglob(outputs.METADATA))


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_launcher_gives_the_basic_launchers_results(launcher, tiny_sweep, tmp_path):
    plugin, overrides = LAUNCHERS[launcher]
    pytest.importorskip(plugin)
    sweep_dir = tmp_path / launcher
    log = run_sweep(sweep_dir, "seed=0,1", *overrides, launcher=launcher)

    runs = _runs(sweep_dir)
    assert runs == _runs(tiny_sweep) and len(runs) == 4
    for run in runs:
        for table in TABLES.values():
            assert_frame_equal(pl.read_parquet(sweep_dir / run / table), pl.read_parquet(tiny_sweep / run / table))
        metadata = json.loads((sweep_dir / run / outputs.METADATA).read_text())
        assert metadata["numba_threads"] == 1  # one per job
        assert metadata["warmup"] in (warmups.SIMULATED, warmups.RESTORED)  # restored if its donor had written it

    # The callbacks run in the launching process: the tally counts what the workers wrote, and the report is written.
    assert re.search(r"4 simulated, 0 skipped \(already complete\), 0 failed", log), log
    assert (sweep_dir / "report.html").is_file()


def test_sweep_resumed_in_worker_processes_simulates_only_missing_runs(tiny_sweep, tmp_path):
    pytest.importorskip("hydra_plugins.hydra_joblib_launcher")
    sweep_dir = tmp_path / "resumed"
    shutil.copytree(tiny_sweep, sweep_dir)
    interrupted = "market_town/baseline/community_first/median/seed=1"
    (sweep_dir / interrupted / outputs.METADATA).unlink()

    log = run_sweep(sweep_dir, "seed=0,1", *LAUNCHERS["joblib"][1], launcher="joblib")
    assert re.search(r"1 simulated, 3 skipped \(already complete\), 0 failed", log), log
    assert re.search(rf"\[job \d/4\] simulated +{re.escape(interrupted)}", log), log  # each worker logs its own job
    assert len(re.findall(r"\[job \d/4\] skipped", log)) == 3, log
    assert_frame_equal(pl.read_parquet(sweep_dir / interrupted / outputs.STEPS),
                       pl.read_parquet(tiny_sweep / interrupted / outputs.STEPS))
    # its warm-up was in the sweep's store, written by its service_first run before the interruption
    assert json.loads((sweep_dir / interrupted / outputs.METADATA).read_text())["warmup"] == warmups.RESTORED
