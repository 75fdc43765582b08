"""The decomposition experiment: the exact split of a difference among levers, and its report section.

The maths is checked on synthetic factorials whose effects are known; a tiny real sweep of the
``decomposition`` preset checks that every arm is stored apart, read as one table and reported.
"""

import itertools
import math

import numpy as np
import polars as pl
import pytest

from analysis import decomposition, report, tables
from analysis.decomposition import ALONE, INTERACTION, JOIN, SHAPLEY, TOTAL, decompose, lever_effects
from analysis.sweep import open_sweep

from .sweeps import TINY_WEEKS, run_sweep

LEVELS = {"policy": ("service_first", "community_first"), "review": ("standard", "strengths_based"),
          "community_capacity": (1.0, 0.25), "builder_coverage": (0.0, 0.16)}
LEVERS = list(LEVELS)
START = {lever: levels[0] for lever, levels in LEVELS.items()}
MAIN_END = {**START, "policy": "community_first", "review": "strengths_based"}  # the main job's other arm
FULL_END = {lever: levels[1] for lever, levels in LEVELS.items()}
# The decomposition preset's four levers (configs/experiment/decomposition.yaml), as its runs label them.
PRESET_LEVELS = {"policy": ("service_first", "community_first"), "review": ("standard", "strengths_based"),
                 "community_capacity": (1.0, 0.25), "hospital_practice": ("False", "True")}
SEEDS = range(4)


def _factorial(outcome, member: int = 0) -> pl.DataFrame:
    """Every cell of the factorial on every seed of one posterior member: ``outcome(seed, on)`` with ``on`` the set
    of levers switched."""
    rows = []
    for seed in SEEDS:
        for setting in itertools.product(*LEVELS.values()):
            on = {lever for lever, level in zip(LEVERS, setting) if level != LEVELS[lever][0]}
            rows.append({**dict(zip(LEVERS, setting)), "member": member, "seed": seed, "y": outcome(seed, on)})
    return pl.DataFrame(rows)


def _town(seed: int) -> float:
    """What the seed alone gives every cell (common random numbers): the same town and life events."""
    return float(np.random.default_rng(seed).normal(100, 30))


EFFECTS = {"policy": -4.0, "review": -1.5, "community_capacity": 6.0, "builder_coverage": -0.5}


def _parts(frame: pl.DataFrame, kind: str, seed: int = 0) -> dict[str, float]:
    rows = frame.filter(pl.col("kind") == kind, pl.col("seed") == seed)
    return dict(zip(rows["part"], rows["y"]))


def test_additive_effects_are_recovered_exactly_seed_by_seed():
    cells = _factorial(lambda seed, on: _town(seed) + sum(EFFECTS[lever] for lever in on))
    parts = decompose(cells, LEVERS, START, FULL_END, ["y"])
    assert parts["seed"].unique().sort().to_list() == list(SEEDS)
    for seed in SEEDS:  # the town cancels in every pair, so every seed gives the effects themselves
        assert _parts(parts, ALONE, seed) == pytest.approx(EFFECTS, abs=1e-9)
        assert _parts(parts, SHAPLEY, seed) == pytest.approx(EFFECTS, abs=1e-9)
        interactions = _parts(parts, INTERACTION, seed)
        assert len(interactions) == 2 ** len(LEVERS) - 1 - len(LEVERS)
        assert max(abs(v) for v in interactions.values()) < 1e-9
        assert _parts(parts, TOTAL, seed)["total"] == pytest.approx(sum(EFFECTS.values()))


def test_the_main_comparison_splits_between_front_door_and_review_only():
    """Community capacity and builders are the same in both arms of the main job: they get no part."""
    cells = _factorial(lambda seed, on: _town(seed) + sum(EFFECTS[lever] for lever in on))
    parts = decompose(cells, LEVERS, START, MAIN_END, ["y"])
    assert _parts(parts, SHAPLEY) == pytest.approx({"policy": -4.0, "review": -1.5})
    assert _parts(parts, INTERACTION) == pytest.approx({f"policy{JOIN}review": 0.0})
    assert _parts(parts, TOTAL)["total"] == pytest.approx(-5.5)


def _arbitrary(seed: int, on: set[str]) -> float:
    """Any outcome at all: a different number for every cell and seed, interactions of every order."""
    key = sum(2 ** LEVERS.index(lever) for lever in on)
    return float(np.random.default_rng([seed, key]).normal(0, 10))


@pytest.mark.parametrize("end", [MAIN_END, FULL_END, {**START, "community_capacity": 0.25, "policy": "community_first"}])
def test_parts_add_up_exactly_to_the_difference_whatever_the_outcome(end):
    cells = _factorial(_arbitrary)
    parts = decompose(cells, LEVERS, START, end, ["y"])
    for seed in SEEDS:
        total = _parts(parts, TOTAL, seed)["total"]
        assert total == pytest.approx(_arbitrary(seed, {k for k in LEVERS if end[k] != START[k]}) - _arbitrary(seed, set()))
        assert sum(_parts(parts, SHAPLEY, seed).values()) == pytest.approx(total, abs=1e-9)
        assert sum(_parts(parts, ALONE, seed).values()) + sum(_parts(parts, INTERACTION, seed).values()) == \
            pytest.approx(total, abs=1e-9)


