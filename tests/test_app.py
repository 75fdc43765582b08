"""The policy lab app in headless Chromium: a user picks an area, is refused bad input with one line, runs a
small sweep to its end, sees the curves and the decision brief and downloads the report, reopens it, and
cancels a second sweep, whose worker then stops; the page logs no console error.

The app is served by ``python -m app`` in a subprocess on a free port, as ``make app`` serves it, with its
sweeps in a temporary directory.  Nothing waits on time: the test waits for the server's line saying it
listens, and for conditions in the page, each with a timeout that only a hang reaches.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import polars as pl
import pytest

from analysis import figures
from analysis.report import CURVES, SUMMARY_ROWS
from app import sweeps, worker
from app.choices import preset_levers
from app.commands import commands
from app.lever_curves import DEFAULT_OUTCOMES
from app.plan import load_plan, plan_sweep
from experiments import warmups

from .test_report import CHROMIUM, CHROMIUM_ARGS, _browser_or_skip

REPO = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 60
# A sweep's worker compiles the numba kernels if no earlier run has (about a minute in a fresh clone).
SWEEP_MS = 180_000
PAGE_MS = 20_000
# The small sweep: the two default policies, two posterior members and one seed, a few weeks after a short warm-up
# (seconds a run).
SMALL = {"members": "2", "seeds": "1", "weeks": "8", "warmup_weeks": "4"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``python -m app`` on a free port, sweeps in a temporary directory: (its address, that directory)."""
    results = tmp_path_factory.mktemp("app-results")
    port = _free_port()
    env = {**os.environ, "APP_PORT": str(port), "APP_RESULTS_DIR": str(results)}
    process = subprocess.Popen([sys.executable, "-m", "app"], cwd=REPO, env=env, text=True, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    listening, log = threading.Event(), []

    def drain():  # read the server's log to its end, so the server never blocks on a full pipe
        for line in process.stdout:
            log.append(line)
            if "Running on" in line:
                listening.set()
        listening.set()  # it ended: the wait below stops, and the assertion says why

    threading.Thread(target=drain, daemon=True).start()
    try:
        assert listening.wait(STARTUP_SECONDS) and process.poll() is None, "the app did not start:\n" + "".join(log)
        yield f"http://127.0.0.1:{port}", results
    finally:
        for sweep_dir in results.iterdir():  # workers run in sessions of their own: stop any a failure left
            sweeps.cancel(sweep_dir)
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


@pytest.fixture
def page(server):
    """A new page of the app, and the console errors and page errors it logs (the test asserts there are none)."""
    sync_playwright = _browser_or_skip()
    errors = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(PAGE_MS)
            page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
            page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
            page.goto(server[0])
            page.locator("#start").wait_for()
            yield page, errors
        finally:
            browser.close()


def _pick(page, dropdown: str, search: str, option: str) -> None:
    """Pick the option reading ``option`` in a searchable dropdown, found by typing ``search`` into its search box."""
    page.locator(dropdown).click()
    page.locator(".dash-dropdown-search").fill(search)
    page.locator(".dash-dropdown-options").get_by_role("option").filter(has_text=option).first.click()


def _lever(page, policy: int, name: str):
    """The number field of policy ``policy``'s lever whose label starts with ``name``."""
    label = page.locator(".field-label", has_text=re.compile(f"^{re.escape(name)}"))
    return page.locator(".arm").nth(policy - 1).locator(".field", has=label).locator("input[type=number]")


def _fill(page, values: dict[str, str]) -> None:
    for field, value in values.items():
        page.locator(f"#{field}").fill(value)


def expect(locator):
    """Playwright's assertions on ``locator`` (imported here: the module is collected where Playwright is missing)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _expect_text(page, selector: str, text: str, timeout: int = PAGE_MS) -> None:
    page.locator(selector, has_text=text).wait_for(timeout=timeout)


def test_a_small_sweep_runs_to_its_report_in_the_browser(server, page):
    url, results = server
    page, errors = page
    assert not page.locator("#download").is_visible()  # issue 23: shown (a CSS rule overrode hidden) before any sweep
    page.locator("#start").click()
    _expect_text(page, "#form-message", "Not started: pick an area")
    _pick(page, "#area", "market", "Market town (population preset)")
    _fill(page, {**SMALL, "seeds": "2.5"})
    page.locator("#start").click()  # issue 23: the browser sent None for 2.5, and the page said seeds=None
    _expect_text(page, "#form-message", "Not started: seeds=2.5: give a whole number from 1 to 50")
    _fill(page, SMALL)
    expect(page.locator("#form-message")).to_have_text("")  # issue 23: the error stayed after the field was fixed
    _lever(page, 2, "Community capacity").fill("20")
    page.locator("#start").click()  # refused in one line, as the command line refuses it
    _expect_text(page, "#form-message", "Not started: policy 2: community.capacity=20.0 is out of range; allowed [0.0, 10.0]")
    assert list(results.iterdir()) == []

    _lever(page, 2, "Community capacity").fill("1")
    expect(page.locator("#form-message")).to_have_text("")
    page.locator(".command-line summary").click()  # the command line of what the form holds, before it starts
    shown = page.locator("#command-line")
    expect(shown).to_contain_text("posterior=member_000,member_001 seed=0 +launch=cores")
    page.locator("#start").click()
    _expect_text(page, "#status", "Finished: 4 of 4 runs done.", timeout=SWEEP_MS)
    assert page.locator("#form-message").inner_text() == ""
    progress = page.locator("#progress")
    assert (progress.get_attribute("value"), progress.get_attribute("max")) == ("4", "4")
    _expect_curves(page)
    assert page.locator("#failures li").count() == 0
    (sweep_dir,) = results.iterdir()
    plan = load_plan(sweep_dir)
    expect(shown).to_have_text("\n".join(commands(plan)))  # the same runs, from a terminal (tests/test_app_commands.py)
    # Issue 23: the app ran the median alone; its bands now cover two parameter sets, as each chart says
    assert "2 posterior members x 1 seed = 2 paired runs" in page.locator("#chart-cost_total p").inner_text()

    for name, rows in (("runs", 4), ("summary", None), ("weekly", 4 * 8), ("weekly_bands", 2 * len(CURVES) * 8)):
        link = page.locator(f"#export-{name}")  # issue 23: nothing exported a table or a series
        answer = page.request.get(url + link.get_attribute("href"))
        lines = answer.text().splitlines()
        assert answer.status == 200 and lines[0].startswith("policy_number,policy_title,population"), name
        assert rows is None or len(lines) == 1 + rows, (name, len(lines))
    assert page.request.get(f"{url}/sweeps/{sweep_dir.name}/lever_curve.csv").status == 404  # no lever was varied

    download = page.locator("#download")
    download.wait_for()  # shown once the report is written
    report = page.request.get(url + download.get_attribute("href"))
    assert report.status == 200 and "Community first against service first in the market town" in report.text()
    brief = page.frame_locator("#brief")  # the decision brief, shown in the page once written
    brief.locator(".brief-arm h3", has_text="Community first against service first").wait_for()
    assert brief.locator("li.flag").count() == 6
    assert page.locator("#brief-open").get_attribute("href") == page.locator("#brief").get_attribute("src")

    page.reload()  # a past sweep reopens from disk, and the form shows its settings (issue 23: it kept its own)
    _pick(page, "#scenario", "pandemic", "Pandemic")
    _fill(page, {"members": "0", "seeds": "7", "weeks": "30", "warmup_weeks": "9"})
    _lever(page, 1, "Community capacity").fill("0.5")
    _pick(page, "#sweep", "market", "Service first vs Community first, 2 posterior members x 1 seed")
    _expect_text(page, "#status", "Finished: 4 of 4 runs done.")
    _expect_curves(page)
    expect(page.locator("#scenario")).to_contain_text("Baseline")
    expect(page.locator("#area")).to_contain_text("Market town (population preset)")
    for field, value in SMALL.items():
        expect(page.locator(f"#{field}")).to_have_value(value)
    expect(_lever(page, 1, "Community capacity")).to_have_value("1")
    assert errors == []


def test_the_area_picker_finds_a_misspelt_area_and_presets_are_described(page):
    """Issue 23: the picker found nothing for 'Shropshre', which the command line answers with its closest names."""
    page, errors = page
    page.locator("#area").click()
    page.locator(".dash-dropdown-search").fill("Shropshre")
    page.locator(".dash-dropdown-options").get_by_role("option").filter(has_text="Shropshire (E06000051)").click()
    expect(page.locator("#area")).to_contain_text("Shropshire (E06000051)")

    # What each preset and scenario is, and its sources, in the page (issue 23: they were not explained)
    about = page.locator(".arm").nth(1).locator("details.about")
    _pick(page, ".arm:nth-child(2) .dash-dropdown", "shrop", "Shropshire")
    about.locator("summary").click()
    expect(about).to_contain_text("Shropshire (People2People, community-led support)")
    expect(about.locator("li", has_text="shropshire_first_contact")).to_contain_text(
        "“75% of people are able to have their issue resolved")
    _pick(page, "#scenario", "pandemic", "Pandemic")
    page.locator("#scenario-about summary").click()
    expect(page.locator("#scenario-about")).to_contain_text("pandemic_groups_paused")
    assert errors == []


def _expect_curves(page, charts=tuple(CURVES), policies: int = 2) -> None:
    """Every chart is drawn, with a line and its band (three traces) for each policy, and a legend entry for each
    line and each band (issue 23: the bands had none)."""
    for chart in charts:
        page.locator(f"#chart-{chart} .js-plotly-plot .main-svg").first.wait_for()
        assert page.locator(f"#chart-{chart} .scatterlayer .trace").count() == 3 * policies, chart
        legend = page.locator(f"#chart-{chart} .legend .traces")
        assert legend.count() == 2 * policies and legend.filter(has_text=figures.BAND).count() == policies, chart


def test_a_failed_run_shows_its_error_and_leaves_the_others(server, page, monkeypatch):
    _, results = server
    page, errors = page
    arms = [{"preset": preset, **{lever: getattr(preset_levers(preset), lever) for lever in
                                  ("staff_fte_per_10k", "review", "builder_coverage", "community_capacity")}}
            for preset in ("service_first", "community_first")]
    plan = plan_sweep({"area": "market_town", "scenario": "pandemic", "seeds": 1, "weeks": 8, "warmup_weeks": 4,
                       "arms": arms})
    sweep_dir = results / plan.sweep_id
    sweep_dir.mkdir()
    plan.save(sweep_dir)
    simulate = warmups.ResilienceModel

    def fail_under_community_first(params, **options):  # policy 2's run fails while it is being simulated
        if params.policy.name == "community_first":
            raise RuntimeError("the disk is full\nand a second line the page leaves out")
        return simulate(params, **options)

    monkeypatch.setattr(warmups, "ResilienceModel", fail_under_community_first)
    worker.run_sweep(sweep_dir)  # in this process: the worker's own loop, with one run failing

    page.reload()
    _pick(page, "#sweep", "pandemic", "Market town (population preset), pandemic")
    _expect_text(page, "#status", "Finished: 1 of 2 runs done, 1 failed.")
    assert page.locator("#failures li").all_inner_texts() == [
        "Failed: policy 2 (Community first), seed 0: RuntimeError: the disk is full"]
    progress = page.locator("#progress")
    assert (progress.get_attribute("value"), progress.get_attribute("max")) == ("2", "2")
    page.locator("#chart-cost_total .js-plotly-plot .main-svg").first.wait_for()
    assert page.locator("#chart-cost_total .scatterlayer .trace").count() == 3  # the policy whose run finished
    page.locator("#download").wait_for()  # its report names the failed run as left out
    assert "policy-2/seed=0: incomplete (failed: RuntimeError: the disk is full)" in (sweep_dir / sweeps.REPORT).read_text()
    assert errors == []


def test_a_cancelled_sweep_stops_its_worker(server, page):
    """And while it runs the page says how long it has left (issue 23: it sat at "0 of 4 runs done"): a first
    estimate from the town's size, then one from the runs done."""
    _, results = server
    page, errors = page
    before = set(results.iterdir())
    _pick(page, "#area", "estate", "Deprived estate (population preset)")
    page.locator("#seeds").fill("20")  # minutes of runs: still running when cancelled
    page.locator("#start").click()
    _expect_text(page, "#status", "Running")
    _expect_text(page, "#time-left", "a first estimate, before any run has finished: 15,930 adults")
    page.locator("#time-left", has_text=re.compile(r"left \(from the \d+ runs? done: \d+ s a run on average[;)]")).wait_for(
        timeout=SWEEP_MS)
    (sweep_dir,) = set(results.iterdir()) - before
    pid = json.loads((sweep_dir / sweeps.WORKER).read_text())["pid"]
    page.locator("#cancel").click()
    _expect_text(page, "#status", "Cancelled")
    assert not sweeps.is_running(sweep_dir)  # its lock is free: the worker has exited
    assert not Path(f"/proc/{pid}").exists()  # and the server has reaped it
    assert page.locator("#cancel").is_disabled()
    assert not page.locator("#download").is_visible()  # issue 23: offered after a cancel, and the link gave 404
    assert errors == []


def test_a_lever_varied_over_a_range_draws_its_curves(server, page):
    """Issue 23: nothing swept a lever over a range from the page.  Community capacity from 0.5 to 1 under both
    policies: the chosen outcomes against it, each with its bands and legend, the cost against policy 1, its CSV."""
    url, results = server
    page, errors = page
    before = set(results.iterdir())
    _pick(page, "#area", "market", "Market town (population preset)")
    _fill(page, {**SMALL, "members": "0"})
    _pick(page, "#vary", "capacity", "Community capacity")
    _fill(page, {"vary_from": "0.5", "vary_to": "1", "vary_values": "2"})
    page.locator("#start").click()
    _expect_text(page, "#status", "Finished: 4 of 4 runs done.", timeout=SWEEP_MS)
    charts = [*DEFAULT_OUTCOMES, "cost_total-difference"]
    _expect_curves(page, charts[:-1])
    _expect_curves(page, charts[-1:], policies=1)  # community first against service first, at each capacity
    assert page.locator("#charts figure").count() == len(charts)
    ticks = page.locator("#chart-cost_total .xtick text").all_text_contents()
    assert ticks[0] == "0.5" and ticks[-1] == "1", ticks
    page.locator("#outcomes label", has_text="Wait at the front door").click()  # one outcome fewer
    expect(page.locator("#charts figure")).to_have_count(len(charts) - 1)
    (sweep_dir,) = set(results.iterdir()) - before
    curve = page.request.get(f"{url}/sweeps/{sweep_dir.name}/lever_curve.csv").text().splitlines()
    assert curve[0].startswith("policy_number,varied_value,measure,mean,p10,p90,runs,diff_mean")
    assert len(curve) == 1 + 2 * 2 * len(SUMMARY_ROWS)
    assert errors == []


def test_a_one_year_run_has_a_readable_time_axis_and_cost_axis(page):
    """Issue 23: a one-year run's time axis showed only "0", and the weekly cost axis was unlabelled above
    £1,000,000.  The app's figure of weekly cost (the report's own) is drawn at a chart's width in the page."""
    page, errors = page
    title, y_title, y_format, hover_format, _ = CURVES["cost_total"]
    bands = pl.DataFrame([{"arm": arm, "week": week, "mean": level + 900 * week, "p10": 0.95 * level, "p90": 1.05 * level}
                          for arm, level in (("a", 2.4e6), ("b", 12.6e6)) for week in range(52)])
    figure = figures.band_figure(bands, {"a": "#4a5a6a", "b": "#d95f02"}, y_title, y_format, hover_format, None, key="arm")
    page.set_content(figure.to_html(include_plotlyjs=True, default_width="580px"))
    page.locator(".main-svg").first.wait_for()
    x_ticks = page.locator(".xtick text").all_text_contents()
    assert len(x_ticks) >= 4 and "weeks" in page.locator(".xtitle").text_content(), x_ticks
    y_ticks = page.locator(".ytick text")
    assert all(text.startswith("£") for text in y_ticks.all_text_contents()[1:]), y_ticks.all_text_contents()
    title_box, svg_box = page.locator(".ytitle").bounding_box(), page.locator(".main-svg").first.bounding_box()
    assert title_box["x"] >= svg_box["x"] and title_box["width"] > 0
    assert all(title_box["x"] + title_box["width"] <= y_ticks.nth(k).bounding_box()["x"] for k in range(y_ticks.count()))
    assert errors == []
