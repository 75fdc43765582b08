"""What the page does: add and remove policies, fill a preset's levers, start, follow and cancel a sweep.

A sweep's state is read from its directory on every tick of the poll (:func:`app.sweeps.progress`), so
a reloaded page, another tab or a reopened past sweep show the same thing.  Input the model refuses
and a sweep that cannot be read are shown as one line in the page; the worker's traceback stays in its
log.  Every value a callback receives comes from the browser, so each is taken only if it is one the page
offered: a sweep id of a sweep under the results directory (:func:`app.sweeps.directory_of`), a preset of
``configs/policy/``; anything else changes nothing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import polars as pl
from dash import ALL, MATCH, Dash, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from model.levers import FORM_LEVERS
from model.params import ConfigError

from . import sweeps
from .charts import curves
from .choices import preset_levers, presets
from .layout import arm_card, arm_field_id, sweep_options
from .plan import plan_sweep

_ARM_FIELDS = {"preset": "arm-preset", **{lever.name: arm_field_id(lever.name) for lever in FORM_LEVERS}}
_STATUS = {sweeps.RUNNING: "Running", sweeps.FINISHED: "Finished", sweeps.CANCELLED: "Cancelled", sweeps.STOPPED: "Stopped"}
_STOPPED = " The worker ended before the sweep did; its log is worker.log in the sweep's directory."


def register(app: Dash, results: Path, workers: dict[str, subprocess.Popen]) -> None:
    """Register the page's callbacks on ``app``; sweeps live under ``results``, and ``workers`` holds the
    worker processes this server started (reaped once they end), by sweep id."""

    @app.callback(Output("arms", "children", allow_duplicate=True), Input("add-arm", "n_clicks"),
                  State({"type": "arm", "index": ALL}, "id"), prevent_initial_call=True)
    def add_arm(_clicks, ids):
        patch = Patch()
        patch.append(arm_card(max((i["index"] for i in ids), default=-1) + 1, "community_first"))
        return patch

    @app.callback(Output("arms", "children", allow_duplicate=True), Input({"type": "arm-remove", "index": ALL}, "n_clicks"),
                  State("arms", "children"), prevent_initial_call=True)
    def remove_arm(_clicks, cards):
        if not ctx.triggered_id or not ctx.triggered[0]["value"]:  # a card was added or removed, no button pressed
            raise PreventUpdate
        removed = ctx.triggered_id["index"]
        return [card for card in cards if card["props"]["id"]["index"] != removed]

    @app.callback([Output({"type": field, "index": MATCH}, "value") for field in list(_ARM_FIELDS.values())[1:]],
                  Input({"type": "arm-preset", "index": MATCH}, "value"), prevent_initial_call=True)
    def fill_levers(preset):
        if preset not in presets():  # only a preset the page offers: the value names a file of configs/policy/
            raise PreventUpdate
        levers = preset_levers(preset)
        return tuple(getattr(levers, field) for field in list(_ARM_FIELDS)[1:])

    @app.callback(Output("form-message", "children"), Output("sweep", "options"), Output("sweep", "value"),
                  Input("start", "n_clicks"),
                  State("area", "value"), State("scenario", "value"), State("seeds", "value"), State("weeks", "value"),
                  State("warmup_weeks", "value"),
                  *[State({"type": field, "index": ALL}, "value") for field in _ARM_FIELDS.values()],
                  prevent_initial_call=True)
    def start(_clicks, area, scenario, seeds, weeks, warmup_weeks, *arm_values):
        arms = [dict(zip(_ARM_FIELDS, values)) for values in zip(*arm_values)]
        try:
            plan = plan_sweep({"area": area, "scenario": scenario, "seeds": seeds, "weeks": weeks,
                               "warmup_weeks": warmup_weeks, "arms": arms})
            workers[plan.sweep_id] = sweeps.start(results, plan)
        except ConfigError as error:
            return f"Not started: {error}", no_update, no_update
        except OSError as error:
            return f"Not started: {results} cannot be written ({error.strerror or error})", no_update, no_update
        return "", sweep_options(results), plan.sweep_id

    @app.callback(Output("cancelled", "data"), Input("cancel", "n_clicks"), State("sweep", "value"),
                  prevent_initial_call=True)
    def cancel(_clicks, sweep_id):
        try:
            sweep_dir = sweeps.directory_of(results, sweep_id)
        except sweeps.Unreadable:
            raise PreventUpdate from None
        sweeps.cancel(sweep_dir, workers.pop(sweep_id, None))
        return sweep_id

    @app.callback(Output("sweep-title", "children"), Output("progress", "value"), Output("progress", "max"),
                  Output("status", "children"), Output("failures", "children"), Output("sweep-error", "children"),
                  Output("download", "href"), Output("download", "hidden"), Output("cancel", "disabled"),
                  Output("poll", "disabled"), Output("charts", "children"), Output("drawn", "data"),
                  Output("brief", "src"), Output("brief-open", "href"), Output("brief-panel", "hidden"),
                  Input("poll", "n_intervals"), Input("sweep", "value"), Input("cancelled", "data"),
                  State("drawn", "data"))
    def follow(_ticks, sweep_id, _cancelled, drawn):
        if not sweep_id:
            raise PreventUpdate
        try:
            sweep_dir = sweeps.directory_of(results, sweep_id)
            progress = sweeps.progress(sweep_dir)
        except sweeps.Unreadable as error:
            return _unreadable(f"This sweep cannot be read: {error}")
        running = progress.state == sweeps.RUNNING
        if not running and sweep_id in workers:
            workers.pop(sweep_id).wait()  # it has ended: reap it
        shown = {"sweep": sweep_id, "done": progress.done}
        error = progress.error or ""
        try:
            charts = [_chart(curve) for curve in curves(sweep_dir, progress.plan)] if shown != drawn else no_update
        except (OSError, ValueError, pl.exceptions.PolarsError) as failure:  # runs on disk not as the worker wrote them
            charts, error = [], f"The curves cannot be drawn: {type(failure).__name__}: {str(failure)[:200]}"
        failed = f", {len(progress.failed)} failed" if progress.failed else ""
        status = f"{_STATUS[progress.state]}: {progress.done} of {progress.total} runs done{failed}."
        if progress.state == sweeps.STOPPED:
            status += _STOPPED
        return (progress.plan.title, progress.ended, progress.total, status,
                [html.Li(f"Failed: {line}") for line in progress.failed], error,
                f"/sweeps/{sweep_id}/report.html", not progress.has_report, not running, not running, charts, shown,
                *_brief(sweep_id, progress.has_brief))


def _unreadable(message: str) -> tuple:
    """The follow callback's outputs for a sweep it cannot show: ``message`` in place of the sweep, nothing else."""
    return ("", 0, 1, "", [], message, None, True, True, True, [], None, None, None, True)


def _brief(sweep_id: str, has_brief: bool) -> tuple:
    """The brief panel's frame, its link and whether it is hidden: shown once the sweep's brief is written."""
    src = f"/sweeps/{sweep_id}/brief.html" if has_brief else None
    return src, src, not has_brief


def _chart(curve) -> html.Figure:
    return html.Figure(className="chart", id=f"chart-{curve.measure}", children=[
        html.H3(curve.title), html.P(curve.caption),
        dcc.Graph(figure=curve.figure, config={"displaylogo": False, "responsive": True})])
