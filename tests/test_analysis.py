"""Reading a sweep: every run is found, bad runs are named and left out, tables agree with the raw steps."""

import shutil

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analysis import tables
from analysis.sweep import SweepError, SweepWarning, open_sweep
from model import outputs

from .sweeps import TINY_WEEKS

RUNS = {(policy, seed) for policy in ("service_first", "community_first") for seed in (0, 1)}


@pytest.fixture
def damaged_sweep(tiny_sweep, tmp_path):
    """A copy of the tiny sweep with one corrupt Parquet file and one run interrupted before it finished."""
    sweep_dir = tmp_path / "damaged"
    shutil.copytree(tiny_sweep, sweep_dir)
    corrupt = sweep_dir / "market_town/baseline/community_first/median/seed=1" / outputs.STEPS
    corrupt.write_bytes(corrupt.read_bytes()[: corrupt.stat().st_size // 2])
    interrupted = sweep_dir / "market_town/baseline/service_first/median/seed=0"
    (interrupted / outputs.METADATA).unlink()
    return sweep_dir, corrupt, interrupted


def test_scan_finds_every_run_lazily(tiny_sweep):
    sweep = open_sweep(tiny_sweep)
    assert sweep.problems == ()
    assert len(sweep.runs) == 4
    assert set(sweep.metadata.select("policy", "seed").rows()) == RUNS
    steps = sweep.scan("steps")
    assert isinstance(steps, pl.LazyFrame)
    counts = steps.group_by("policy", "seed").agg(pl.len(), pl.col("week").max()).collect()
    assert set(counts.select("policy", "seed").rows()) == RUNS
    assert counts["len"].to_list() == [TINY_WEEKS] * 4
    assert sweep.scan("summary").select(pl.len()).collect().item() == 4
    assert sweep.scan("neighbourhoods").select(pl.col("seed").n_unique()).collect().item() == 2


def test_bad_runs_are_named_and_left_out(damaged_sweep):
    sweep_dir, corrupt, interrupted = damaged_sweep
    with pytest.warns(SweepWarning) as caught:
        sweep = open_sweep(sweep_dir)
    message = str(caught[0].message)
    assert "2 run(s) left out" in message
    assert str(corrupt) in message and str(interrupted) in message
    assert len(sweep.problems) == 2
    left = {("service_first", 1), ("community_first", 0)}
    assert set(sweep.metadata.select("policy", "seed").rows()) == left
    assert set(sweep.scan("steps").select("policy", "seed").unique().collect().rows()) == left
    assert tables.funnel(sweep.scan("steps"))["runs"].to_list() == [1, 1]


def test_no_usable_run_is_an_error(tmp_path):
    with pytest.raises(SweepError, match="not found"):
        open_sweep(tmp_path / "missing")
    with pytest.raises(SweepError, match="no complete run"):
        open_sweep(tmp_path)


def _raw_steps(sweep_dir):
    """Every run's per-step table, read eagerly and independently of analysis.sweep."""
    return pl.concat(pl.read_parquet(path) for path in sorted(sweep_dir.rglob(outputs.STEPS)))


def _band(values):
    return np.mean(values), np.percentile(values, 10), np.percentile(values, 90)


def test_summary_and_funnel_match_the_steps(tiny_sweep):
    sweep, raw = open_sweep(tiny_sweep), _raw_steps(tiny_sweep)
    per_run = raw.group_by("policy", "seed").agg(pl.col("cost_total").sum(), pl.col("contacts").sum(),
                                                  pl.col("outcome_long_term_service").sum()).sort("policy", "seed")
    summary = tables.summary_table(sweep.scan("summary"))
    funnel = tables.funnel(sweep.scan("steps"))

    def value(frame, policy, column):
        return frame.filter(pl.col("policy") == policy)[column].to_numpy()

    for policy in ("service_first", "community_first"):
        row = summary.filter(pl.col("policy") == policy, pl.col("measure") == "cost_total").row(0, named=True)
        assert (row["mean"], row["p10"], row["p90"]) == pytest.approx(_band(value(per_run, policy, "cost_total")))
        paired = value(per_run, policy, "cost_total") - value(per_run, "service_first", "cost_total")
        assert (row["diff_mean"], row["diff_p10"], row["diff_p90"]) == pytest.approx(_band(paired))
        f = funnel.filter(pl.col("policy") == policy).row(0, named=True)
        assert f["contacts"] == pytest.approx(np.mean(value(per_run, policy, "contacts")) * 52 / TINY_WEEKS)
        assert f["outcome_long_term_service"] == pytest.approx(
            np.mean(value(per_run, policy, "outcome_long_term_service")) * 52 / TINY_WEEKS)
    assert summary.filter(pl.col("policy") == "service_first")["diff_mean"].abs().max() == 0


def test_weekly_bands_match_the_steps(tiny_sweep):
    sweep, raw = open_sweep(tiny_sweep), _raw_steps(tiny_sweep)
    bands = tables.weekly_bands(sweep.scan("steps"))
    assert bands.group_by("policy", "measure").len()["len"].to_list() == [TINY_WEEKS] * bands.select(
        pl.struct("policy", "measure").n_unique()).item()
    assert bands["runs"].unique().to_list() == [2]
    week = 10
    for policy in ("service_first", "community_first"):
        runs = raw.filter(pl.col("policy") == policy)

        def band(measure):
            return bands.filter(pl.col("policy") == policy, pl.col("measure") == measure, pl.col("week") == week).select(
                "mean", "p10", "p90").row(0)

        isolation = runs.filter(pl.col("week") == week)["isolation_rate"].to_numpy()
        assert band("isolation_rate") == pytest.approx(_band(isolation))
        # Demand: a yearly rate, each run's trailing 4-week mean.
        window = runs.filter(pl.col("week").is_between(week - tables.SMOOTH_WEEKS + 1, week))
        demand = window.group_by("seed").agg((52 * pl.col("contacts_per_1000").mean()).alias("demand"))["demand"].to_numpy()
        assert band("contacts_per_1000_per_year") == pytest.approx(_band(demand))


def test_cumulative_cost_difference_is_paired_by_seed(tiny_sweep):
    sweep, raw = open_sweep(tiny_sweep), _raw_steps(tiny_sweep)
    diff = tables.cumulative_cost_difference(sweep.scan("steps"))
    assert diff["policy"].unique().to_list() == ["community_first"]
    assert diff.height == TINY_WEEKS
    totals = raw.group_by("policy", "seed").agg(pl.col("cost_total").sum()).sort("seed")
    paired = (totals.filter(pl.col("policy") == "community_first")["cost_total"].to_numpy()
              - totals.filter(pl.col("policy") == "service_first")["cost_total"].to_numpy())
    last = diff.filter(pl.col("week") == TINY_WEEKS - 1).select("mean", "p10", "p90").row(0)
    assert last == pytest.approx(_band(paired))
    # The last week's cumulative difference is the whole-run difference of the summary table.
    summary = tables.summary_table(sweep.scan("summary"))
    whole = summary.filter(pl.col("policy") == "community_first", pl.col("measure") == "cost_total")["diff_mean"].item()
    assert last[0] == pytest.approx(whole)


def test_runs_written_before_the_lever_labels_are_read_with_their_levers_from_their_config(tiny_sweep, tmp_path):
    """A resumed sweep reuses runs finished before the review, community_capacity and builder_coverage columns
    existed: they are read with the rest, their levers taken from their config.yaml."""
    import json

    from analysis.sweep import LEVERS, RUN_KEYS

    sweep_dir = tmp_path / "sweep"
    shutil.copytree(tiny_sweep, sweep_dir)
    old = sweep_dir / "market_town/baseline/community_first/median/seed=1"
    for name in (outputs.STEPS, outputs.HOODS, outputs.SUMMARY):
        pl.read_parquet(old / name).drop(LEVERS).write_parquet(old / name)
    meta = json.loads((old / outputs.METADATA).read_text())
    (old / outputs.METADATA).write_text(json.dumps({k: v for k, v in meta.items() if k not in LEVERS}))
    sweep = open_sweep(sweep_dir)
    assert sweep.problems == () and sweep.unlabelled == {old}
    steps = sweep.scan("steps").collect()
    assert steps.columns[:len(RUN_KEYS)] == list(RUN_KEYS) and steps.height == 4 * TINY_WEEKS
    assert steps.filter(pl.col("seed") == 1, pl.col("policy") == "community_first").select(LEVERS).unique().rows() == [
        ("strengths_based", 1.0, 0.0, "False")]
    # the same table; a spread's last bits depend on how polars splits the runs it reads (floating-point sums)
    assert_frame_equal(tables.summary_table(sweep.scan("summary")), tables.summary_table(open_sweep(tiny_sweep).scan("summary")))


def _hand_made_summary(costs: dict[tuple[str, int, int], float]) -> pl.LazyFrame:
    """A summary table of the market town: one row per (policy, member, seed) with its total cost."""
    from analysis.sweep import RUN_KEYS

    rows = [{"population": "market_town", "scenario": "baseline", "policy": policy,
             "review": "standard" if policy == "service_first" else "strengths_based", "community_capacity": 1.0,
             "builder_coverage": 0.0, "hospital_practice": "False", "member": member, "seed": seed, "cost_total": cost}
            for (policy, member, seed), cost in costs.items()]
    return pl.DataFrame(rows).select(*RUN_KEYS, "cost_total").lazy()


def test_probability_of_costing_less_counts_the_pairs_by_member_and_seed():
    """Community first minus service first, pair by pair: -5, -1, +2, 0 (a tie is not lower), and one run with no
    status-quo run to pair with (member 2): lower in 2 of 4 pairs.  Paired by seed alone the count would differ
    (the two members' runs would be crossed: 8 pairs)."""
    status_quo = {(0, 0): 100.0, (0, 1): 110.0, (1, 0): 80.0, (1, 1): 130.0}
    differences = {(0, 0): -5.0, (0, 1): -1.0, (1, 0): 2.0, (1, 1): 0.0}
    costs = {("service_first", *replicate): cost for replicate, cost in status_quo.items()}
    costs |= {("community_first", *replicate): status_quo[replicate] + d for replicate, d in differences.items()}
    costs[("community_first", 2, 0)] = 1.0
    row = tables.summary_table(_hand_made_summary(costs)).filter(
        pl.col("policy") == "community_first", pl.col("measure") == "cost_total").row(0, named=True)
    assert (row["lower"], row["paired"], row["runs"], row["paired_members"]) == (2, 4, 5, 2)  # member 2: unpaired
    assert row["diff_mean"] == pytest.approx(np.mean(list(differences.values())))
    baseline = tables.summary_table(_hand_made_summary(costs)).filter(pl.col("policy") == "service_first").row(0, named=True)
    assert (baseline["lower"], baseline["paired"]) == (0, 4)  # its own pairs differ by nothing


def test_replicates_say_what_the_bands_cover():
    from analysis.replicates import count_text, coverage_text, replicates

    ensemble = replicates(pl.DataFrame({"member": [0, 0, 1, 1, 2, 2] * 2, "seed": [0, 1] * 6}))
    assert ensemble.parameters and ensemble.runs == 6
    assert count_text(ensemble) == "3 posterior members x 2 seeds = 6 paired runs"
    assert "parameters" in coverage_text(ensemble) and "chance" in coverage_text(ensemble)
    ragged = replicates(pl.DataFrame({"member": [0, 0, 1], "seed": [0, 1, 0]}))
    assert count_text(ragged) == "3 paired runs over 2 posterior members and 2 seeds"
    median = replicates(pl.DataFrame({"member": [-1] * 10, "seed": list(range(10))}))
    assert not median.parameters
    assert count_text(median) == "10 seeds, all with the calibrated median parameters"
    assert "chance alone" in coverage_text(median) and "not uncertainty in the model's parameters" in coverage_text(median)
    assert count_text(replicates(pl.DataFrame({"member": [7], "seed": [3]}))) == "1 seed, all with posterior member 7"
