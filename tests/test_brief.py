"""The decision brief: what it says matches the runs, every risk is listed seen or not seen, the break-even says
only what its levels show, the report opens with it, and it prints to at most two A4 pages of PDF."""

from __future__ import annotations

import polars as pl
import pytest

from analysis import brief, report
from analysis.brief import Cell, flags
from analysis.sweep import open_sweep

from .pdf_text import page_count, pdf_text, squashed
from .sweeps import preset_config, run_sweep
from .test_report import _browser_or_skip

FLAG_TITLES = ("Carers under more strain", "More carers breaking down", "Unmet need where packages are stepped down",
               "Unmet need rising", "Long waits at the front door", "A growing waiting list")


@pytest.fixture(scope="module")
def break_even_dir(tmp_path_factory):
    """A tiny break-even sweep: 2 policies x 2 community capacities x 2 encouragements to ask x 1 seed."""
    root = tmp_path_factory.mktemp("break-even") / "break_even"
    run_sweep(root, "seed=0", "community.capacity=0.25,1.0", "posterior.mobilisation=0.0,0.6", experiment="break_even")
    return root


def _probability_sentence(sweep_dir) -> str:
    """The sentence the brief must print, counted here from the runs' summaries by seed (not by the brief's tables)."""
    summary = open_sweep(sweep_dir).scan("summary").select("policy", "seed", "cost_total").collect()
    costs = summary.pivot(on="policy", index="seed", values="cost_total")
    lower = int((costs["community_first"] < costs["service_first"]).sum())
    return (f"Community first costs less than service first in {lower} of {costs.height} paired runs: "
            f"probability {lower / costs.height:.2f}.")


def test_the_brief_prints_on_at_most_two_a4_pages_with_its_probability_and_flags(tiny_sweep, break_even_dir,
                                                                                 tmp_path):
    _browser_or_skip()
    page = brief.write_brief(tiny_sweep, tmp_path / "brief.html", break_even_dir)
    pdf = brief.write_pdf(page, tmp_path / "brief.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert 1 <= page_count(pdf) <= 2
    text = pdf_text(pdf)
    assert squashed(_probability_sentence(tiny_sweep)) in text
    for title in FLAG_TITLES:
        assert squashed(f"Seen: {title}:") in text or squashed(f"Not seen: {title}:") in text, title
    assert squashed("at every level tried") in text or squashed("the weakest community capacity tried") in text \
        or squashed("never costs less") in text


def test_the_command_line_writes_the_page_and_the_pdf(tiny_sweep, tmp_path, capsys):
    _browser_or_skip()
    out, pdf = tmp_path / "b.html", tmp_path / "nested" / "b.pdf"
    assert brief.main([str(tiny_sweep), "-o", str(out), "--pdf", str(pdf), "--break-even", str(tmp_path / "none")]) == 0
    assert f"wrote {out} and {pdf}" in capsys.readouterr().out
    assert "Not measured" in out.read_text() and brief.BREAK_EVEN_COMMAND in out.read_text()
    assert brief.main([str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith("brief: sweep directory not found")


def test_the_report_opens_with_the_brief(tiny_sweep, tmp_path):
    page = report.write_report(tiny_sweep, tmp_path / "report.html", break_even_dir=tmp_path / "none").read_text()
    assert page.index("<section class='brief'") < page.index("How to read this report") < page.index("id='place-0'")
    assert squashed(_probability_sentence(tiny_sweep)) in squashed(page)
    assert "@media print" in page and "@page" in page


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
    return Cell("community_first", capacity, mobilisation, {"diff_mean": diff, "lower": int(diff < 0), "paired": 1}, 1.0)


def test_what_you_would_need_to_believe_names_the_weakest_levels_tried_and_no_others():
    grid = [_cell(c, m, -1.0 if c >= 0.5 and m >= 0.3 or (c == 0.25 and m == 0.6) else 1.0)
            for c in (0.1, 0.25, 0.5, 1.0) for m in (0.0, 0.15, 0.3, 0.6)]
    text = brief._believe(grid)
    assert "community capacity tried at which it still does is <b>0.25</b> (with encouragement to ask 0.6:" in text
    assert "weakest encouragement to ask is <b>0.3</b> (with community capacity 0.5:" in text
    assert "every level tried" in brief._believe([_cell(c, 0.0, -1.0) for c in (0.1, 1.0)])
    assert "never costs less" in brief._believe([_cell(c, 0.0, 0.0) for c in (0.1, 1.0)])  # equal is not less


def _rows(**means) -> dict[str, dict]:
    return {m: {"mean": v, "diff_mean": 0.0} for m, v in means.items()}


QUIET = dict(carer_strain_mean=0.2, carer_breakdowns_per_10000_per_year=1.0, step_downs_per_year=10.0,
             unmet_share_rise=0.0, mean_wait_weeks=1.0, queue_growth_weeks=0.0, unmet_share=0.05)


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


def test_risk_measures_come_from_the_weekly_table(tiny_sweep):
    sweep = open_sweep(tiny_sweep)
    measures = brief.run_measures(sweep).collect()
    steps = sweep.scan("steps").collect()
    first = measures.row(0, named=True)
    run = steps.filter(*[pl.col(k) == first[k] for k in ("policy", "seed")])
    assert first["step_downs_per_year"] == pytest.approx(run["step_downs"].sum() / (run.height / 52))
    half = run.height // 2
    assert first["unmet_share_rise"] == pytest.approx(run["unmet_share"].tail(half).mean() - run["unmet_share"].head(half).mean())
