"""The app's sweep plans: what a user typed is refused in one line (by ``model.params`` where it is a model
value), and every policy compared gets runs of its own."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import asdict

import pytest

from app.choices import preset_levers
from app.plan import MAX_ARMS, MAX_RUNS, MAX_SEEDS, MAX_VALUES, MAX_WEEKS, load_plan, plan_sweep
from model.config import load_params
from model.params import ConfigError


def _arm(preset: str, **levers) -> dict:
    defaults = preset_levers(preset)
    return {"preset": preset, "staff_fte_per_10k": defaults.staff_fte_per_10k, "review": defaults.review,
            "builder_coverage": defaults.builder_coverage, "community_capacity": defaults.community_capacity, **levers}


def _form(*arms: dict, **settings) -> dict:
    return {"area": "market_town", "scenario": "baseline", "seeds": 2, "weeks": 8, "warmup_weeks": 4,
            "arms": list(arms) or [_arm("service_first"), _arm("community_first")], **settings}


@pytest.mark.parametrize("form, message", [
    (_form(area=None), "pick an area"),
    (_form(scenario="volcano"), "pick a scenario: one of baseline, austerity, cost_of_living, pandemic"),
    (_form(seeds=0), f"seeds=0: give a whole number from 1 to {MAX_SEEDS}"),
    (_form(seeds=2.5), f"seeds=2.5: give a whole number from 1 to {MAX_SEEDS}"),
    (_form(seeds=None), f"enter the seeds (a whole number from 1 to {MAX_SEEDS})"),
    (_form(members=None), "enter the posterior members (a whole number from 0, the calibrated median alone, to 240)"),
    (_form(members=241), "members=241: give a whole number from 0 (the calibrated median alone) to 240 (posterior members)"),
    (_form(members=1.5), "members=1.5: give a whole number from 0 (the calibrated median alone) to 240 (posterior members)"),
    (_form(members=60, seeds=6), f"{2 * 60 * 6} runs: a sweep of the app has at most {MAX_RUNS} (fewer policies, "
                                 "values, members or seeds; a larger sweep belongs on the command line)"),
    (_form(vary="policy"), "vary='policy': pick one of staff_fte_per_10k, builder_coverage, community_capacity, or none"),
    (_form(vary="community_capacity", vary_from=None, vary_to=1, vary_values=3),
     "enter the lowest community capacity to try (a number)"),
    (_form(vary="community_capacity", vary_from=0.5, vary_to=0.5, vary_values=3),
     "the community capacity runs from 0.5 to 0.5: give two different ends of its range"),
    (_form(vary="community_capacity", vary_from=0.5, vary_to=1, vary_values=MAX_VALUES + 1),
     f"values={MAX_VALUES + 1}: give a whole number of values from 2 to {MAX_VALUES}"),
    (_form(vary="community_capacity", vary_from=0.5, vary_to=20, vary_values=2),
     "policy 1 at community capacity 20: community.capacity=20.0 is out of range; allowed [0.0, 10.0]"),
    (_form(_arm("community_first"), _arm("community_first", staff_fte_per_10k=3.0), vary="staff_fte_per_10k",
           vary_from=1, vary_to=2, vary_values=2),
     "policies 1 and 2 are the same; change a lever of one other than the practitioners per 10,000 adults"),
    (_form(weeks=None), "enter the weeks under the policy (a whole number)"),
    (_form(weeks=0), "weeks=0 is out of range; allowed [1, 5200]"),
    (_form(warmup_weeks=1.5), "warmup_weeks=1.5 must be a whole number"),
    (_form(_arm("service_first")), "compare at least 2 policies"),
    (_form(_arm("service_first"), _arm("service_first")), "policies 1 and 2 are the same; change a lever of one"),
    (_form(_arm("service_first"), _arm("community_first", staff_fte_per_10k=None)),
     "policy 2: enter the practitioners per 10,000 adults (a number)"),
    (_form(_arm("service_first"), _arm("community_first", review="gentle")),
     "policy 2: pick a review practice: one of standard, strengths_based"),
    (_form(_arm("service_first", builder_coverage=1.5), _arm("community_first")),
     "policy 1: policy.programmes.builders.coverage=1.5 is out of range; allowed [0.0, 1.0]"),
    (_form(_arm("service_first"), _arm("community_first", community_capacity=-1)),
     "policy 2: community.capacity=-1.0 is out of range; allowed [0.0, 10.0]"),
    # Issue 20: the app's bounds, and no user text reaching a Hydra override (it would be interpolated)
    (_form(*[_arm("community_first", staff_fte_per_10k=1 + k / 10) for k in range(MAX_ARMS + 1)]),
     f"compare at most {MAX_ARMS} policies in the app (a larger sweep belongs on the command line)"),
    (_form(seeds=MAX_SEEDS + 1), f"seeds={MAX_SEEDS + 1}: give a whole number from 1 to {MAX_SEEDS}"),
    (_form(weeks=5000, warmup_weeks=416), f"weeks=5000 and warmup_weeks=416: a run of the app simulates at most "
                                          f"{MAX_WEEKS:,} weeks, warm-up included"),
    (_form(weeks="${oc.env:HOME}"), "enter the weeks under the policy (a whole number)"),
    (_form(warmup_weeks="4"), "enter the weeks of warm-up (a whole number)"),
    (_form(area="../../etc/passwd"), "pick an area"),
    (_form(scenario="../baseline"), "pick a scenario: one of baseline, austerity, cost_of_living, pandemic"),
    (_form(_arm("service_first"), {**_arm("community_first"), "preset": "../policy/community_first"}),
     "policy 2: pick a preset"),
])
def test_bad_input_is_refused_in_one_line(form, message):
    with pytest.raises(ConfigError) as refused:
        plan_sweep(form)
    assert str(refused.value) == message


def test_the_model_refuses_a_value_as_the_command_line_does():
    """The page's message after ``policy k:`` is the command line's own."""
    with pytest.raises(ConfigError) as command_line:
        load_params(["community.capacity=20"])
    with pytest.raises(ConfigError) as page:
        plan_sweep(_form(_arm("service_first"), _arm("community_first", community_capacity=20)))
    assert str(page.value) == f"policy 2: {command_line.value}"


def test_each_policy_has_runs_of_its_own(tmp_path):
    """Policies that differ only in team size, or in a lever, are told apart in the sweep's tables; a builder
    site gets a builder even under a preset without one; the plan reads back as it was stored."""
    plan = plan_sweep(_form(_arm("community_first"), _arm("community_first", staff_fte_per_10k=3.5),
                            _arm("service_first", builder_coverage=0.16, review="strengths_based")))
    assert [key["policy"] for key in plan.keys] == ["community_first", "community_first_with_3.5_practitioners_per_10k", "service_first"]
    assert len({tuple(key.values()) for key in plan.keys}) == 3
    assert [arm.title for arm in plan.arms] == [
        "Community first", "Community first (3.5 practitioners per 10,000 adults)",
        "Service first (strengths-based review, builders in 16% of neighbourhoods)"]
    params = load_params(plan.run_overrides(2, "median", seed=1))
    assert (params.policy.programmes["builders"].fte, params.policy.review.name, params.seed) == (1.0, "strengths_based", 1)
    runs = plan.runs(tmp_path)
    assert len(runs) == 3 * 2 and len({run.directory for run in runs}) == 6
    assert [run.seed for run in runs] == [0, 0, 0, 1, 1, 1]  # seed by seed: every policy drawn early
    assert runs[4].directory == tmp_path / "policy-2" / "seed=1"  # the layout of sweeps planned before members
    plan.save(tmp_path)
    assert load_plan(tmp_path) == plan


def test_a_sweep_runs_over_posterior_members_as_the_main_job_does(tmp_path):
    """Issue 23: the app ran the median parameters only, so its bands meant something else than the main job's.  Its
    members are the main job's first ones (configs/experiment/policy_comparison.yaml), paired across policies."""
    plan = plan_sweep(_form(members=3, seeds=2))
    runs = plan.runs(tmp_path)
    assert len(runs) == 2 * 3 * 2 and len({run.directory for run in runs}) == 12
    assert [(run.posterior, run.seed) for run in runs[:4]] == [("member_000", 0)] * 2 + [("member_001", 0)] * 2
    params = load_params(plan.run_overrides(1, "member_002", seed=1))
    assert (params.posterior.name, params.posterior.member, params.policy.name) == ("member_002", 2, "community_first")
    assert plan.title.endswith("Service first vs Community first, 3 posterior members x 2 seeds")
    plan.save(tmp_path)
    assert load_plan(tmp_path) == plan


