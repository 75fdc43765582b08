"""The app's sweep plans: what a user typed is refused in one line (by ``model.params`` where it is a model
value), and every policy compared gets runs of its own."""

from __future__ import annotations

import pytest

from app.choices import preset_levers
from app.plan import MAX_ARMS, MAX_SEEDS, MAX_WEEKS, load_plan, plan_sweep
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
    params = load_params(plan.run_overrides(2, seed=1))
    assert (params.policy.programmes["builders"].fte, params.policy.review.name, params.seed) == (1.0, "strengths_based", 1)
    runs = plan.runs(tmp_path)
    assert len(runs) == 3 * 2 and len({run_dir for _, _, run_dir in runs}) == 6
    assert [seed for _, seed, _ in runs] == [0, 0, 0, 1, 1, 1]  # seed by seed: every policy drawn early
    plan.save(tmp_path)
    assert load_plan(tmp_path) == plan


def test_every_english_district_and_county_can_be_picked_and_builds_its_town():
    """The picker offers the generated towns and every district and county of the shipped lookup; a real area's
    plan composes population=area with its code, and the run it plans is the area's own."""
    from app.choices import areas

    offered = areas()
    assert {"market_town", "deprived_estate", "rural_county"} <= set(offered) and "area" not in offered
    assert offered["area-E10000012"].name == "Essex (E10000012, 12 districts)"
    assert sum(key.startswith("area-") for key in offered) == 317 + 26  # 2019 districts and two-tier counties
    plan = plan_sweep(_form(area="area-E06000053"))  # the Isles of Scilly, the smallest authority
    params = load_params(plan.run_overrides(0, seed=0))
    assert params.population.name == "area-E06000053" and params.area.code == ("E06000053",)
