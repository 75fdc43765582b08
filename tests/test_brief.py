"""The decision brief: it leads with the decision and how far to trust it, gives no probability from too few runs,
refuses comparisons the settings make meaningless, names a real area throughout, says where its numbers come from,
reads the break-even only of its own place, and prints to at most two A4 pages of PDF."""

from __future__ import annotations

import html
import re
import shutil

import numpy as np
import polars as pl
import pytest

from analysis import brief, guard_rails, provenance, report, validation
from analysis.brief import Cell, flags
from analysis.sweep import open_sweep
from analysis.wording import chance_text, number, place_name

from .pdf_text import page_count, pdf_text, squashed
from .sweeps import preset_config, run_sweep
from .test_report import _browser_or_skip

FLAG_TITLES = ("Carers under more strain", "More carers breaking down", "Unmet need where packages are stepped down",
               "Unmet need rising", "Long waits at the front door", "A growing waiting list")
SETTLED = ("warmup_weeks=416", "weeks=52")  # a tiny town after the default warm-up: its status quo has settled
NO_REPORT = "~hydra.callbacks.report"  # the tests write the pages they read; the sweep's own report is not needed
ZERO = "community_first_with_0_practitioners_per_10k"  # the app's name for community first with no practitioners
CALDERDALE = "Calderdale (E08000033)"


@pytest.fixture(scope="module")
def settled_sweep(tmp_path_factory):
    """The tiny town after the default warm-up, 2 seeds: service first, community first, and community first with
    no practitioners (as the app names such an arm)."""
    root = tmp_path_factory.mktemp("settled") / "settled"
    run_sweep(root, "seed=0,1", *SETTLED, NO_REPORT)
    run_sweep(root, "seed=0,1", *SETTLED, NO_REPORT, "policy=community_first", "policy.staff_fte_per_10k=0",
              f"policy.name={ZERO}")
    return root


@pytest.fixture(scope="module")
def break_even_dir(tmp_path_factory):
    """A tiny break-even sweep: 2 policies x 2 community capacities x 2 encouragements to ask x 1 seed."""
    root = tmp_path_factory.mktemp("break-even") / "break_even"
    run_sweep(root, "seed=0", "community.capacity=0.25,1.0", "posterior.mobilisation=0.0,0.6", experiment="break_even")
    return root


@pytest.fixture(scope="module")
def calderdale_sweep(tmp_path_factory):
    """Calderdale's own area (about 167,000 adults), both front doors, one seed, half a year."""
    root = tmp_path_factory.mktemp("calderdale") / "calderdale"
    run_sweep(root, "seed=0", "population=area", "area.code=Calderdale", NO_REPORT)
    return root


def _text(page: str) -> str:
    """What a page says, without its tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _arms(page: str) -> dict[str, str]:
    """The brief's part for each arm, by the heading's policy name."""
    parts = page.split("<div class='brief-arm'>")[1:]
    return {part.split(": ", 1)[1].split(" against ")[0]: part for part in parts}


def _costs(sweep_dir) -> pl.DataFrame:
    """Each run's whole-period cost and weeks, read from its own summary: policy, seed, cost_total, weeks."""
    return open_sweep(sweep_dir).scan("summary").select("policy", "seed", "cost_total", "weeks").collect()


def _decision(sweep_dir, policy: str = "community_first") -> str:
    """The sentence the brief must lead with, counted here from the runs' summaries (not from the brief's tables)."""
    costs = _costs(sweep_dir)
    years = costs["weeks"][0] / 52
    mine, base = (costs.filter(pl.col("policy") == p)["cost_total"].mean() / years for p in (policy, "service_first"))
    verdict = "costs less than" if mine < base else "costs more than"
    return f"Community first {verdict} service first on average: {number(mine, 'money')} a year against " \
           f"{number(base, 'money')}"


