"""How the model compares with the evidence: figures measured over their window on a real (tiny) ensemble sweep.

The sweep is the validation preset's, cut down: the status quo and Essex's three conversations in the tiny
town, two synthetic posterior members (``posterior.name=test_a`` / ``test_b``, the second with a higher
onset of need and a weaker conversation) x two seeds.  The figures are this test's own (``_FIGURES``), so
nothing here depends on the real ensemble or the real figures' values; the real ``configs/figures.yaml``
is only checked to load.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import yaml

from analysis import evidence, report, validation
from analysis.evidence import NOT_MEASURED, NOT_RUN, OUTSIDE, WITHIN
from analysis.sweep import open_sweep
from model import outputs
from model.params import ConfigError
from model.summary import summarise

from .sweeps import TINY_WEEKS, preset_config, run_sweep

FROM_WEEK = 13  # the tiny runs are 26 policy weeks: the window is their second half
MEMBERS = {"test_a": ("posterior.member=0",),
           "test_b": ("posterior.member=1", "needs.onset_weekly=0.0045", "posterior.mobilisation=0.2")}
# The test's figures: values are placeholders, replaced where a test needs one from the runs themselves.
_FIGURES = {
    "status_quo_contacts": {"description": "contacts a year per 1,000 adults (status quo)", "source": "a test",
                            "role": "fit", "preset": "service_first", "measure": "contacts_per_1000_per_year",
                            "value": 0.0, "tolerance": 1.0},
    "essex_ratio": {"description": "contacts, three conversations over the status quo", "source": "a test",
                    "role": "held_out", "preset": "three_conversations", "versus": "service_first",
                    "compare": "ratio", "measure": "contacts_per_1000_per_year", "value": 0.5, "tolerance": 0.15},
    "plans_ratio": {"description": "community plans over the status quo's, which gives none", "source": "a test",
                    "role": "held_out", "preset": "three_conversations", "versus": "service_first",
                    "compare": "ratio", "measure": "share_community_plan", "value": 2.0, "tolerance": 0.5},
    "impossible": {"description": "a held-out figure no run comes near", "source": "a test | with a bar",
                   "role": "held_out", "preset": "service_first", "measure": "statutory_per_adult_year",
                   "value": 1e9, "tolerance": 1.0},
    "shropshire_resolved": {"description": "resolved at first contact", "source": "a test", "role": "fit",
                            "preset": "shropshire", "measure": "share_resolved_first_contact", "value": 0.75,
                            "tolerance": 0.05},
}


@pytest.fixture(scope="module")
def ensemble_sweep(tmp_path_factory):
    sweep_dir = tmp_path_factory.mktemp("sweep") / "validation"
    for name, overrides in MEMBERS.items():
        run_sweep(sweep_dir, "population=market_town", "policy=service_first,three_conversations", "seed=0,1",
                  f"posterior.name={name}", *overrides, experiment="validation")
    return sweep_dir


def _write(tmp_path, figures: dict, from_week: int = FROM_WEEK):
    path = tmp_path / "figures.yaml"
    path.write_text(yaml.safe_dump({"from_week": from_week, "figures": figures}, sort_keys=False))
    return path


def _by_hand(sweep_dir, measure: str) -> pl.DataFrame:
    """Every run's ``measure`` over the window, read run by run from its own steps.parquet: policy, member, seed, value."""
    rows = []
    for path in sorted(sweep_dir.rglob(outputs.STEPS)):
        steps = pl.read_parquet(path)
        labels = steps.row(0, named=True)
        window = summarise(steps.filter(pl.col("week") >= FROM_WEEK))
        rows.append({"policy": labels["policy"], "member": labels["member"], "seed": labels["seed"],
                     "value": float(window[measure].item())})
    return pl.DataFrame(rows)


def _band(values):
    return np.mean(values), np.percentile(values, 10), np.percentile(values, 90)


def _row(found: evidence.Evidence, figure: str) -> dict:
    return found.table.filter(pl.col("figure") == figure).row(0, named=True)


def test_the_published_figures_load():
    figures = evidence.load_figures()
    assert figures.from_week == 104 and len(figures.figures) >= 9
    assert {f.role for f in figures.figures} == {"fit", "held_out"}
    assert set(figures.presets) == {"service_first", "shropshire", "calderdale", "three_conversations"}


def test_the_validation_preset_runs_every_preset_a_figure_names():
    from experiments.progress import count_jobs

    config = preset_config("validation")
    params = config.hydra.sweeper.params
    assert sorted(params.policy.split(",")) == evidence.load_figures().presets
    assert params.posterior.split(",") == [f"member_{k:03d}" for k in range(25)] and params.seed == "range(1)"
    assert params.population.split(",") == ["market_town", "deprived_estate", "rural_county"]  # England's, in each
    assert count_jobs(config) == 3 * 4 * 25
    assert config.weeks == 208 > evidence.load_figures().from_week
    assert config.hydra.sweep.dir == "results/sweeps/validation"


