"""Runs share a warm-up: a run restored from another run's warm-up is the run from scratch, bit for bit.

``model/checkpoint.py`` captures a model at the end of its warm-up and restores it into another whose warm-up
is the same (equal fingerprints); ``experiments/warmups.py`` keeps those checkpoints on disk for a sweep.
Checked here: every output column and final state array of a restored run against the run from scratch, in
the golden cases and a small team that overruns its hours, with the warm-up simulated at the other thread
count; the fingerprint leaves out only what the warm-up never reads, and changes with what it does; a store
file that cannot be restored is simulated again; and, as a negative control, leaving out one piece of carried
state (the front door's overrun) is caught.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from contextlib import contextmanager
from pathlib import Path

import numba
import numpy as np
import polars as pl
import pytest
import yaml
from omegaconf import OmegaConf
from polars.testing import assert_frame_equal

from analysis.sweep import TABLES
from experiments import store, warmups
from experiments.run import checked
from model import checkpoint, outputs
from model.config import CONFIG_DIR, compose_config, load_params
from model.components import PROGRAMME_SECTIONS, Params
from model.phases.community import Community
from model.phases.team import Team
from model.params import ConfigError
from model.simulation import ResilienceModel

from .golden import CASES, THREADS, TOWN, run_digests
from .sweeps import run_sweep

# The golden cases, and a team so small that it ends the warm-up owing hours (the overrun carried into week 0)
SHARED = {**CASES, "small_team-overrun": ("policy=community_first", "seed=5", "warmup_policy.staff_fte_per_10k=2.0")}
OVERRUN = "small_team-overrun"


@contextmanager
def numba_threads(threads: int):
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def _model(overrides) -> ResilienceModel:
    return ResilienceModel(load_params(TOWN + tuple(overrides)), hood_every=13)


def _donor(overrides) -> tuple[str, ...]:
    """The run whose warm-up a run of ``overrides`` restores in a sweep: the other policy (none of the settings of
    this one's), without the scenario."""
    other = "policy=community_first" if "policy=service_first" in overrides else "policy=service_first"
    return tuple(o for o in overrides if not o.startswith(("policy=", "policy.", "+programme@policy", "scenario"))) + (other,)


def _changed(digests: dict, expected: dict) -> list[str]:
    return sorted(name for name in expected.keys() | digests.keys() if expected.get(name) != digests.get(name))


def _restored_run(overrides, path: Path, threads: int) -> tuple[ResilienceModel, dict]:
    """A run of ``overrides`` at ``threads`` restored from the warm-up written to ``path`` by its donor,
    simulated at the other thread count; its digests and the model."""
    with numba_threads(3 - threads):
        donor = _model(_donor(overrides))
        key = checkpoint.fingerprint(donor)
        donor.warm_up()
        checkpoint.write(path, checkpoint.capture(donor))
    with numba_threads(threads):
        model = _model(overrides)
        assert checkpoint.fingerprint(model) == key, "a sweep's runs of this case share the warm-up"
        checkpoint.restore(model, checkpoint.read(path))
        return model, run_digests(model, model.run())


def _fresh_run(overrides, threads: int) -> tuple[ResilienceModel, dict]:
    with numba_threads(threads):
        model = _model(overrides)
        return model, run_digests(model, model.run())


def _carried(model) -> dict:
    return {name: np.asarray(value).tobytes() for name, value in checkpoint._carried(model).items()}


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("case", SHARED)
def test_a_restored_run_is_the_run_from_scratch(case, threads, tmp_path):
    assert numba.config.NUMBA_NUM_THREADS >= 2, "needs 2 cores to warm up and run at different thread counts"
    fresh, expected = _fresh_run(SHARED[case], threads)
    restored, got = _restored_run(SHARED[case], tmp_path / "warmup.npz", threads)
    changed = _changed(got, expected)
    assert not changed, f"{len(changed)} outputs changed: {', '.join(changed[:12])}"
    assert _carried(restored) == _carried(fresh) and restored.steps == fresh.steps


def test_leaving_out_the_teams_overrun_is_caught(tmp_path, monkeypatch):
    """Negative control: a checkpoint without the hours the team owes at the end of the warm-up (declared as not
    outliving its week, so it starts the policy with a clean slate) changes the run."""
    overrides = SHARED[OVERRUN]
    _, expected = _fresh_run(overrides, 1)
    donor = _model(_donor(overrides))
    donor.warm_up()
    assert donor.state.council.team_hours[0] < 0, "the case ends its warm-up owing hours"
    monkeypatch.setattr(Team, "arrays", tuple(dataclasses.replace(a, carried=False) if a.name == "team_hours" else a
                                              for a in Team.arrays))
    _, got = _restored_run(overrides, tmp_path / "warmup.npz", 1)
    assert _changed(got, expected)


def test_an_array_a_component_carries_is_copied_into_its_own(tmp_path, monkeypatch):
    """A component may declare that it carries an array of its own (here community's awareness buffer): it is
    copied into the array the component's kernels are bound to, and the run is the run from scratch."""
    monkeypatch.setattr(Community, "carried", {"_new_aware": "test"})
    overrides = SHARED[OVERRUN]
    fresh, expected = _fresh_run(overrides, 1)
    model = _model(overrides)
    bound = model.community._new_aware
    donor = _model(_donor(overrides))
    donor.warm_up()
    saved = checkpoint.capture(donor)
    assert "community._new_aware" in saved.arrays and saved.arrays["community._new_aware"].any()
    checkpoint.restore(model, saved)
    assert model.community._new_aware is bound and np.array_equal(bound, donor.community._new_aware)
    assert not _changed(run_digests(model, model.run()), expected)


def _other_value(f: dataclasses.Field, value):
    """Another value ``f`` allows than ``value`` (a section: every field of it changed)."""
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{g.name: _other_value(g, getattr(value, g.name))
                                             for g in dataclasses.fields(value)})
    if isinstance(value, dict):  # the programmes a policy runs: each one's every field changed
        return {name: _other_value(f, section) for name, section in value.items()}
    if "allowed" in f.metadata:
        return next(v for v in f.metadata["allowed"] if v != value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        return f"{value}-changed"
    return type(value)(f.metadata["hi"] if value != f.metadata["hi"] else f.metadata["lo"])


def test_the_warm_up_reads_nothing_the_fingerprint_leaves_out():
    """Every field of every part the fingerprint leaves out (policy, scenario, weeks, costs, posterior) changed at
    once, to values at the ends of their ranges, with the shock in force from the first policy week: the same
    fingerprint, and the same warmed-up model, every array and value of it.  (The policy runs every programme, and
    changed so has builder sites in every neighbourhood: Mesa agents of the model from the start.)"""
    params = load_params(TOWN + CASES["leeds_abcd-builders"] + tuple(
        f"+programme@policy.programmes.{name}={name}" for name in PROGRAMME_SECTIONS if name not in ("builders",
                                                                                                   "group_linking")))
    assert set(params.policy.programmes) == set(PROGRAMME_SECTIONS)
    changed = dataclasses.replace(params, **{f.name: _other_value(f, getattr(params, f.name))
                                             for f in dataclasses.fields(Params) if f.name in checkpoint.NOT_IN_WARMUP})
    changed = dataclasses.replace(changed, scenario=dataclasses.replace(changed.scenario, start_week=0))
    assert changed.policy.programmes["builders"].coverage == 1.0 and changed.scenario.duration_weeks > 0
    models = [ResilienceModel(p) for p in (params, changed)]
    assert checkpoint.fingerprint(models[0]) == checkpoint.fingerprint(models[1])
    ends = []
    for model in models:
        model.warm_up()
        ends.append(checkpoint.capture(model))
    assert ends[0].values == ends[1].values
    assert {name: a.tobytes() for name, a in ends[0].arrays.items()} == \
        {name: a.tobytes() for name, a in ends[1].arrays.items()}


def test_every_policy_and_scenario_share_one_warm_up():
    policies = sorted(path.stem for path in (CONFIG_DIR / "policy").glob("*.yaml"))
    scenarios = sorted(path.stem for path in (CONFIG_DIR / "scenario").glob("*.yaml"))
    keys = {checkpoint.fingerprint(_model((f"policy={p}", f"scenario={s}"))) for p in policies for s in scenarios}
    assert len(policies) > 2 and len(scenarios) > 2 and len(keys) == 1


@pytest.mark.parametrize("change", ["seed=1", "warmup_weeks=27", "needs.onset_weekly=0.01", "community.capacity=0.5",
                                    "warmup_policy.staff_fte_per_10k=5", "population.n_neighbourhoods=5",
                                    "community.connector_introductions=0.2", "policy@warmup_policy=community_first"])
def test_the_fingerprint_changes_with_what_the_warm_up_reads(change):
    base = ("policy=service_first",)
    assert checkpoint.fingerprint(_model(base + (change,))) != checkpoint.fingerprint(_model(base))


def test_the_fingerprint_changes_with_the_engines_source(tmp_path, monkeypatch):
    model = _model(("policy=service_first",))
    before = checkpoint.fingerprint(model)
    same, edited = tmp_path / "same", tmp_path / "edited"
    for copy in (same, edited):
        shutil.copytree(checkpoint.MODEL_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (edited / "phases" / "life.py").write_text((edited / "phases" / "life.py").read_text() + "\n# a change\n")
    monkeypatch.setattr(checkpoint, "MODEL_DIR", same)
    assert checkpoint.fingerprint(model) == before
    monkeypatch.setattr(checkpoint, "MODEL_DIR", edited)
    assert checkpoint.fingerprint(model) != before


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _another_towns(path: Path) -> None:
    """Put there the checkpoint of another town (more neighbourhoods): whole, but it does not fit."""
    other = _model(("policy=service_first", "population.n_neighbourhoods=5"))
    other.warm_up()
    checkpoint.write(path, checkpoint.capture(other))


CORRUPTIONS = {
    "truncated": lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
    "a byte flipped": _flip_a_byte,
    "empty": lambda path: path.write_bytes(b""),
    "not a checkpoint": lambda path: path.write_text("warm-up"),
    "another town's": _another_towns,
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_a_store_file_that_cannot_be_restored_is_simulated_again(corruption, tmp_path, caplog):
    params = load_params(TOWN + SHARED[OVERRUN])
    _, expected = _fresh_run(SHARED[OVERRUN], 1)
    store_dir = tmp_path / warmups.STORE
    _, first = warmups.warmed_up(params, 13, store_dir)
    path = store_dir / f"{first['warmup_fingerprint']}.npz"
    assert first["warmup"] == warmups.SIMULATED and path.is_file()
    CORRUPTIONS[corruption](path)

    with caplog.at_level(logging.WARNING, logger=warmups.__name__):
        model, again = warmups.warmed_up(params, 13, store_dir)
    assert again == first  # simulated again, under the same fingerprint
    [record] = caplog.records
    assert str(path) in record.getMessage() and "\n" not in record.getMessage()
    assert not _changed(run_digests(model, model.run()), expected)
    model, last = warmups.warmed_up(params, 13, store_dir)  # the file was written again, whole
    assert last["warmup"] == warmups.RESTORED and not _changed(run_digests(model, model.run()), expected)


def test_a_store_that_cannot_be_written_leaves_no_file_and_the_run_goes_on(tmp_path, monkeypatch, caplog):
    def write_half_then_fail(path, saved):
        Path(path).write_bytes(b"PK half a checkpoint")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(warmups, "write", write_half_then_fail)
    params = load_params(TOWN + SHARED[OVERRUN])
    store_dir = tmp_path / warmups.STORE
    with caplog.at_level(logging.WARNING, logger=warmups.__name__):
        model, how = warmups.warmed_up(params, 13, store_dir)
    assert how["warmup"] == warmups.SIMULATED and model.week == params.warmup_weeks
    assert list(store_dir.iterdir()) == []  # neither the file nor its temporary
    assert "No space left on device" in caplog.text


def _metadata(run_dir: Path) -> dict:
    return json.loads((run_dir / outputs.METADATA).read_text())


def test_a_sweep_simulates_each_warm_up_once_and_records_how_each_run_got_it(tiny_sweep):
    """The tiny sweep (2 policies x 2 seeds, the policy first): each seed's service_first run simulates the
    warm-up and writes it to the sweep's store; its community_first run restores it."""
    runs = {(policy, seed): _metadata(tiny_sweep / f"market_town/baseline/{policy}/median/seed={seed}")
            for policy in ("service_first", "community_first") for seed in (0, 1)}
    for seed in (0, 1):
        first, second = runs["service_first", seed], runs["community_first", seed]
        assert (first["warmup"], second["warmup"]) == (warmups.SIMULATED, warmups.RESTORED)
        assert first["warmup_fingerprint"] == second["warmup_fingerprint"]
    stored = sorted(path.stem for path in (tiny_sweep / warmups.STORE).iterdir())
    assert stored == sorted(runs["service_first", seed]["warmup_fingerprint"] for seed in (0, 1))


def test_a_sweep_without_sharing_gives_the_same_results(tiny_sweep, tmp_path):
    sweep_dir = tmp_path / "unshared"
    run_sweep(sweep_dir, "seed=0,1", "output.share_warmup=false")
    assert not (sweep_dir / warmups.STORE).exists()
    for marker in tiny_sweep.rglob(outputs.METADATA):
        run = marker.parent.relative_to(tiny_sweep)
        assert _metadata(sweep_dir / run)["warmup"] == warmups.SIMULATED
        assert _metadata(sweep_dir / run)["warmup_fingerprint"] == _metadata(tiny_sweep / run)["warmup_fingerprint"]
        for table in TABLES.values():
            assert_frame_equal(pl.read_parquet(sweep_dir / run / table), pl.read_parquet(tiny_sweep / run / table))


def test_a_run_stored_before_the_settings_of_how_runs_are_computed_is_reused(tiny_sweep, tmp_path):
    """A finished run is reused whatever it was computed with (threads, a restored warm-up), and one stored
    before those settings existed too; a setting of what is computed still refuses it."""
    run_dir = tmp_path / "run"
    shutil.copytree(tiny_sweep / "market_town/baseline/community_first/median/seed=0", run_dir)
    wanted = yaml.safe_load((run_dir / outputs.CONFIG).read_text())
    older = json.loads(json.dumps(wanted))
    del older["output"]["share_warmup"], older["output"]["numba_threads"]
    (run_dir / outputs.CONFIG).write_text(yaml.safe_dump(older))
    assert store.finished_with(run_dir, {**wanted, "output": {**wanted["output"], "numba_threads": None}})
    with pytest.raises(ConfigError, match=r"output.hood_every: 13 -> 4"):
        store.finished_with(run_dir, {**wanted, "output": {**wanted["output"], "hood_every": 4}})


@pytest.mark.parametrize("threads", [0, 1000, 1.5, "two", True])
def test_numba_threads_numba_cannot_give_are_refused_in_one_line(threads):
    with pytest.raises(ConfigError, match=r"^output.numba_threads=\S+ (is out of range; allowed \[1, \d+\]|must be a "
                                          r"(whole number|number or null))$"):
        checked(OmegaConf.merge(compose_config(), {"output": {"numba_threads": threads}}))