def test_a_lever_is_varied_over_a_range_for_every_policy(tmp_path):
    """Every policy runs at every value (its own value of the lever aside), each named apart in the sweep's tables."""
    plan = plan_sweep(_form(vary="staff_fte_per_10k", vary_from=3, vary_to=1, vary_values=3))
    assert plan.values == (1.0, 2.0, 3.0) and len(plan.cells) == 6 and len({tuple(k.values()) for k in plan.keys}) == 6
    assert [plan.cell_title(cell) for cell in plan.cells[:2]] == [
        "1. Service first, 1 practitioners per 10,000 adults", "1. Service first, 2 practitioners per 10,000 adults"]
    assert load_params(plan.run_overrides(5, "median", seed=0)).policy.staff_fte_per_10k == 3.0
    capacity = plan_sweep(_form(vary="community_capacity", vary_from=0.25, vary_to=1, vary_values=4))
    assert capacity.values == (0.25, 0.5, 0.75, 1.0)
    assert [key["community_capacity"] for key in capacity.keys] == [0.25, 0.5, 0.75, 1.0] * 2
    assert {run.directory.parent.name for run in capacity.runs(tmp_path)} == {
        f"community_capacity={value!r}" for value in capacity.values}
    capacity.save(tmp_path)
    assert load_plan(tmp_path) == capacity


def test_a_plan_stored_before_members_and_lever_ranges_reads_as_the_median(tmp_path):
    plan = plan_sweep(_form())
    stored = json.loads(json.dumps(asdict(plan)))
    for name in ("members", "lever", "values", "adults"):
        del stored[name]
    (tmp_path / "plan.json").write_text(json.dumps(stored))
    assert load_plan(tmp_path) == dataclasses.replace(plan, adults=None)


def test_every_english_district_and_county_can_be_picked_and_builds_its_town():
    """The picker offers the generated towns and every district and county of the shipped lookup; a real area's
    plan composes population=area with its code, and the run it plans is the area's own."""
    from app.choices import areas

    offered = areas()
    assert {"market_town", "deprived_estate", "rural_county"} <= set(offered) and "area" not in offered
    assert offered["area-E10000012"].name == "Essex (E10000012, 12 districts)"
    assert sum(key.startswith("area-") for key in offered) == 317 + 26  # 2019 districts and two-tier counties
    plan = plan_sweep(_form(area="area-E06000053"))  # the Isles of Scilly, the smallest authority
    params = load_params(plan.run_overrides(0, "median", seed=0))
    assert params.population.name == "area-E06000053" and params.area.code == ("E06000053",)
