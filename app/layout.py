"""The page: the area and scenario, the parameter sets and seeds, the policies compared (a preset, then its levers),
optionally a lever varied over a range, the command line of it all, then the sweep: its progress and time left, its
files and its charts.

Every element a test or a user needs to find has a stable id.  Policies are numbered by their place
on the page (a CSS counter), the numbers the page's messages use (``policy 2: ...``).  Each preset and scenario is
described as its own config file describes it, with its sources (:mod:`app.descriptions`).
"""

from __future__ import annotations

from pathlib import Path

from dash import dcc, html

from analysis.figures import label
from analysis.report import SUMMARY_ROWS
from model.levers import FORM_LEVERS

from .choices import area_options, composed, members, preset_levers, presets, reviews, scenarios
from .descriptions import describe
from .exports import EXPORTS
from .lever_curves import DEFAULT_OUTCOMES
from .plan import MAX_SEEDS, MAX_VALUES, VARIED_LEVERS, Arm, Plan
from .sweeps import past_sweeps

POLL_MS = 1000  # how often a running sweep is read from disk
FIRST_ARMS = ("service_first", "community_first")  # the main job's comparison, to start from
FIRST_MEMBERS, FIRST_SEEDS = 10, 2  # 20 paired runs over 10 parameter sets: enough for the brief's probability
FIRST_VALUES = 5
NO_LEVER = "none"
# The form's own fields, by id (the policies' fields are on their cards).
FORM_FIELDS = ("area", "scenario", "seeds", "members", "weeks", "warmup_weeks", "vary", "vary_from", "vary_to",
               "vary_values")