def test_shapley_is_the_average_marginal_effect_over_every_order():
    """The standard definition, counted out by brute force over the 24 orders of four levers."""
    cells = _factorial(_arbitrary)
    shapley = _parts(decompose(cells, LEVERS, START, FULL_END, ["y"]), SHAPLEY, seed=2)
    for lever in LEVERS:
        marginals = []
        for order in itertools.permutations(LEVERS):
            before = set(order[:order.index(lever)])
            marginals.append(_arbitrary(2, before | {lever}) - _arbitrary(2, before))
        assert shapley[lever] == pytest.approx(sum(marginals) / math.factorial(len(LEVERS)), abs=1e-9)


def test_an_interaction_shows_where_it_is_built_in():
    """Strengths-based reviews save more with a community-first front door (a door x review interaction of -2),
    and builders help only a thin community (a capacity x builders interaction of -3)."""
    def outcome(seed, on):
        return (_town(seed) + sum(EFFECTS[lever] for lever in on) - 2.0 * ({"policy", "review"} <= on)
                - 3.0 * ({"community_capacity", "builder_coverage"} <= on))
    cells = _factorial(outcome)
    main = decompose(cells, LEVERS, START, MAIN_END, ["y"])
    assert _parts(main, ALONE) == pytest.approx({"policy": -4.0, "review": -1.5})
    assert _parts(main, INTERACTION) == pytest.approx({f"policy{JOIN}review": -2.0})
    assert _parts(main, SHAPLEY) == pytest.approx({"policy": -5.0, "review": -2.5})  # shared equally
    full = _parts(decompose(cells, LEVERS, START, FULL_END, ["y"]), INTERACTION)
    built_in = {f"policy{JOIN}review": -2.0, f"community_capacity{JOIN}builder_coverage": -3.0}
    assert {part: value for part, value in full.items() if abs(value) > 1e-9} == pytest.approx(built_in)

    effects = lever_effects(cells, LEVELS, ["y"]).filter(pl.col("seed") == 0)
    door = effects.filter(pl.col("lever") == "policy")
    assert door.height == 8 and door["policy"].null_count() == 8
    assert sorted(set(door.group_by("review").agg(pl.col("y").first()).rows())) == [("standard", -4.0),
                                                                                  ("strengths_based", -6.0)]
    builders = effects.filter(pl.col("lever") == "builder_coverage")
    assert dict(builders.group_by("community_capacity").agg(pl.col("y").mean()).rows()) == pytest.approx({1.0: -0.5, 0.25: -3.5})


def test_parts_are_paired_by_posterior_member_and_seed():
    """Two posterior members on the same seeds, the second with other parameters (levels 50 higher, effects twice
    as large): each member's parts are its own; paired by seed alone, the two members' cells would be mixed."""
    one = _factorial(lambda seed, on: _town(seed) + sum(EFFECTS[lever] for lever in on), member=0)
    other = _factorial(lambda seed, on: _town(seed) + 50 + 2 * sum(EFFECTS[lever] for lever in on), member=7)
    parts = decompose(pl.concat([one, other]), LEVERS, START, MAIN_END, ["y"])
    assert sorted(parts.select("member", "seed").unique().rows()) == [(m, s) for m in (0, 7) for s in SEEDS]
    for member, scale in ((0, 1), (7, 2)):
        shapley = parts.filter(pl.col("kind") == SHAPLEY, pl.col("member") == member, pl.col("seed") == 1)
        assert dict(zip(shapley["part"], shapley["y"])) == pytest.approx({"policy": -4.0 * scale, "review": -1.5 * scale})
    with pytest.raises(ValueError, match="more than one row"):
        decompose(pl.concat([one, other]), LEVERS, START, MAIN_END, ["y"], by=("seed",))


def test_a_seed_without_every_cell_is_left_out_and_a_doubled_cell_refused():
    cells = _factorial(lambda seed, on: _town(seed) + sum(EFFECTS[lever] for lever in on))
    gap = cells.filter(~((pl.col("seed") == 1) & (pl.col("policy") == "community_first") & (pl.col("review") == "standard")
                         & (pl.col("community_capacity") == 1.0) & (pl.col("builder_coverage") == 0.0)))
    assert decompose(gap, LEVERS, START, MAIN_END, ["y"])["seed"].unique().sort().to_list() == [0, 2, 3]
    with pytest.raises(ValueError, match="more than one row"):
        decompose(pl.concat([cells, cells.head(1)]), LEVERS, START, MAIN_END, ["y"])
    with pytest.raises(ValueError, match="missing: builder_coverage"):
        decompose(cells, LEVERS, {k: v for k, v in START.items() if k != "builder_coverage"}, MAIN_END, ["y"])


