""""Show the command line": the commands the page shows for a setup reproduce the app's sweep of it.

Each command is composed as ``python -m experiments.run --multirun`` composes it (Hydra's override parser and its basic
sweeper expand the axes into jobs, as ``experiments.progress.job_overrides`` does): its jobs are the plan's runs,
config for config (the resolved config, less how a run is computed, ``output``), each in a run directory of its own,
and every policy in a sweep directory of its own (a sweep directory holds one design).
"""

from __future__ import annotations

import json
import shlex

import pytest
from hydra import compose, initialize_config_dir
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import OmegaConf

from app.choices import composed
from app.commands import PYTHON, commands, root
from app.plan import plan_sweep
from experiments.settings import resolved_config
from model.config import CONFIG_DIR

from .test_app_plan import _arm, _form


def _jobs(command: str) -> tuple[list[list[str]], str]:
    """The overrides of every job of a shown multirun, and its sweep directory."""
    words = shlex.split(command)
    assert words[:4] == [PYTHON, "-m", "experiments.run", "--multirun"], command
    overrides = OverridesParser.create().parse_overrides(words[4:])
    (directory,) = [word for word in words if word.startswith("hydra.sweep.dir=")]
    return [job for batch in BasicSweeper.split_arguments(overrides, None) for job in batch], directory


def _what(config) -> str:
    """What a run computes: its resolved config without how it is computed."""
    resolved = resolved_config(config)
    resolved.pop("output")
    return json.dumps(resolved, sort_keys=True)


@pytest.mark.parametrize("setup", [
    {},  # two presets on the median
    {"members": 2, "seeds": 2, "arms": [_arm("service_first"), _arm("community_first", builder_coverage=0.1)]},
    {"vary": "community_capacity", "vary_from": 0.5, "vary_to": 1, "vary_values": 2},  # one multirun a policy
    {"vary": "staff_fte_per_10k", "vary_from": 2, "vary_to": 3, "vary_values": 2},  # one a policy and value
])
def test_the_command_line_runs_what_the_app_runs(setup):
    plan = plan_sweep(_form(**{"seeds": 1, **setup}))
    shown = commands(plan)
    assert shown[-2:] == [f"{PYTHON} -m analysis.report {root(plan)}", f"{PYTHON} -m analysis.brief {root(plan)}"]
    from_page = sorted(_what(composed(plan.run_overrides(run.cell, run.posterior, run.seed))) for run in plan.runs(""))
    from_commands, directories, run_dirs = [], set(), set()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        for command in shown[:-2]:
            jobs, directory = _jobs(command)
            assert directory not in directories
            directories.add(directory)
            for job in jobs:
                config = compose(config_name="config", overrides=job, return_hydra_config=True)
                from_commands.append(_what(config))
                sweep = OmegaConf.to_container(config.hydra.sweep, resolve=True)
                run_dirs.add(f"{sweep['dir']}/{sweep['subdir']}")
    assert sorted(from_commands) == from_page
    assert len(run_dirs) == len(from_page)  # no two runs in one directory


def test_the_same_setup_goes_to_the_same_directory():
    """A setup started again (or with more seeds or members) resumes where it was; another setup goes elsewhere."""
    assert root(plan_sweep(_form(seeds=1))) == root(plan_sweep(_form(seeds=3, members=2)))
    assert root(plan_sweep(_form(seeds=1))) != root(plan_sweep(_form(seeds=1, weeks=9)))
