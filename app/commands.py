"""The command lines that reproduce an app sweep: ``python -m experiments.run --multirun ...``, then its report.

A multirun sweeps the product of its axes, while the policies of an app sweep may differ in several settings at once
(a preset and its levers), so each policy is a multirun of its own, over the sweep's parameter sets and seeds (and
the values of a varied lever), into a directory of its own under one root: a sweep directory holds the runs of one
design (``experiments/sweep_design.py``), and the runs of one policy are one design.  A varied lever that changes more
than its own key from one value to the next (the practitioners, which name the policy; builders added to a preset
without them) is a multirun per value.  The report and the brief then read the root, every policy's runs together,
as the worker writes them (``analysis.report``, ``analysis.brief``).  Each policy's directory simulates its own
warm-ups (they are shared within a sweep directory, ``experiments.warmups``), with results identical to the app's,
run by run.

The root is named by the sweep's setup (a digest of everything but its seeds and posterior members), so the same
setup always goes to the same directory and resumes there, with more seeds or members too, and another setup never
meets its runs.
"""

from __future__ import annotations

import hashlib
import json
import shlex

from .plan import MEDIAN, Plan

PYTHON = ".venv/bin/python"
SUBDIR = "${population.name}/${scenario.name}/${policy.name}/${posterior.name}/seed=${seed}"  # configs/config.yaml's


def root(plan: Plan) -> str:
    """The sweep directory of the command line: ``results/sweeps/lab-<area>-<digest of the setup>``."""
    setup = [plan.area.key, plan.scenario, plan.weeks, plan.warmup_weeks, plan.lever, list(plan.values),
             [cell_arm.overrides() for cell_arm in map(plan.cell_arm, plan.cells)]]
    digest = hashlib.sha256(json.dumps(setup).encode()).hexdigest()[:8]
    return f"results/sweeps/lab-{plan.area.key}-{digest}"


def commands(plan: Plan) -> list[str]:
    """Every command, one a line, to run in the project's directory: a multirun per policy (or per policy and value of
    the varied lever), then the report and the brief of them all."""
    directory = root(plan)
    replicates = [f"posterior={','.join(plan.posteriors)}" if plan.posteriors != (MEDIAN,) else f"posterior={MEDIAN}",
                  f"seed={','.join(str(seed) for seed in range(plan.seeds))}"]
    lines = []
    for k in range(len(plan.arms)):
        cells = [dict(o.split("=", 1) for o in plan.cell_arm(cell).overrides()) for cell in plan.cells if cell.arm == k]
        alike = all(list(settings) == list(cells[0]) for settings in cells)  # the same keys, in the same order
        varies = [key for key in cells[0] if len({settings[key] for settings in cells}) > 1] if alike else []
        if len(cells) > 1 and len(varies) == 1:  # the lever's own key alone varies: one multirun over its values
            key = varies[0]
            policy = [f"{name}={','.join(settings[name] for settings in cells) if name == key else value}"
                      for name, value in cells[0].items()]
            subdir = SUBDIR.replace("/${posterior.name}", f"/{plan.lever}=${{{key}}}/${{posterior.name}}")
            lines.append(_multirun(plan, policy, replicates, f"{directory}/policy-{k + 1}", subdir))
        else:  # no lever, or more than its key varies with it: a multirun per value
            for j, settings in enumerate(cells):
                place = f"{directory}/policy-{k + 1}" + (f"/value-{j + 1}" if len(cells) > 1 else "")
                lines.append(_multirun(plan, [f"{name}={value}" for name, value in settings.items()], replicates,
                                       place, SUBDIR))
    lines += [f"{PYTHON} -m analysis.report {directory}", f"{PYTHON} -m analysis.brief {directory}"]
    return lines


def _multirun(plan: Plan, policy: list[str], replicates: list[str], directory: str, subdir: str) -> str:
    words = [PYTHON, "-m", "experiments.run", "--multirun", *plan.place_overrides(), *policy, *replicates,
             "+launch=cores", f"hydra.sweep.dir={directory}"]
    if subdir != SUBDIR:  # quoted for Hydra, whose grammar takes no = in a bare value; it interpolates a quoted one
        words.append(f'hydra.sweep.subdir="{subdir}"')
    return shlex.join(words)
