"""The HTML report: self-contained, every figure renders in a real browser without script errors."""

import os
import shutil

import pytest

from analysis import evidence, report
from analysis.brief import CHROMIUM, CHROMIUM_ARGS
from analysis.report import CURVES
from model import outputs

POLICIES = 2


def _browser_or_skip():
    """Playwright's sync API, or skip outside CI when Chromium or Playwright is missing (in CI it must run)."""
    missing = ("chromium" if not CHROMIUM.exists() else
               "playwright" if not _importable("playwright.sync_api") else None)
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} is missing in CI: .ci/run installs Debian chromium, pyproject.toml playwright")
        pytest.skip(f"{missing} not installed")
    from playwright.sync_api import sync_playwright

    return sync_playwright


def _importable(module: str) -> bool:
    try:
        __import__(module)
        return True
    except ImportError:
        return False


@pytest.fixture(scope="module")
def report_file(tiny_sweep, tmp_path_factory):
    return report.write_report(tiny_sweep, tmp_path_factory.mktemp("report") / "report.html")


def test_report_renders_every_figure_without_script_errors(report_file):
    sync_playwright = _browser_or_skip()
    errors, outside = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
            page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
            page.on("request", lambda request: outside.append(request.url)
                    if not request.url.startswith(("file:", "data:", "blob:")) else None)
            page.goto(report_file.as_uri(), wait_until="load")
            figures = page.locator("figure.chart")
            expected = len(CURVES) + 1 + POLICIES  # curves, cumulative cost difference, one funnel per policy
            assert figures.count() == expected
            for k in range(expected):
                figure = figures.nth(k)
                title = figure.locator("h3").inner_text()
                assert figure.locator(".js-plotly-plot .main-svg").count() > 0, f"figure not drawn: {title}"
                assert figure.locator(".js-plotly-plot").bounding_box()["height"] > 100, f"figure collapsed: {title}"
            for measure in CURVES:  # each curve figure has one line and band per policy
                assert page.locator(f"#p0-{measure} .scatterlayer .trace").count() == 3 * POLICIES, measure
            assert page.locator(".sankey .sankey-node").count() >= 2 * POLICIES
            assert page.locator("#place-0 table.summary tbody tr").count() == len(report.SUMMARY_ROWS)
            # every published figure has its row, whether or not this sweep ran its preset
            assert page.locator("#evidence tbody tr").count() == len(evidence.load_figures().figures)
        finally:
            browser.close()
    assert errors == []
    assert outside == []  # works offline: nothing fetched from anywhere


def test_report_is_one_self_contained_file(report_file):
    page = report_file.read_text(encoding="utf-8")
    assert "<script src" not in page and "<link" not in page  # plotly.js is inlined, no other resource
    assert "Plotly.newPlot" in page
    assert list(report_file.parent.iterdir()) == [report_file]  # no temporary file left beside it


def test_report_names_runs_left_out(tiny_sweep, tmp_path):
    sweep_dir = tmp_path / "sweep"
    shutil.copytree(tiny_sweep, sweep_dir)
    interrupted = sweep_dir / "market_town/baseline/community_first/median/seed=1"
    (interrupted / outputs.METADATA).unlink()
    with pytest.warns(UserWarning):
        page = report.write_report(sweep_dir).read_text(encoding="utf-8")
    assert "1 run(s) left out" in page and str(interrupted) in page


def test_command_line(tiny_sweep, tmp_path, capsys):
    out = tmp_path / "nested" / "r.html"
    assert report.main([str(tiny_sweep), "-o", str(out)]) == 0
    assert out.is_file() and f"wrote {out}" in capsys.readouterr().out
    assert report.main([str(tmp_path / "missing")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("report: sweep directory not found") and error.count("\n") == 1


def test_every_policy_config_gets_its_own_colour_and_a_readable_name():
    """Each policy in configs/policy (and more, as a sweep of variants may have) is drawn in its own colour."""
    from analysis.figures import label, policy_colours
    from model.config import CONFIG_DIR

    policies = sorted(path.stem for path in (CONFIG_DIR / "policy").glob("*.yaml"))
    colours = policy_colours(policies + [f"variant_{i}" for i in range(5)])  # more policies than colours: reused
    assert len({colours[p] for p in policies}) == len(policies)
    assert label("leeds_abcd") == "Leeds ABCD" and label("community_first") == "Community first"