def page(results: Path) -> html.Div:
    """The whole page, built afresh on every load (so the list of past sweeps is current)."""
    defaults = composed()
    return html.Div(className="page", children=[
        html.H1("Policy lab: front-door policies compared"),
        html.P(className="lead", children=(
            "Pick an area and a scenario, then two or more front-door policies: a preset, then its levers. Each "
            "policy runs on the same parameter sets and seeds (the same town and life events), after a warm-up under "
            "today's service-first front door. The curves fill in as runs finish; the full report is ready when all "
            "have.")),
        html.Section(className="panel", children=[
            html.H2("Where and when"),
            html.Div(className="row", children=[
                _field("Area", "population", dcc.Dropdown(
                    id="area", options=area_options(), placeholder="Search for an area (name or code)…",
                    searchable=True, clearable=True)),
                _field("Scenario", "scenario", dcc.Dropdown(
                    id="scenario", options=[{"label": label(s), "value": s} for s in scenarios()],
                    value="baseline", clearable=False), html.Details(id="scenario-about", className="about",
                                                                     children=about("scenario", "baseline"))),
            ]),
            html.Div(className="row", children=[
                _field("Posterior members (parameter sets)",
                       f"posterior: 0 = the calibrated median alone, 1 to {len(members())} = member_000 …",
                       _number("members", FIRST_MEMBERS)),
                _field("Seeds per parameter set", f"seed: 1 to {MAX_SEEDS}", _number("seeds", FIRST_SEEDS)),
                _field("Weeks under the policy", "weeks", _number("weeks", int(defaults.weeks))),
                _field("Weeks of warm-up under the status quo", "warmup_weeks",
                       _number("warmup_weeks", int(defaults.warmup_weeks))),
            ]),
            html.P(className="hint-text", children=(
                "Over several posterior members (the calibration's parameter sets, as the main job runs 25) the bands "
                "cover what is not known about the model's parameters and chance together; over the median alone, "
                "chance alone. The decision brief gives a probability from 20 paired runs over 10 members.")),
        ]),
        html.Section(className="panel", children=[
            html.H2("Policies compared"),
            html.Div(id="arms", className="arms", children=[arm_card(k, preset) for k, preset in enumerate(FIRST_ARMS)]),
            html.Button("Add a policy", id="add-arm", className="secondary", n_clicks=0),
        ]),
        html.Section(className="panel", children=[
            html.H2("Vary a lever over a range (optional)"),
            html.P(className="hint-text", children=(
                "Runs every policy at each value, evenly spaced from the lowest to the highest, and draws the outcomes "
                "you choose against the lever, with their bands; the value on each policy's card is not used.")),
            html.Div(className="row", children=[
                _field("Lever", "a lever of model/levers.py", dcc.Dropdown(
                    id="vary", value=NO_LEVER, clearable=False,
                    options=[{"label": "None: each policy at its own levers", "value": NO_LEVER}]
                    + [{"label": lever.explain, "value": lever.name} for lever in VARIED_LEVERS])),
                _field("Lowest value", "from", _number("vary_from", None)),
                _field("Highest value", "to", _number("vary_to", None)),
                _field("Values", f"2 to {MAX_VALUES}", _number("vary_values", FIRST_VALUES)),
            ]),
        ]),
        html.Div(className="actions", children=[
            html.Button("Start the sweep", id="start", className="primary", n_clicks=0),
            html.Div(id="form-message", className="message", role="alert"),
        ]),
        html.Details(className="command-line", children=[
            html.Summary("Show the command line"),
            html.P(className="hint-text", children=(
                "The same runs from a terminal in the project's directory: a sweep per policy (each simulates its own "
                "warm-ups; results are the same run by run), then the report and the brief of them all.")),
            html.Pre(id="command-line"),
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
            html.P(id="time-left", className="status"),
            html.Ul(id="failures", className="failures"),
            html.Div(id="sweep-error", className="message", role="alert"),
            html.A("Download the report (HTML)", id="download", className="download", hidden=True),
            html.Div(id="exports", className="exports", hidden=True),
            html.Div(id="outcomes-panel", hidden=True, children=[
                _field("Outcomes drawn against the lever", "analysis/report.py SUMMARY_ROWS", dcc.Checklist(
                    id="outcomes", value=list(DEFAULT_OUTCOMES), inline=True,
                    options=[{"label": name, "value": measure} for measure, (name, _) in SUMMARY_ROWS.items()])),
            ]),
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
        dcc.Store(id="drawn"),  # which sweep the charts show, from how many complete runs and which outcomes
        dcc.Store(id="cancelled"),
    ])


def sweep_options(results: Path) -> list[dict]:
    """The past sweeps for the sweep picker: when each was started and what it compared, or, for a sweep whose plan
    cannot be read, its id and why (picked, it shows that one line)."""
    return [{"label": f"{entry.plan.created.replace('T', ' ')} · {entry.plan.title}" if entry.plan
             else f"{entry.sweep_id} · cannot be read ({entry.error})", "value": entry.sweep_id}
            for entry in past_sweeps(results)]


def form_of(plan: Plan) -> dict:
    """The form's own fields (``FORM_FIELDS``) as they were when ``plan`` was started."""
    varied = plan.lever is not None
    return {"area": plan.area.key, "scenario": plan.scenario, "seeds": plan.seeds, "members": plan.members,
            "weeks": plan.weeks, "warmup_weeks": plan.warmup_weeks, "vary": plan.lever if varied else NO_LEVER,
            "vary_from": plan.values[0] if varied else None, "vary_to": plan.values[-1] if varied else None,
            "vary_values": len(plan.values) if varied else FIRST_VALUES}


def arm_card(index: int, preset: str, arm: Arm | None = None) -> html.Fieldset:
    """One policy's fieldset: its preset and levers, at ``arm``'s values or the preset's; ``index`` only tells cards
    apart."""
    levers = arm or preset_levers(preset)
    return html.Fieldset(id={"type": "arm", "index": index}, className="arm", children=[
        html.Legend(className="arm-title"),
        _field("Preset", "policy", dcc.Dropdown(
            id={"type": "arm-preset", "index": index}, options=[{"label": label(p), "value": p} for p in presets()],
            value=preset, clearable=False),
            html.Details(id={"type": "arm-about", "index": index}, className="about", children=about("policy", preset))),
        *(_field(lever.explain, lever.key, _lever_control(lever, index, getattr(levers, lever.name)))
          for lever in FORM_LEVERS),
        html.Button("Remove", id={"type": "arm-remove", "index": index}, className="link", n_clicks=0),
    ])


def about(group: str, name: str) -> list:
    """The contents of a preset's or scenario's "About" (a ``<details>``): what its config file says it is, and every
    source it cites."""
    found = describe(group, name)
    sources = [html.Li([html.Code(source.cited), f": “{_unquoted(source.quote)}” ({source.where})" if source.quote
                        else ": the seed document's lines, cited directly"]) for source in found.sources]
    return [html.Summary(f"About {label(name)}" + (f": {len(found.sources)} sources" if found.sources else "")),
            html.P(found.text),
            html.P(className="hint-text", children=f"From configs/{group}/{name}.yaml; sources in docs/evidence.md:"
                   if found.sources else f"From configs/{group}/{name}.yaml."),
            html.Ul(className="sources", children=sources)]


def _unquoted(quote: str) -> str:
    return quote.strip('"')


def _number(id_, value) -> dcc.Input:
    # No min, max or step: model.params and app.plan check the value, and their message names what is allowed (with a
    # step, the browser sends no value at all for 2.5, and the message could only say "seeds=None").
    return dcc.Input(id=id_, type="number", value=value, step="any", debounce=False)


def arm_field_id(lever_name: str) -> str:
    """The form control of a lever on every policy card (pattern-matched by index)."""
    return f"arm-{lever_name}"


def _lever_control(lever, index: int, value):
    """A lever's control: the options of its config group (the review practice), else a number."""
    if lever.group:
        return dcc.RadioItems(id={"type": arm_field_id(lever.name), "index": index},
                              options=[{"label": label(r), "value": r} for r in reviews()], value=value, inline=True)
    return _number({"type": arm_field_id(lever.name), "index": index}, value)


def _field(text: str, hint: str, control, *after) -> html.Div:
    """A control with what it sets for people and, as a hint, the config key the page's messages name."""
    return html.Div(className="field", children=[
        html.Span(text, className="field-label"), html.Code(hint, className="hint"), control, *after])


def export_links(sweep_id: str, names: list[str]) -> list:
    """The links to a sweep's CSV files (``app.exports``), each with what it holds."""
    return [html.Span("Download as CSV: ", className="field-label"), html.Ul([
        html.Li([html.A(f"{name}.csv", id=f"export-{name}", href=f"/sweeps/{sweep_id}/{name}.csv", download=f"{name}.csv"),
                 f": {EXPORTS[name]}"]) for name in names])]
