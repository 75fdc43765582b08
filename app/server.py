"""The Dash app and its web server: the page, its callbacks, the routes that download a sweep's report and its CSV
files and the one that shows its decision brief.

Dash (plotly's framework) is used because the project's figures are plotly figures
(``analysis.figures``): the page shows the report's own figures, unchanged.  Sweeps run in worker
processes the server starts (:mod:`app.sweeps`), not in Dash's background callbacks, because a sweep's
state is kept on disk, where the page, a reload or a later server read it alike.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from dash import Dash
from flask import abort, send_from_directory

from analysis.sweep import SweepError

from .callbacks import register
from .exports import available, write_export
from .layout import page
from .plan import PlanError, load_plan
from . import sweeps
from .sweeps import BRIEF, REPORT, default_results

DEFAULT_PORT = 8050
HOST = "127.0.0.1"  # this machine only: the app runs simulations for whoever can reach it


def create_app(results: Path | None = None) -> Dash:
    """The app, keeping its sweeps under ``results`` (default :func:`app.sweeps.default_results`)."""
    results = Path(results or default_results())
    results.mkdir(parents=True, exist_ok=True)
    app = Dash(__name__, title="Policy lab", update_title=None)
    app.layout = lambda: page(results)
    workers: dict[str, subprocess.Popen] = {}
    register(app, results, workers)

    @app.server.route("/sweeps/<sweep_id>/report.html")
    def report(sweep_id: str):
        return send_from_directory(_sweep_file(results, sweep_id, REPORT), REPORT, as_attachment=True,
                                   download_name=f"policy-lab-{sweep_id}.html")

    @app.server.route("/sweeps/<sweep_id>/brief.html")
    def brief(sweep_id: str):  # shown in the page's frame, and printed from there
        return send_from_directory(_sweep_file(results, sweep_id, BRIEF), BRIEF)

    @app.server.route("/sweeps/<sweep_id>/<name>.csv")
    def export(sweep_id: str, name: str):
        """A CSV file of the runs complete so far (``app.exports``), written afresh: 404 unless ``sweep_id`` is a
        sweep of ``results`` and ``name`` one of its files."""
        try:
            sweep_dir = sweeps.directory_of(results, sweep_id)
            plan = load_plan(sweep_dir)
        except (sweeps.Unreadable, PlanError):
            abort(404)
        if name not in available(plan):
            abort(404)
        try:
            path = write_export(sweep_dir, plan, name)
        except SweepError:
            abort(404)  # no run is complete yet
        return send_from_directory(path.parent, path.name, as_attachment=True, mimetype="text/csv",
                                   download_name=f"policy-lab-{sweep_id}-{name}.csv")

    return app


def _sweep_file(results: Path, sweep_id: str, name: str) -> Path:
    """The directory of a sweep holding the file ``name``: 404 unless ``sweep_id`` is a sweep of ``results``
    (:func:`app.sweeps.directory_of`, so no way out of it) and the file is there."""
    try:
        sweep_dir = sweeps.directory_of(results, sweep_id)
    except sweeps.Unreadable:
        abort(404)
    if not (sweep_dir / name).is_file():
        abort(404)
    return sweep_dir


def port() -> int:
    """The port to serve on: ``APP_PORT``, or 8050."""
    value = os.environ.get("APP_PORT") or str(DEFAULT_PORT)
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SystemExit(f"APP_PORT={value!r} must be a port number from 1 to 65535")
    return int(value)