def test_band_is_mean_and_percentiles_across_seeds():
    cells = _factorial(_arbitrary)
    parts = decompose(cells, LEVERS, START, MAIN_END, ["y"])
    banded = decomposition.band(parts, ["kind", "part"], ["y"]).filter(pl.col("kind") == TOTAL).row(0, named=True)
    totals = parts.filter(pl.col("kind") == TOTAL)["y"].to_numpy()
    assert (banded["mean"], banded["p10"], banded["p90"], banded["runs"]) == pytest.approx(
        (totals.mean(), np.percentile(totals, 10), np.percentile(totals, 90), len(SEEDS)))


# A tiny real sweep of the preset: every arm in its own directory, read as one table, reported.

@pytest.fixture(scope="module")
def factorial_sweep(tmp_path_factory):
    sweep_dir = tmp_path_factory.mktemp("sweep") / "decomposition"
    run_sweep(sweep_dir, "seed=0", experiment="decomposition")
    return sweep_dir


def test_every_arm_is_stored_apart_and_labelled(factorial_sweep):
    runs = sorted(path.parent.relative_to(factorial_sweep).as_posix() for path in factorial_sweep.rglob("metadata.json"))
    assert len(runs) == 16
    assert "market_town/baseline/community_first/review=standard/capacity=0.25/hospital=True/seed=0" in runs
    sweep = open_sweep(factorial_sweep)
    assert sweep.problems == ()
    cells = sweep.scan("summary").select(*PRESET_LEVELS).collect()
    assert set(cells.rows()) == set(itertools.product(*PRESET_LEVELS.values()))
    assert sweep.scan("steps").group_by(*PRESET_LEVELS).len().collect()["len"].to_list() == [TINY_WEEKS] * 16


def test_arms_are_paired_with_the_status_quo_in_the_same_community(factorial_sweep):
    summary = tables.summary_table(open_sweep(factorial_sweep).scan("summary")).filter(pl.col("measure") == "cost_total")
    raw = open_sweep(factorial_sweep).scan("summary").select(*PRESET_LEVELS, "cost_total").collect()

    def cost(**setting):
        return raw.filter(*[pl.col(k) == v for k, v in setting.items()])["cost_total"].item()

    # The hospital route is part of a policy's practice: every arm meets the status quo (service first, standard
    # reviews, discharges served as today) in its own community
    thin = {"community_capacity": 0.25}
    reaching = {**thin, "hospital_practice": "True"}
    row = summary.filter(pl.col("policy") == "community_first", pl.col("review") == "strengths_based",
                         *[pl.col(k) == v for k, v in reaching.items()]).row(0, named=True)
    assert row["diff_mean"] == pytest.approx(cost(policy="community_first", review="strengths_based", **reaching)
                                             - cost(policy="service_first", review="standard", hospital_practice="False",
                                                    **thin))
    baseline = summary.filter(pl.col("is_baseline"))
    assert set(baseline["review"]) == {"standard"} and set(baseline["hospital_practice"]) == {"False"}
    assert baseline.height == 2 and baseline["diff_mean"].abs().max() == 0


def test_report_has_the_section_and_shows_the_main_arms(factorial_sweep, tmp_path):
    page = report.write_report(factorial_sweep, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Where the difference comes from" in page and "id='decomposition-0'" in page
    assert "factorial of 16 arms" in page
    assert "not uncertainty in the model's parameters" in page
    for name, _, _ in report.DECOMPOSED.values():
        assert page.count(f"<b>{name}</b>") == 2  # a plain-words sentence in each part of the section
    assert "Shapley" in page
    assert page.count("<div id=\"p0-funnel-") == 2  # the main job's two arms, as in its own report


def test_report_without_the_factorial_has_no_section(tiny_sweep, tmp_path):
    page = report.write_report(tiny_sweep, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Where the difference comes from" not in page


def test_section_renders_in_a_browser(factorial_sweep, tmp_path):
    from .test_report import CHROMIUM, CHROMIUM_ARGS, _browser_or_skip

    sync_playwright = _browser_or_skip()
    out = report.write_report(factorial_sweep, tmp_path / "report.html")
    errors = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.goto(out.as_uri(), wait_until="load")
            for chart in ("#d0-contributions", "#d0-effects"):
                assert page.locator(f"{chart} .main-svg").count() > 0, chart
                assert page.locator(f"{chart} .subplot").count() >= len(report.DECOMPOSED), chart
            assert page.locator("table.decomposition tbody tr").count() == 2 * len(report.DECOMPOSED)
        finally:
            browser.close()
    assert errors == []


def test_the_preset_is_the_full_factorial_on_five_seeds():
    import yaml
    from omegaconf import OmegaConf

    from experiments.progress import count_jobs
    from model.config import CONFIG_DIR

    preset = yaml.safe_load((CONFIG_DIR / "experiment" / "decomposition.yaml").read_text())["hydra"]
    config = OmegaConf.create({"hydra": {"sweeper": preset["sweeper"], "overrides": {"task": []}}})
    assert count_jobs(config) == 2 ** 4 * 5
    subdir = preset["sweep"]["subdir"]
    for lever in ("${policy.name}", "${policy.review.name}", "${community.capacity}", "${policy.hospital_practice}", "${seed}"):
        assert lever in subdir