def test_the_brief_prints_on_at_most_two_a4_pages_with_the_decision_trust_flags_and_provenance(
        settled_sweep, break_even_dir, tmp_path):
    _browser_or_skip()
    page = brief.write_brief(settled_sweep, tmp_path / "brief.html", break_even_dir)
    pdf = brief.write_pdf(page, tmp_path / "brief.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert 1 <= page_count(pdf) <= 2
    text = pdf_text(pdf)
    assert squashed(_decision(settled_sweep)) in text
    assert squashed("Community first costs less than service first in") in text
    assert squashed("too few runs to give a probability") in text and squashed("probability 0.") not in text
    for title in FLAG_TITLES:
        assert squashed(f"Seen: {title}:") in text or squashed(f"Not seen: {title}:") in text, title
    for said in ("How far to trust it", "A model to compare policies, not a forecast", "published figures",
                 "No decision", "No practitioners", "What you would need to believe", "Written", "model revision",
                 "416 weeks of warm-up", f"at {provenance.PRICE_BASE}"):
        assert squashed(said) in text, said
    assert squashed("at every level tried") in text or squashed("the weakest community capacity tried") in text \
        or squashed("never costs less") in text


def test_no_probability_from_fewer_runs_than_make_one_meaningful():
    def cost(lower, paired, members):
        return {"lower": lower, "paired": paired, "paired_members": members}

    assert chance_text(cost(48, 50, 25)) == "in 48 of 50 paired runs: probability 0.96"
    for few in (cost(2, 2, 1), cost(19, 19, 19), cost(50, 50, 9), cost(10, 10, 1)):
        text = chance_text(few)
        assert "too few runs to give a probability" in text and "probability 1.00" not in text, few
        assert "at least 20 paired runs over 10 parameter sets" in text
    assert chance_text(cost(0, 0, 0)) == ""


def test_the_decision_gives_both_levels_and_no_probability_from_two_runs(settled_sweep, tmp_path):
    page = brief.write_brief(settled_sweep, tmp_path / "brief.html", tmp_path / "none").read_text()
    decided = _arms(page)["Community first"]
    assert _decision(settled_sweep) in _text(decided)
    assert "in 2 of 2 paired runs: too few runs to give a probability" in decided or \
           "in 0 of 2 paired runs: too few" in decided or "in 1 of 2 paired runs: too few" in decided
    assert "probability 1.00" not in page
    assert "Behind it</b>: 2 paired runs over 1 parameter set (the calibrated median) and 2 seeds" in decided
    levels = decided.split("<table class='brief-headline'>")[1].split("</table>")[0]
    assert "<th>Service first</th><th>Community first</th><th>Difference</th>" in levels


def test_no_practitioners_is_refused_and_never_reads_as_a_saving(settled_sweep, tmp_path):
    page = brief.write_brief(settled_sweep, tmp_path / "brief.html", tmp_path / "none").read_text()
    refused = _arms(page)["Community first with 0 practitioners per 10k"]
    assert "<div class='refused'>" in refused and "No decision: these runs cannot show" in refused
    assert "<b>No practitioners</b>" in refused and "<b>A waiting list that grows without end</b>" in refused
    assert "A warm-up too short" not in refused  # the status quo had the default warm-up
    assert "class='decision'" not in refused and "on average" not in refused
    assert "probability" not in refused and "brief-headline" not in refused  # no chance, no differences
    assert "Seen: Long waits at the front door" in refused  # nobody served waits, however short the served wait
    assert "<div class='refused'>" not in _arms(page)["Community first"]
    headline = report.write_report(settled_sweep, tmp_path / "report.html", break_even_dir=tmp_path / "none").read_text()
    assert "not a comparison to decide on</b> (no practitioners; a waiting list that grows without end" in headline


def test_a_warm_up_too_short_for_the_status_quo_to_settle_is_refused(tiny_sweep, tmp_path):
    page = brief.write_brief(tiny_sweep, tmp_path / "brief.html", tmp_path / "none").read_text()
    assert "<b>A warm-up too short</b>: after 13 weeks of warm-up the status quo (service first) is still changing" \
        in page
    moving = re.search(r"still changing over its first [^:]+: (long-term caseload|number of carers|isolation rate) by "
                       r"[+\u2212-]", page)  # which measures still move depends on the calibrated parameters
    assert moving and "the default warm-up is 416 weeks" in page
    assert "class='decision'" not in page


def test_settling_is_the_status_quos_trend_over_its_first_year(tiny_sweep):
    """The relative slope a year over the first half of a run shorter than two years, computed here with numpy."""
    sweep = open_sweep(tiny_sweep)
    measures = brief.run_measures(sweep).collect().filter(pl.col("policy") == "service_first")
    steps = sweep.scan("steps").filter(pl.col("policy") == "service_first").collect()
    for row in measures.iter_rows(named=True):
        run = steps.filter(pl.col("seed") == row["seed"]).sort("week")
        first = run.head(min(guard_rails.WINDOW_WEEKS, run.height // 2))
        for column in guard_rails.SETTLING:
            values = first[column].to_numpy().astype(float)
            slope = np.polyfit(first["week"].to_numpy(), values, 1)[0]
            assert row[f"settling_{column}"] == pytest.approx(52 * slope / values.mean()), column
        assert row["queue_weeks_end"] == pytest.approx(run["queue_length"][-1] / run["contacts"].mean())


def _summary_rows(**means) -> dict[str, dict]:
    return {m: {"mean": v, "std": 0.0, "runs": 4, "diff_mean": 0.0} for m, v in means.items()}


SETTLED_ROWS = dict(staff_hours_a_week=200.0, queue_weeks_end=0.0, queue_growth_last_year=0.0,
                    settling_caseload_long_term=0.03, settling_carers=-0.05, settling_isolation_rate=0.07)


def test_the_warm_up_is_too_short_when_the_status_quo_moves_by_more_than_a_tenth_a_year_beyond_chance():
    arm = _summary_rows(**SETTLED_ROWS)
    assert guard_rails.problems(arm, _summary_rows(**SETTLED_ROWS), "B", "A", "416 weeks") == []
    climbing = _summary_rows(**{**SETTLED_ROWS, "settling_caseload_long_term": 0.27, "settling_isolation_rate": -0.4})
    [found] = guard_rails.problems(arm, climbing, "B", "A", "52 weeks")
    assert found.title == "A warm-up too short"
    assert "after 52 weeks of warm-up" in found.evidence and "long-term caseload by +27% a year" in found.evidence
    assert "isolation rate by −40% a year" in found.evidence and "carers" not in found.evidence
    noisy = _summary_rows(**{**SETTLED_ROWS, "settling_carers": -0.15})
    noisy["settling_carers"]["std"] = 0.1  # four runs of a tiny town, in each direction: chance, not a trend
    assert guard_rails.problems(arm, noisy, "B", "A", "416 weeks") == []
    noisy["settling_carers"]["std"] = 0.02
    assert [p.title for p in guard_rails.problems(arm, noisy, "B", "A", "416 weeks")] == ["A warm-up too short"]


def test_a_waiting_list_that_grows_without_end_is_refused_in_either_arm():
    base = _summary_rows(**SETTLED_ROWS)
    for measure, value in (("queue_weeks_end", 30.0), ("queue_growth_last_year", 5.0)):
        arm = _summary_rows(**{**SETTLED_ROWS, measure: value})
        assert [p.title for p in guard_rails.problems(arm, base, "B", "A", "416 weeks")] == [
            "A waiting list that grows without end"]
        assert "under A" in guard_rails.problems(base, arm, "B", "A", "416 weeks")[0].evidence
    busy = _summary_rows(**{**SETTLED_ROWS, "queue_weeks_end": 12.0, "queue_growth_last_year": 2.0})
    assert guard_rails.problems(busy, base, "B", "A", "416 weeks") == []  # the deprived estate's status quo
    idle = _summary_rows(**{**SETTLED_ROWS, "staff_hours_a_week": 0.0})
    assert guard_rails.problems(idle, base, "B", "A", "416 weeks")[0].title == "No practitioners"


def test_a_real_area_is_named_throughout_with_its_provenance_and_validation(calderdale_sweep, break_even_dir,
                                                                            tmp_path):
    assert place_name("area-E08000033") == CALDERDALE and place_name("market_town") == "Market town"
    assert place_name("area-E07000066+E07000067") == "Basildon and Braintree (E07000066, E07000067)"
    assert place_name("area-my_hoods") == "Your neighbourhoods (my_hoods)"
    page = brief.write_brief(calderdale_sweep, tmp_path / "brief.html", break_even_dir).read_text()
    assert page.count(CALDERDALE) >= 5  # title, heading, trust, what you would need to believe, provenance
    assert f"<h1>Community first against service first in {CALDERDALE}</h1>" in page
    assert "Area-" not in page and "area-E08000033" not in page and "market town's own" not in page
    assert f"<b>Not measured</b> for community first in {CALDERDALE}" in page  # the market town's break-even is not its
    assert "experiments.run" not in page  # a command line belongs in the README, not a leader's brief
    adults = open_sweep(calderdale_sweep).scan("steps").select(pl.col("residents").mean()).collect().item()
    assert f"{CALDERDALE}, baseline scenario: about {adults:,.0f} adults; 13 weeks of warm-up" in page
    assert ("Checked against" in page) == (validation.load() is not None)
    full = report.write_report(calderdale_sweep, tmp_path / "report.html", break_even_dir=break_even_dir).read_text()
    assert "Area-" not in full and f"<h2>{CALDERDALE}, baseline scenario</h2>" in full


def test_what_you_would_need_to_believe_comes_from_a_break_even_of_the_same_place(settled_sweep, break_even_dir,
                                                                                 tmp_path):
    page = brief.write_brief(settled_sweep, tmp_path / "brief.html", break_even_dir).read_text()
    assert "the volunteers and groups of the market town can give" in page and "<table class='break-even'>" in page
    assert "From a break-even sweep of the market town, baseline scenario" in page
    assert "p 0." not in page  # one seed a cell: how many pairs cost less, never a probability
    missing = brief.write_brief(settled_sweep, tmp_path / "none.html", tmp_path / "none").read_text()
    assert "<b>Not measured</b> for community first" in missing and "experiments.run" not in missing


def test_the_title_says_what_was_compared_not_the_sweep_id(tiny_sweep, tmp_path):
    sweep_dir = tmp_path / "2026-12-07 18-59-13 4711"  # as the app names a sweep
    shutil.copytree(tiny_sweep, sweep_dir)
    page = brief.write_brief(sweep_dir, break_even_dir=tmp_path / "none").read_text()
    assert "<h1>Community first against service first in the market town</h1>" in page
    assert "4711" not in page.split("<section")[0]
    shutil.rmtree(sweep_dir / "market_town/baseline/community_first")  # nothing left to set against the status quo
    alone = brief.write_brief(sweep_dir, break_even_dir=tmp_path / "none").read_text()
    assert "<h1>Service first in the market town</h1>" in alone and "nothing to brief" in alone


def test_the_brief_says_where_its_numbers_come_from(tiny_sweep, tmp_path):
    from model.phases.costs import CostsPars as Costs

    page = brief.write_brief(tiny_sweep, tmp_path / "brief.html", tmp_path / "none").read_text()
    sweep = open_sweep(tiny_sweep)
    revision = sweep.metadata["git_revision"][0]
    assert f"model revision <code>{provenance.short_revision(revision)}</code> (4 runs)" in page
    assert "Written 20" in page and " UTC" in page
    assert "13 weeks of warm-up under the status quo, then 26 weeks under each policy" in page
    assert "4 runs: 2 policies x 1 parameter set (the calibrated median) x 2 seeds (0, 1)" in page
    assert f"Every £ is at {provenance.PRICE_BASE}" in page and provenance.PRICE_BASE in Costs.__doc__


def test_printing_without_a_browser_fails_in_one_line_naming_the_install_command(tiny_sweep, tmp_path, monkeypatch,
                                                                                capsys):
    pytest.importorskip("playwright.sync_api")
    monkeypatch.setattr(brief, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-browsers"))
    assert brief.main([str(tiny_sweep), "-o", str(tmp_path / "b.html"), "--pdf", str(tmp_path / "b.pdf"),
                       "--break-even", str(tmp_path / "none")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "apt-get install chromium" in error and "playwright install chromium" in error
    assert not (tmp_path / "b.pdf").exists()


def test_the_command_line_writes_the_page_and_the_pdf(tiny_sweep, tmp_path, capsys):
    _browser_or_skip()
    out, pdf = tmp_path / "b.html", tmp_path / "nested" / "b.pdf"
    assert brief.main([str(tiny_sweep), "-o", str(out), "--pdf", str(pdf), "--break-even", str(tmp_path / "none")]) == 0
    assert f"wrote {out} and {pdf}" in capsys.readouterr().out
    assert "Not measured" in out.read_text()
    assert brief.main([str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith("brief: sweep directory not found")


def test_the_report_opens_with_the_brief(tiny_sweep, tmp_path):
    page = report.write_report(tiny_sweep, tmp_path / "report.html", break_even_dir=tmp_path / "none").read_text()
    assert page.index("<section class='brief'") < page.index("How to read this report") < page.index("id='place-0'")
    assert "<title>Community first against service first in the market town</title>" in page
    assert "@media print" in page and "@page" in page
    assert "costs less <b>" not in page  # the warm-up is too short: no chance of costing less is given


def test_the_break_even_is_read_level_by_level_from_each_run_config(break_even_dir):
    found = brief.load_break_even(break_even_dir)
    assert found.place == ("market_town", "baseline")
    cells = sorted((c.policy, c.capacity, c.mobilisation, c.cost["paired"]) for c in found.cells)
    assert cells == [("community_first", cap, m, 1) for cap in (0.25, 1.0) for m in (0.0, 0.6)]
    assert brief.load_break_even(break_even_dir.parent / "absent") is None


def test_the_break_even_preset_runs_every_cell_into_a_directory_of_its_own():
    config = preset_config("break_even")
    params = config.hydra.sweeper.params
    assert len(params["community.capacity"].split(",")) == 4 and len(params["posterior.mobilisation"].split(",")) == 4
    subdir = config.hydra.sweep.subdir  # resolved for the composed run: the median's own encouragement
    assert subdir.startswith(f"mobilisation={config.posterior.mobilisation}/") and f"capacity={config.community.capacity}" in subdir
    assert config.policy.mobilisation == config.posterior.mobilisation  # community first takes the level
    assert "report" not in config.hydra.callbacks  # the brief reads it level by level; no report of the whole


def _cell(capacity: float, mobilisation: float, diff: float) -> Cell:
    return Cell("community_first", capacity, mobilisation,
                {"diff_mean": diff, "lower": int(diff < 0), "paired": 1, "paired_members": 1}, 1.0)


def test_what_you_would_need_to_believe_names_the_weakest_levels_tried_and_no_others():
    grid = [_cell(c, m, -1.0 if c >= 0.5 and m >= 0.3 or (c == 0.25 and m == 0.6) else 1.0)
            for c in (0.1, 0.25, 0.5, 1.0) for m in (0.0, 0.15, 0.3, 0.6)]
    text = brief._believe(grid)
    assert "community capacity tried at which it still does is <b>0.25</b> (with encouragement to ask 0.6:" in text
    assert "weakest encouragement to ask is <b>0.3</b> (with community capacity 0.5:" in text
    assert "in 1 of 1 paired runs)" in text and "probability" not in text  # one run a cell gives no probability
    assert "every level tried" in brief._believe([_cell(c, 0.0, -1.0) for c in (0.1, 1.0)])
    assert "never costs less" in brief._believe([_cell(c, 0.0, 0.0) for c in (0.1, 1.0)])  # equal is not less


def _rows(**means) -> dict[str, dict]:
    return {m: {"mean": v, "diff_mean": 0.0} for m, v in means.items()}


QUIET = dict(carer_strain_mean=0.2, carer_breakdowns_per_10000_per_year=1.0, step_downs_per_year=10.0,
             unmet_share_rise=0.0, mean_wait_weeks=1.0, queue_growth_weeks=0.0, queue_weeks_end=0.0, unmet_share=0.05)


def test_a_flag_fires_above_its_threshold_and_says_its_number():
    base = _rows(**QUIET)
    assert not any(f.seen for f in flags(_rows(**QUIET), base))
    worse = _rows(**{**QUIET, "carer_strain_mean": 0.22, "step_downs_per_year": 30.0, "mean_wait_weeks": 6.5})
    worse["carer_strain_mean"]["diff_mean"] = 0.02  # 10% above the status quo's
    worse["unmet_share"]["diff_mean"] = 0.004
    seen = {f.title: f for f in flags(worse, base) if f.seen}
    assert set(seen) == {"Carers under more strain", "Unmet need where packages are stepped down",
                         "Long waits at the front door"}
    assert "0.220 against 0.200" in seen["Carers under more strain"].evidence
    assert "6.5 weeks" in seen["Long waits at the front door"].evidence
    unserved = _rows(**{**QUIET, "mean_wait_weeks": 0.0, "queue_weeks_end": 12.7})  # nobody served, so no wait
    assert "holding 12.7 weeks" in {f.title: f for f in flags(unserved, base) if f.seen}[
        "Long waits at the front door"].evidence


def test_risk_measures_come_from_the_weekly_table(tiny_sweep):
    sweep = open_sweep(tiny_sweep)
    measures = brief.run_measures(sweep).collect()
    steps = sweep.scan("steps").collect()
    first = measures.row(0, named=True)
    run = steps.filter(*[pl.col(k) == first[k] for k in ("policy", "seed")])
    assert first["step_downs_per_year"] == pytest.approx(run["step_downs"].sum() / (run.height / 52))
    half = run.height // 2
    assert first["unmet_share_rise"] == pytest.approx(run["unmet_share"].tail(half).mean() - run["unmet_share"].head(half).mean())
    assert first["staff_hours_a_week"] == pytest.approx(run["staff_hours_available"].mean())
