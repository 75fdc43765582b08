"""What the page does: add and remove policies, fill a preset's levers and describe it, find a misspelt area, check
the form as it is edited and show its command line, start, follow and cancel a sweep, and put a reopened sweep's
settings back in the form.

A sweep's state is read from its directory on every tick of the poll (:func:`app.sweeps.progress`), so
a reloaded page, another tab or a reopened past sweep show the same thing.  Input the model refuses
and a sweep that cannot be read are shown as one line in the page; the worker's traceback stays in its
log.  A refusal shown in the page is checked again whenever the form changes, so it goes once the field is fixed.
Every value a callback receives comes from the browser, so each is taken only if it is one the page
offered: a sweep id of a sweep under the results directory (:func:`app.sweeps.directory_of`), a preset of
``configs/policy/``, a scenario of ``configs/scenario/``; anything else changes nothing.
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
from .choices import area_options, preset_levers, presets, scenarios
from .commands import commands
from .estimate import time_left
from .exports import available
from .layout import FORM_FIELDS, NO_LEVER, about, arm_card, arm_field_id, export_links, form_of, sweep_options
from .plan import PlanError, arm_from_form, load_plan, plan_sweep

_ARM_FIELDS = {"preset": "arm-preset", **{lever.name: arm_field_id(lever.name) for lever in FORM_LEVERS}}
_STATUS = {sweeps.RUNNING: "Running", sweeps.FINISHED: "Finished", sweeps.CANCELLED: "Cancelled", sweeps.STOPPED: "Stopped"}
_STOPPED = " The worker ended before the sweep did; its log is worker.log in the sweep's directory."
_REFUSED = "Not started: "


def _form_inputs(kind=State) -> list:
    """The form's own fields, then each policy field of every card (``kind``: Input or State)."""
    return [*(kind(field, "value") for field in FORM_FIELDS),
            *(kind({"type": field, "index": ALL}, "value") for field in _ARM_FIELDS.values())]


def _form(values: tuple) -> dict:
    """What :func:`app.plan.plan_sweep` takes, from the values of :func:`_form_inputs`."""
    own = dict(zip(FORM_FIELDS, values))
    arms = [dict(zip(_ARM_FIELDS, fields)) for fields in zip(*values[len(FORM_FIELDS):])]
    return {**own, "vary": None if own["vary"] == NO_LEVER else own["vary"], "arms": arms}


def _arms(cards: list[dict]) -> tuple | None:
    """The policies the form's cards hold, or None if one is not a policy the app takes."""
    try:
        return tuple(arm_from_form(k, card) for k, card in enumerate(cards))
    except ConfigError:
        return None


