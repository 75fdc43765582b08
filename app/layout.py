"""The page: the area and scenario, the policies compared (a preset, then its levers), the sweep and its curves.

Every element a test or a user needs to find has a stable id.  Policies are numbered by their place
on the page (a CSS counter), the numbers the page's messages use (``policy 2: ...``).
"""

from __future__ import annotations

from pathlib import Path

from dash import dcc, html

from analysis.figures import label
from model.levers import FORM_LEVERS

from .choices import areas, composed, preset_levers, presets, reviews, scenarios
from .plan import MAX_SEEDS
from .sweeps import past_sweeps

POLL_MS = 1000  # how often a running sweep is read from disk
FIRST_ARMS = ("service_first", "community_first")  # the main job's comparison, to start from


def page(results: Path) -> html.Div:
    """The whole page, built afresh on every load (so the list of past sweeps is current)."""
    defaults = composed()
    return html.Div(className="page", children=[
        html.H1("Policy lab: front-door policies compared"),
        html.P(className="lead", children=(
            "Pick an area and a scenario, then two or more front-door policies: a preset, then its levers. Each "
            "policy runs on the same seeds (the same town and life events), after a warm-up under today's "
            "service-first front door. The curves fill in as runs finish; the full report is ready when all have.")),
        html.Section(className="panel", children=[
            html.H2("Where and when"),
            html.Div(className="row", children=[
                _field("Area", "population", dcc.Dropdown(
                    id="area", options=[{"label": a.name, "value": a.key} for a in areas().values()],
                    placeholder="Search for an area…", searchable=True, clearable=True)),
                _field("Scenario", "scenario", dcc.Dropdown(
                    id="scenario", options=[{"label": label(s), "value": s} for s in scenarios()],
                    value="baseline", clearable=False)),
            ]),
            html.Div(className="row", children=[
                _field("Seeds per policy", f"1 to {MAX_SEEDS}", _number("seeds", 10, step=1)),
                _field("Weeks under the policy", "weeks", _number("weeks", int(defaults.weeks), step=1)),
                _field("Weeks of warm-up under the status quo", "warmup_weeks",
                       _number("warmup_weeks", int(defaults.warmup_weeks), step=1)),
            ]),
        ]),
        html.Section(className="panel", children=[
            html.H2("Policies compared"),
            html.Div(id="arms", className="arms", children=[arm_card(k, preset) for k, preset in enumerate(FIRST_ARMS)]),
            html.Button("Add a policy", id="add-arm", className="secondary", n_clicks=0),
        ]),
        html.Div(className="actions", children=[
            html.Button("Start the sweep", id="start", className="primary", n_clicks=0),
            html.Div(id="form-message", className="message", role="alert"),
        ]),
        html.Section(className="panel", children=[
            html.H2("Sweep"),
            _field("Sweeps run here (newest first)", "results/app", dcc.Dropdown(
                id="sweep", options=sweep_options(results), placeholder="Start a sweep, or reopen one",
                searchable=True, clearable=False)),
            html.P(id="sweep-title", className="sweep-title"),
            html.Div(className="progress-row", children=[
                html.Progress(id="progress", value=0, max=1),
                html.Span(id="status", className="status"),
                html.Button("Cancel", id="cancel", className="secondary", n_clicks=0, disabled=True),
            ]),
            html.Ul(id="failures", className="failures"),
            html.Div(id="sweep-error", className="message", role="alert"),
            html.A("Download the report (HTML)", id="download", className="download", hidden=True),
        ]),
        html.Section(id="brief-panel", className="panel brief-panel", hidden=True, children=[
            html.H2("Decision brief"),
            html.P(className="hint-text", children=[
                "The headline, the probability that each policy costs less, the risks checked and what you would need "
                "to believe, as at the top of the report. ",
                html.A("Open it on its own to print (two A4 pages)", id="brief-open", target="_blank")]),
            html.Iframe(id="brief", title="Decision brief", className="brief-frame"),
        ]),
        html.Div(id="charts", className="grid"),
        dcc.Interval(id="poll", interval=POLL_MS, disabled=True),
        dcc.Store(id="drawn"),  # which sweep the charts show, and from how many complete runs
        dcc.Store(id="cancelled"),
    ])


def sweep_options(results: Path) -> list[dict]:
    """The past sweeps for the sweep picker: when each was started and what it compared, or, for a sweep whose plan
    cannot be read, its id and why (picked, it shows that one line)."""
    return [{"label": f"{entry.plan.created.replace('T', ' ')} · {entry.plan.title}" if entry.plan
             else f"{entry.sweep_id} · cannot be read ({entry.error})", "value": entry.sweep_id}
            for entry in past_sweeps(results)]


def arm_card(index: int, preset: str) -> html.Fieldset:
    """One policy's fieldset: its preset and levers, at the preset's values; ``index`` only tells cards apart."""
    levers = preset_levers(preset)
    return html.Fieldset(id={"type": "arm", "index": index}, className="arm", children=[
        html.Legend(className="arm-title"),
        _field("Preset", "policy", dcc.Dropdown(
            id={"type": "arm-preset", "index": index}, options=[{"label": label(p), "value": p} for p in presets()],
            value=preset, clearable=False)),
        *(_field(lever.explain, lever.key, _lever_control(lever, index, getattr(levers, lever.name)))
          for lever in FORM_LEVERS),
        html.Button("Remove", id={"type": "arm-remove", "index": index}, className="link", n_clicks=0),
    ])


def _number(id_, value, step="any") -> dcc.Input:
    # No min or max: model.params checks the range, and its message names the allowed one.
    return dcc.Input(id=id_, type="number", value=value, step=step, debounce=False)


def arm_field_id(lever_name: str) -> str:
    """The form control of a lever on every policy card (pattern-matched by index)."""
    return f"arm-{lever_name}"


def _lever_control(lever, index: int, value):
    """A lever's control: the options of its config group (the review practice), else a number."""
    if lever.group:
        return dcc.RadioItems(id={"type": arm_field_id(lever.name), "index": index},
                              options=[{"label": label(r), "value": r} for r in reviews()], value=value, inline=True)
    return _number({"type": arm_field_id(lever.name), "index": index}, value)


def _field(text: str, hint: str, control) -> html.Div:
    """A control with what it sets for people and, as a hint, the config key the page's messages name."""
    return html.Div(className="field", children=[
        html.Span(text, className="field-label"), html.Code(hint, className="hint"), control])