def test_figures_computed_by_hand_equal_the_table(ensemble_sweep, tmp_path):
    found = evidence.evaluate(open_sweep(ensemble_sweep), evidence.load_figures(_write(tmp_path, _FIGURES)))
    contacts = _by_hand(ensemble_sweep, "contacts_per_1000_per_year").filter(pl.col("policy") == "service_first")
    row = _row(found, "status_quo_contacts")
    assert (row["runs"], row["members"], row["seeds"]) == (4, 2, 2)
    assert (row["mean"], row["p10"], row["p90"]) == pytest.approx(_band(contacts["value"].to_numpy()))
    # The ratio is taken pair by pair: the same member and seed under both presets.
    all_contacts = _by_hand(ensemble_sweep, "contacts_per_1000_per_year")
    wide = (all_contacts.filter(pl.col("policy") == "three_conversations")
            .join(all_contacts.filter(pl.col("policy") == "service_first"), on=["member", "seed"], suffix="_status_quo"))
    ratios = (wide["value"] / wide["value_status_quo"]).to_numpy()
    assert len(ratios) == 4
    member_0, member_1 = (wide.filter(pl.col("member") == m).sort("seed")["value_status_quo"] for m in (0, 1))
    assert (member_0 != member_1).any()  # the members differ, so pairing by member (not seed alone) matters
    ratio = _row(found, "essex_ratio")
    assert (ratio["mean"], ratio["p10"], ratio["p90"]) == pytest.approx(_band(ratios))


def test_a_ratio_over_nothing_is_not_measured(ensemble_sweep, tmp_path):
    assert set(_by_hand(ensemble_sweep, "share_community_plan").filter(pl.col("policy") == "service_first")["value"]) == {0}
    found = evidence.evaluate(open_sweep(ensemble_sweep), evidence.load_figures(_write(tmp_path, _FIGURES)))
    row = _row(found, "plans_ratio")
    assert row["status"] == NOT_MEASURED and row["note"] == "the measure has nothing to divide by in 4 of 4 runs"


def test_verdicts_within_outside_and_not_run_are_all_shown(ensemble_sweep, tmp_path):
    sweep = open_sweep(ensemble_sweep)
    mean = _row(evidence.evaluate(sweep, evidence.load_figures(_write(tmp_path, _FIGURES))), "status_quo_contacts")["mean"]
    figures = {**_FIGURES, "status_quo_contacts": {**_FIGURES["status_quo_contacts"], "value": mean}}
    found = evidence.evaluate(sweep, evidence.load_figures(_write(tmp_path, figures)))
    assert _row(found, "status_quo_contacts")["status"] == WITHIN
    assert _row(found, "impossible")["status"] == OUTSIDE
    missing = _row(found, "shropshire_resolved")
    assert missing["status"] == NOT_RUN and missing["population"] is None
    page = evidence.section(found)
    assert "<h2>How the model compares with the evidence</h2>" in page
    assert "outside (held out)" in page and "within (fitted)" in page
    assert "not run in this comparison: see docs/validation.md" in page
    assert "2 posterior members x 2 seeds = 4 paired runs" in page
    essex = _row(found, "essex_ratio")["status"]
    assert (f"5 comparisons of 5 figures: fitted 1 within, 0 outside; held out {int(essex == WITHIN)} within, "
            f"{1 + int(essex == OUTSIDE)} outside; 1 not measured; 1 not run.") in page
    assert page.count("<tr>") == 1 + len(figures)  # the head, and a row for every figure, pass or fail


def test_runs_that_end_before_the_window_are_not_measured(ensemble_sweep, tmp_path):
    found = evidence.evaluate(open_sweep(ensemble_sweep), evidence.load_figures(_write(tmp_path, _FIGURES, TINY_WEEKS)))
    row = _row(found, "status_quo_contacts")
    assert row["status"] == NOT_MEASURED and row["note"] == f"the runs end before policy week {TINY_WEEKS}"
    assert _row(found, "shropshire_resolved")["status"] == NOT_RUN


def test_the_whole_run_window_gives_the_stored_summary(ensemble_sweep, tmp_path):
    """From week 0 the window is the whole run, so the figure is the mean of the summary each run stored."""
    found = evidence.evaluate(open_sweep(ensemble_sweep), evidence.load_figures(_write(tmp_path, _FIGURES, 0)))
    stored = pl.concat(pl.read_parquet(p) for p in ensemble_sweep.rglob(outputs.SUMMARY))
    expected = stored.filter(pl.col("policy") == "service_first")["contacts_per_1000_per_year"].mean()
    assert _row(found, "status_quo_contacts")["mean"] == pytest.approx(expected)


