"""Shared fixtures: small towns run once per session and reused by many tests."""

from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (derandomize) and keep no database between runs, so a
# run's result depends on the code alone: a test that passes only sometimes is a red CI waiting to happen.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.load_profile("deterministic")

from model.config import load_params
from model.simulation import ResilienceModel, Results

# A small town (6 neighbourhoods, ~1,700 adults): fast, yet with queues, groups and packages.
SMALL = ("population.n_neighbourhoods=6", "weeks=78", "warmup_weeks=26")
POLICIES = ("service_first", "community_first")


@lru_cache(maxsize=None)
def run_model(overrides: tuple[str, ...]) -> tuple[ResilienceModel, Results]:
    """Run (once per session) the model for these Hydra overrides."""
    model = ResilienceModel(load_params(overrides))
    return model, model.run()


@pytest.fixture(params=POLICIES)
def small_run(request):
    return run_model(SMALL + (f"policy={request.param}",))


@pytest.fixture(scope="session")
def tiny_sweep(tmp_path_factory):
    """A real multirun of the tiny town: 2 policies x 2 seeds (read-only: copy it before changing it)."""
    from .sweeps import run_sweep

    sweep_dir = tmp_path_factory.mktemp("sweep") / "policy_comparison"
    run_sweep(sweep_dir, "seed=0,1")
    return sweep_dir