def register(app: Dash, results: Path, workers: dict[str, subprocess.Popen]) -> None:
    """Register the page's callbacks on ``app``; sweeps live under ``results``, and ``workers`` holds the
    worker processes this server started (each reaped by a thread of its own once it ends), by sweep id."""

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
                  Output({"type": "arm-about", "index": MATCH}, "children"),
                  Input({"type": "arm-preset", "index": MATCH}, "value"), prevent_initial_call=True)
    def fill_levers(preset):
        if preset not in presets():  # only a preset the page offers: the value names a file of configs/policy/
            raise PreventUpdate
        levers = preset_levers(preset)
        return (*(getattr(levers, field) for field in list(_ARM_FIELDS)[1:]), about("policy", preset))

    @app.callback(Output("scenario-about", "children"), Input("scenario", "value"), prevent_initial_call=True)
    def describe_scenario(scenario):
        if scenario not in scenarios():
            raise PreventUpdate
        return about("scenario", scenario)

    @app.callback(Output("area", "options"), Input("area", "search_value"), prevent_initial_call=True)
    def find_areas(search):
        return area_options(search if isinstance(search, str) else None)

    @app.callback(Output("command-line", "children"), *_form_inputs(Input))
    def show_command_line(*values):
        try:
            return "\n".join(commands(plan_sweep(_form(values))))
        except ConfigError as error:
            return f"Complete the form first: {error}"

    @app.callback(Output("form-message", "children", allow_duplicate=True), *_form_inputs(Input),
                  State("form-message", "children"), prevent_initial_call=True)
    def check_again(*values):
        shown = values[-1]
        if not shown or not shown.startswith(_REFUSED):
            raise PreventUpdate
        try:
            plan_sweep(_form(values[:-1]))
        except ConfigError as error:
            return f"{_REFUSED}{error}"
        return ""

    @app.callback(Output("form-message", "children", allow_duplicate=True), Output("sweep", "options"),
                  Output("sweep", "value"), Input("start", "n_clicks"), *_form_inputs(State), prevent_initial_call=True)
    def start(_clicks, *values):
        try:
            plan = plan_sweep(_form(values))
            workers[plan.sweep_id] = sweeps.start(results, plan)
        except ConfigError as error:
            return f"{_REFUSED}{error}", no_update, no_update
        except OSError as error:
            return f"{_REFUSED}{results} cannot be written ({error.strerror or error})", no_update, no_update
        return "", sweep_options(results), plan.sweep_id

    @app.callback(*(Output(field, "value") for field in FORM_FIELDS), Output("arms", "children", allow_duplicate=True),
                  Input("sweep", "value"), *_form_inputs(State), prevent_initial_call=True)
    def reopen(sweep_id, *values):
        """A sweep picked: its settings in the form, so the form and the sweep shown agree (a form that shows them
        already, as after Start, is left as it is)."""
        try:
            plan = load_plan(sweeps.directory_of(results, sweep_id))
        except (sweeps.Unreadable, PlanError):
            raise PreventUpdate from None
        shown, form = form_of(plan), _form(values)
        compared = [field for field in FORM_FIELDS if field != "vary" and (plan.lever or not field.startswith("vary"))]
        if all(form[f] == shown[f] for f in compared) and form["vary"] == plan.lever and _arms(form["arms"]) == plan.arms:
            raise PreventUpdate
        return (*(shown[field] for field in FORM_FIELDS),
                [arm_card(k, arm.preset, arm) for k, arm in enumerate(plan.arms)])

    @app.callback(Output("cancelled", "data"), Input("cancel", "n_clicks"), State("sweep", "value"),
                  prevent_initial_call=True)
    def cancel(_clicks, sweep_id):
        try:
            sweep_dir = sweeps.directory_of(results, sweep_id)
        except sweeps.Unreadable:
            raise PreventUpdate from None
        sweeps.cancel(sweep_dir, workers.pop(sweep_id, None))
        return sweep_id

    @app.callback(output=_FOLLOWED, inputs=dict(ticks=Input("poll", "n_intervals"), sweep_id=Input("sweep", "value"),
                                                 cancelled=Input("cancelled", "data"),
                                                 outcomes=Input("outcomes", "value"), drawn=State("drawn", "data")))
    def follow(ticks, sweep_id, cancelled, outcomes, drawn):
        if not sweep_id:
            raise PreventUpdate
        try:
            sweep_dir = sweeps.directory_of(results, sweep_id)
            progress = sweeps.progress(sweep_dir)
        except sweeps.Unreadable as error:
            return {**_NOTHING, "sweep_error": f"This sweep cannot be read: {error}"}
        running = progress.state == sweeps.RUNNING
        if not running and sweep_id in workers:
            workers.pop(sweep_id).wait()  # it has ended (its reaper has waited for it already)
        shown = {"sweep": sweep_id, "done": progress.done, "outcomes": outcomes}
        error = progress.error or ""
        try:
            charts = ([_chart(curve) for curve in curves(sweep_dir, progress.plan, outcomes or [])]
                      if shown != drawn else no_update)
        except (OSError, ValueError, pl.exceptions.PolarsError) as failure:  # runs on disk not as the worker wrote them
            charts, error = [], f"The curves cannot be drawn: {type(failure).__name__}: {str(failure)[:200]}"
        failed = f", {len(progress.failed)} failed" if progress.failed else ""
        status = f"{_STATUS[progress.state]}: {progress.done} of {progress.total} runs done{failed}."
        if progress.state == sweeps.STOPPED:
            status += _STOPPED
        left = time_left(progress) if running else None
        brief = f"/sweeps/{sweep_id}/brief.html" if progress.has_brief else None
        return {**_NOTHING, "title": progress.plan.title, "progress": progress.count_ended, "total": progress.total,
                "status": status, "time_left": left.text if left else "",
                "failures": [html.Li(f"Failed: {line}") for line in progress.failed], "sweep_error": error,
                "download": f"/sweeps/{sweep_id}/report.html", "no_download": not progress.has_report,
                "exports": export_links(sweep_id, available(progress.plan)) if progress.done else [],
                "no_exports": not progress.done, "no_outcomes": progress.plan.lever is None,
                "cannot_cancel": not running, "stop_polling": not running, "charts": charts, "drawn": shown,
                "brief": brief, "brief_open": brief, "no_brief": not progress.has_brief}


# The follow callback's outputs, by name; _NOTHING is what it shows of a sweep it cannot show (an error names why).
_FOLLOWED = dict(
    title=Output("sweep-title", "children"), progress=Output("progress", "value"), total=Output("progress", "max"),
    status=Output("status", "children"), time_left=Output("time-left", "children"),
    failures=Output("failures", "children"), sweep_error=Output("sweep-error", "children"),
    download=Output("download", "href"), no_download=Output("download", "hidden"),
    exports=Output("exports", "children"), no_exports=Output("exports", "hidden"),
    no_outcomes=Output("outcomes-panel", "hidden"), cannot_cancel=Output("cancel", "disabled"),
    stop_polling=Output("poll", "disabled"), charts=Output("charts", "children"), drawn=Output("drawn", "data"),
    brief=Output("brief", "src"), brief_open=Output("brief-open", "href"), no_brief=Output("brief-panel", "hidden"))
_NOTHING = dict(title="", progress=0, total=1, status="", time_left="", failures=[], sweep_error="", download=None,
                no_download=True, exports=[], no_exports=True, no_outcomes=True, cannot_cancel=True, stop_polling=True,
                charts=[], drawn=None, brief=None, brief_open=None, no_brief=True)


def _chart(curve) -> html.Figure:
    return html.Figure(className="chart", id=f"chart-{curve.measure}", children=[
        html.H3(curve.title), html.P(curve.caption),
        dcc.Graph(figure=curve.figure, config={"displaylogo": False, "responsive": True})])