def test_markdown_says_what_was_run_and_lists_every_figure(ensemble_sweep, tmp_path, capsys):
    out = tmp_path / "docs" / "validation.md"
    figures = _write(tmp_path, _FIGURES)
    assert evidence.main([str(ensemble_sweep), "--markdown", str(out), "--figures", str(figures)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    text = out.read_text()
    assert text.startswith("# How the model compares with the evidence\n")
    assert f"python -m analysis.evidence {ensemble_sweep} --markdown {out}" in text
    assert "members 0, 1; seeds 0, 1" in text and "Model revision: `" in text
    assert f"policy weeks {FROM_WEEK} to {TINY_WEEKS - 1}" in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(table) == 2 + len(_FIGURES)  # the head, its rule and a row per figure
    assert "a test \\| with a bar" in text  # a bar in a source does not break the table
    assert "| not run in this sweep |" in text and "outside (held out)" in text
    # beside it, the same verdicts machine-readable, with the revision they were measured at (the brief reads them)
    status = validation.load(out.with_suffix(".json"))
    assert status.revisions == tuple(open_sweep(ensemble_sweep).metadata["git_revision"].unique())
    table = evidence.evaluate(open_sweep(ensemble_sweep), evidence.load_figures(figures)).table
    assert [(f["id"], f["status"]) for f in status.figures] == list(table.select("figure", "status").iter_rows())
    by_id = {f["id"]: f for f in status.figures}
    assert by_id["impossible"]["miss"] > 1e6 and by_id["shropshire_resolved"]["miss"] is None
    assert all((f["miss"] == 0) == (f["status"] == WITHIN) for f in status.figures if f["miss"] is not None)


def test_report_has_the_section_and_says_what_the_bands_cover(ensemble_sweep, tmp_path):
    page = report.write_report(ensemble_sweep, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<h2>How the model compares with the evidence</h2>" in page
    assert "not measured: the runs end before policy week 104" in page  # the real figures; tiny runs are too short
    assert "Each policy is run on 2 posterior members x 2 seeds = 4 paired runs" in page
    assert "cover both what is not known about the model's parameters" in page
    assert "chance alone" not in page
    # a 13-week warm-up leaves the status quo still moving: the headline gives no chance of costing less
    assert "not a comparison to decide on</b> (" in page and "a warm-up too short: see the decision brief" in page
    assert "costs less <b>" not in page


def test_report_of_one_parameter_set_says_chance_alone(tiny_sweep, tmp_path):
    page = report.write_report(tiny_sweep, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "2 seeds, all with the calibrated median parameters" in page
    assert "the bands show the spread chance alone gives" in page


@pytest.mark.parametrize("field, value, message", [
    ("measure", "contacts_a_year", "figures.bad.measure: 'contacts_a_year' is not allowed; choose one of: weeks, contacts,"),
    ("preset", "essex", "figures.bad.preset: 'essex' is not allowed; choose one of: calderdale, community_first,"),
    ("role", "validate", "figures.bad.role: 'validate' is not allowed; choose one of: fit, held_out"),
    ("compare", "ratio", "figures.bad.versus: None is not allowed; choose one of:"),
    ("colour", "red", "figures.bad.colour is not a field of a figure; choose from: description, source,"),
    ("tolerance", 0, "figures.bad.tolerance: 0 is not allowed; give a number above 0"),
])
def test_a_bad_figure_is_refused_in_one_line_naming_the_field(tmp_path, field, value, message):
    path = _write(tmp_path, {"bad": {**_FIGURES["status_quo_contacts"], field: value}})
    with pytest.raises(ConfigError) as raised:
        evidence.load_figures(path)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_comparison_without_a_shared_replicate_is_not_measured(ensemble_sweep, tmp_path):
    """The status quo run on one member only and three conversations on the other: nothing to pair."""
    import shutil

    sweep_dir = tmp_path / "unpaired"
    shutil.copytree(ensemble_sweep, sweep_dir)
    for left_out in ("service_first/test_b", "three_conversations/test_a"):
        for metadata in (sweep_dir / "market_town/baseline" / left_out).rglob(outputs.METADATA):
            metadata.unlink()
    with pytest.warns(UserWarning):
        sweep = open_sweep(sweep_dir)
    found = evidence.evaluate(sweep, evidence.load_figures(_write(tmp_path, _FIGURES)))
    assert _row(found, "essex_ratio")["note"] == ("no posterior member and seed was run under both "
                                                  "three_conversations and service_first")
    assert _row(found, "status_quo_contacts")["runs"] == 2
