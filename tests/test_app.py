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
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from analysis.report import CURVES
from app import sweeps, worker
from app.choices import preset_levers
from app.plan import plan_sweep
from experiments import warmups

from .test_report import CHROMIUM, CHROMIUM_ARGS, _browser_or_skip

REPO = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 60
# A sweep's worker compiles the numba kernels if no earlier run has (about a minute in a fresh clone).
SWEEP_MS = 180_000
PAGE_MS = 20_000
# The small sweep: the two default policies, one seed, a few weeks after a short warm-up (seconds a run).
SMALL = {"seeds": "1", "weeks": "8", "warmup_weeks": "4"}


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
    return page.locator(".arm").nth(policy - 1).locator(".field", has_text=name).locator("input")


def _fill(page, values: dict[str, str]) -> None:
    for field, value in values.items():
        page.locator(f"#{field}").fill(value)


def _expect_text(page, selector: str, text: str, timeout: int = PAGE_MS) -> None:
    page.locator(selector, has_text=text).wait_for(timeout=timeout)


def test_a_small_sweep_runs_to_its_report_in_the_browser(server, page):
    url, results = server
    page, errors = page
    page.locator("#start").click()
    _expect_text(page, "#form-message", "Not started: pick an area")
    _pick(page, "#area", "market", "Market town (population preset)")
    _fill(page, SMALL)
    _lever(page, 2, "Community capacity").fill("20")
    page.locator("#start").click()  # refused in one line, as the command line refuses it
    _expect_text(page, "#form-message", "Not started: policy 2: community.capacity=20.0 is out of range; allowed [0.0, 10.0]")
    assert list(results.iterdir()) == []

    _lever(page, 2, "Community capacity").fill("1")
    page.locator("#start").click()
    _expect_text(page, "#status", "Finished: 2 of 2 runs done.", timeout=SWEEP_MS)
    assert page.locator("#form-message").inner_text() == ""
    progress = page.locator("#progress")
    assert (progress.get_attribute("value"), progress.get_attribute("max")) == ("2", "2")
    _expect_curves(page)
    assert page.locator("#failures li").count() == 0

    download = page.locator("#download")
    download.wait_for()  # shown once the report is written
    report = page.request.get(url + download.get_attribute("href"))
    assert report.status == 200 and "Community first against service first in the market town" in report.text()
    brief = page.frame_locator("#brief")  # the decision brief, shown in the page once written
    brief.locator(".brief-arm h3", has_text="Community first against service first").wait_for()
    assert brief.locator("li.flag").count() == 6
    assert page.locator("#brief-open").get_attribute("href") == page.locator("#brief").get_attribute("src")

    page.reload()  # a past sweep reopens from disk
    _pick(page, "#sweep", "market", "Service first vs Community first, 1 seed")
    _expect_text(page, "#status", "Finished: 2 of 2 runs done.")
    _expect_curves(page)
    assert errors == []


def _expect_curves(page) -> None:
    """Every curve of the report is drawn, with a line and its band (three traces) for each of two policies."""
    for measure in CURVES:
        page.locator(f"#chart-{measure} .js-plotly-plot .main-svg").first.wait_for()
        assert page.locator(f"#chart-{measure} .scatterlayer .trace").count() == 3 * 2, measure


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
    _, results = server
    page, errors = page
    before = set(results.iterdir())
    _pick(page, "#area", "estate", "Deprived estate (population preset)")
    page.locator("#seeds").fill("20")  # minutes of runs: still running when cancelled
    page.locator("#start").click()
    _expect_text(page, "#status", "Running")
    (sweep_dir,) = set(results.iterdir()) - before
    pid = json.loads((sweep_dir / sweeps.WORKER).read_text())["pid"]
    page.locator("#cancel").click()
    _expect_text(page, "#status", "Cancelled")
    assert not sweeps.is_running(sweep_dir)  # its lock is free: the worker has exited
    assert not Path(f"/proc/{pid}").exists()  # and the server has reaped it
    assert page.locator("#cancel").is_disabled()
    assert errors == []
