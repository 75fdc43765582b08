"""The policy lab's callbacks driven as a script (or curl) drives them, with values the page never offers: the app
touches nothing outside its results directory, a bad sweep on disk is shown as unreadable, and a sweep it cannot
start leaves no worker behind (issue 20).

Each request goes to Dash's own endpoint (``/_dash-update-component``) through Flask's test client, so the server's
whole handling of a request is exercised without a browser or a network port.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest
from dash._utils import split_callback_id, stringify_id

from app import sweeps
from app.layout import FORM_FIELDS, NO_LEVER, arm_field_id
from app.plan import plan_sweep
from app.server import create_app
from model.config import CONFIG_DIR
from model.levers import FORM_LEVERS

from .test_app_plan import _arm, _form

SWEEP_ID = "2026-01-01_00-00-00_abcd"  # an id of the form the app makes


@pytest.fixture
def app_under_test(tmp_path):
    """The app over an empty results directory: (the Dash app, its test client, the results directory)."""
    results = tmp_path / "results"
    app = create_app(results)
    return app, app.server.test_client(), results


def _call(app, client, output: str, inputs: list[dict], state: list = (), outputs=None):
    """POST one callback (the one whose output key contains ``output`` and whose first input is ``inputs[0]``'s) as the
    page's renderer would; returns (status, {component id: {property: value}})."""
    sent = inputs[0]

    def first_input(spec) -> bool:
        wanted = spec["inputs"][0]
        same = (json.loads(wanted["id"])["type"] == sent["id"]["type"] if isinstance(sent["id"], dict)
                else wanted["id"] == sent["id"])
        return same and wanted["property"] == sent["property"]

    key = next(k for k, spec in app.callback_map.items() if output in k and first_input(spec))
    body = {"output": key, "outputs": outputs or split_callback_id(key), "inputs": inputs, "state": list(state),
            "changedPropIds": [f"{stringify_id(inputs[0]['id'])}.{inputs[0]['property']}"]}
    answer = client.post("/_dash-update-component", json=body)
    return answer.status_code, (answer.get_json() or {}).get("response", {}) if answer.status_code == 200 else {}


def _outputs(shown: dict) -> int:
    """How many outputs an answer sets (it groups them by component)."""
    return sum(len(props) for props in shown.values())


def _value(id_, prop, value):
    return {"id": id_, "property": prop, "value": value}


FOLLOWED = 19  # the outputs of the page's follow callback


def _follow(app, client, sweep):
    return _call(app, client, "sweep-title.children",
                 [_value("poll", "n_intervals", 1), _value("sweep", "value", sweep), _value("cancelled", "data", None),
                  _value("outcomes", "value", [])], [_value("drawn", "data", None)])


def _cancel(app, client, sweep):
    return _call(app, client, "cancelled.data", [_value("cancel", "n_clicks", 1)], [_value("sweep", "value", sweep)])


def _start(app, client, form):
    arms = form["arms"]
    fields = {"preset": "arm-preset", **{lever.name: arm_field_id(lever.name) for lever in FORM_LEVERS}}
    form = {"members": 0, "vary": NO_LEVER, "vary_from": None, "vary_to": None, "vary_values": 5, **form}
    state = [_value(name, "value", form[name]) for name in FORM_FIELDS]
    state += [[_value({"index": k, "type": kind}, "value", arm[field]) for k, arm in enumerate(arms)]
              for field, kind in fields.items()]
    return _call(app, client, "form-message.children", [_value("start", "n_clicks", 1)], state)


@pytest.fixture
def lock_holder(tmp_path):
    """A process of its own session holding a sweep-like ``worker.lock`` (as a worker would) in a directory the
    test names, with a ``worker.json`` naming it: start it with the directory; it is killed after the test."""
    started = []

    def hold(directory: Path) -> subprocess.Popen:
        directory.mkdir(parents=True, exist_ok=True)
        holder = subprocess.Popen(
            [sys.executable, "-c", "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
             "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(600)",
             str(directory / sweeps.WORKER_LOCK)], stdout=subprocess.PIPE, text=True, start_new_session=True)
        started.append(holder)
        assert holder.stdout.readline().strip() == "locked"
        (directory / sweeps.WORKER).write_text(json.dumps({"pid": holder.pid}))
        return holder

    yield hold
    for holder in started:
        if holder.poll() is None:
            os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()


def test_cancel_kills_and_writes_nothing_outside_the_results_directory(app_under_test, tmp_path, lock_holder):
    """A crafted sweep value (a path, or one with ../) made Cancel SIGKILL the process group its directory's
    worker.json named and write its status.json; and a sweep here whose worker.json names a process that is not
    its worker is not killed either."""
    app, client, results = app_under_test
    outside = lock_holder(tmp_path / "outside")
    for crafted in (str(tmp_path / "outside"), "../outside", f"{SWEEP_ID}/../../outside"):
        assert _cancel(app, client, crafted)[0] == 204  # nothing done
    mine = lock_holder(results / SWEEP_ID)  # a sweep of the app's whose worker.json names another process
    assert _cancel(app, client, SWEEP_ID)[0] == 200
    time.sleep(0.2)
    assert outside.poll() is None and mine.poll() is None  # both alive
    assert not (tmp_path / "outside" / sweeps.STATUS).exists() and not (results / SWEEP_ID / sweeps.STATUS).exists()


def test_follow_reads_nothing_outside_the_results_directory(app_under_test, tmp_path):
    app, client, results = app_under_test
    plan = plan_sweep(_form())
    outside = tmp_path / plan.sweep_id
    outside.mkdir()
    plan.save(outside)  # a whole sweep's plan, outside the results directory
    for crafted in (str(outside), f"../{plan.sweep_id}"):
        status, shown = _follow(app, client, crafted)
        assert status == 200 and _outputs(shown) == FOLLOWED
        assert shown["sweep-title"]["children"] == "" and "no such sweep" in shown["sweep-error"]["children"]


def test_a_preset_outside_configs_is_never_loaded(app_under_test, tmp_path):
    """A preset value with ../ segments loaded an arbitrary YAML file (here one setting 77 practitioners)."""
    app, client, _ = app_under_test
    (tmp_path / "evil.yaml").write_text("defaults:\n  - /review@review: standard\nname: evil\nmode: service_first\n"
                                        "staff_fte_per_10k: 77.0\n")
    crafted = os.path.relpath(tmp_path / "evil", CONFIG_DIR / "policy")
    kinds = [arm_field_id(lever.name) for lever in FORM_LEVERS]
    outputs = [{"id": {"index": 0, "type": kind}, "property": "value"} for kind in kinds]
    outputs.append({"id": {"index": 0, "type": "arm-about"}, "property": "children"})  # and what the preset is
    status, _ = _call(app, client, f'"{kinds[0]}"', [_value({"index": 0, "type": "arm-preset"}, "value", crafted)],
                      outputs=outputs)
    assert status == 204
    status, shown = _call(app, client, f'"{kinds[0]}"', [_value({"index": 0, "type": "arm-preset"}, "value",
                                                                 "community_first")], outputs=outputs)
    assert status == 200 and _outputs(shown) == len(outputs)  # a preset the page offers fills its levers


@pytest.mark.parametrize("plan_text, reason", [
    ("{", "plan.json cannot be read: JSONDecodeError"),
    ("missing shock", "plan.json cannot be read: ValueError: not a plan"),
    ("another area's overrides", "plan.json cannot be read: ValueError: area 'market_town' is not one the app offers"),
])
def test_a_bad_plan_on_disk_is_shown_as_unreadable_never_fatal(app_under_test, plan_text, reason):
    """With { in a plan.json the server did not start, and a plan missing shock gave a 500 on the layout; Follow's
    "cannot be read" answer had 14 values for its 15 outputs.  A plan's area overrides are the app's own, never the
    file's: a plan naming other overrides is not a plan the app made."""
    app, client, results = app_under_test
    sweep_dir = results / SWEEP_ID
    sweep_dir.mkdir(parents=True)
    stored = {**json.loads(json.dumps(asdict(plan_sweep(_form())))), "sweep_id": SWEEP_ID}
    if plan_text == "missing shock":
        del stored["shock"]
    elif plan_text == "another area's overrides":
        stored["area"]["overrides"] = ["hydra.run.dir=/elsewhere"]
    (sweep_dir / "plan.json").write_text(plan_text if plan_text == "{" else json.dumps(stored))
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    assert f"{SWEEP_ID} · cannot be read ({reason}" in json.dumps(layout.get_json(), ensure_ascii=False)
    assert client.get("/").status_code == 200
    status, shown = _follow(app, client, SWEEP_ID)
    assert status == 200 and _outputs(shown) == FOLLOWED
    assert shown["sweep-error"]["children"].startswith(f"This sweep cannot be read: {reason}")
    assert "\n" not in shown["sweep-error"]["children"]


def _sleeping_worker(monkeypatch):
    """Start a sleeping process in place of the app's worker (with the worker's session and lock), so a start needs
    no simulation; returns the list of processes started."""
    started, popen = [], subprocess.Popen

    def fake(command, **options):
        if command[1:3] == ["-m", "app.worker"]:
            command = [sys.executable, "-c", "import time; time.sleep(600)"]
        process = popen(command, **options)
        started.append(process)
        return process

    monkeypatch.setattr(sweeps.subprocess, "Popen", fake)
    return started


def test_a_sweep_that_cannot_be_started_leaves_no_worker_running(app_under_test, monkeypatch):
    """Start answered with an error while its worker still ran (here worker.json cannot be written: a full disk)."""
    app, client, results = app_under_test
    started = _sleeping_worker(monkeypatch)
    write = sweeps.atomic_write

    def full(path, how):
        if path.name == sweeps.WORKER:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return write(path, how)

    monkeypatch.setattr(sweeps, "atomic_write", full)
    status, shown = _start(app, client, _form())
    assert status == 200 and shown["form-message"]["children"] == (
        f"Not started: {results} cannot be written (No space left on device)")
    (worker,) = started
    assert worker.poll() is not None  # killed, not left running
    assert list(results.iterdir()) == []  # and its directory removed


def test_a_sweep_starts_beside_an_unreadable_one(app_under_test, monkeypatch):
    """A bad plan on disk made Start answer 500 (listing the sweeps) after its worker had started."""
    app, client, results = app_under_test
    (results / SWEEP_ID).mkdir()
    (results / SWEEP_ID / "plan.json").write_text("{")
    started = _sleeping_worker(monkeypatch)
    try:
        status, shown = _start(app, client, _form())
        assert status == 200 and shown["form-message"]["children"] == ""
        assert {option["value"] for option in shown["sweep"]["options"]} == {SWEEP_ID, shown["sweep"]["value"]}
    finally:
        for worker in started:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def test_an_oversized_sweep_is_refused_at_once(app_under_test):
    """300 policies were accepted (34 s to answer, 300 runs queued): the count is refused before any is checked."""
    app, client, results = app_under_test
    began = time.monotonic()
    status, shown = _start(app, client, _form(*[_arm("community_first", staff_fte_per_10k=1 + k / 100)
                                                for k in range(300)]))
    assert status == 200 and shown["form-message"]["children"] == (
        "Not started: compare at most 12 policies in the app (a larger sweep belongs on the command line)")
    assert time.monotonic() - began < 5 and list(results.iterdir()) == []


def test_a_finished_worker_is_reaped_with_no_page_following_it(app_under_test, monkeypatch):
    """Issue 23: a worker that ended stayed a zombie until a page followed its sweep, or the server stopped."""
    app, client, results = app_under_test
    started, popen = [], subprocess.Popen

    def quick(command, **options):  # a worker that ends at once
        process = popen([sys.executable, "-c", "pass"] if command[1:3] == ["-m", "app.worker"] else command, **options)
        started.append(process)
        return process

    monkeypatch.setattr(sweeps.subprocess, "Popen", quick)
    status, shown = _start(app, client, _form())
    assert status == 200 and shown["form-message"]["children"] == ""
    (worker,) = started
    deadline = time.monotonic() + 20
    while Path(f"/proc/{worker.pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{worker.pid}").exists(), Path(f"/proc/{worker.pid}/stat").read_text()


def test_an_area_not_offered_leaves_nothing_behind(app_under_test, tmp_path):
    """Issue 23: a bad area name left results/runs/area-Narnia/ behind.  The app takes only the areas it offers; the
    command line refuses the name in one line, before Hydra makes the run's directory."""
    app, client, results = app_under_test
    for area in ("area-Narnia", "Narnia", "area-E06000051/../../x"):
        status, shown = _start(app, client, _form(area=area))
        assert status == 200 and shown["form-message"]["children"] == "Not started: pick an area"
    assert list(results.iterdir()) == []
    elsewhere = tmp_path / "command-line"
    elsewhere.mkdir()
    done = subprocess.run([sys.executable, "-m", "experiments.run", "population=area", "area.code=Narnia"], cwd=elsewhere,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
                          capture_output=True, text=True)
    assert done.returncode == 1 and done.stderr.splitlines()[-1] == (
        "config error: area.code='Narnia' is not an English district, borough, unitary authority or county (2019 codes "
        "and names); closest: Arun")
    assert list(elsewhere.iterdir()) == []  # no results/runs/area-Narnia/


def test_a_csv_file_is_served_for_a_sweep_id_only(app_under_test, tmp_path):
    """The CSV route takes a sweep's id and one of its files' names, never a path; before any run is complete there is
    nothing to send."""
    app, client, results = app_under_test
    plan = plan_sweep(_form())
    sweep_dir = results / plan.sweep_id
    sweep_dir.mkdir()
    plan.save(sweep_dir)
    for path in (f"/sweeps/{plan.sweep_id}/runs.csv", f"/sweeps/{plan.sweep_id}/lever_curve.csv",
                 f"/sweeps/{plan.sweep_id}/plan.csv", f"/sweeps/{SWEEP_ID}/runs.csv", "/sweeps/x/runs.csv"):
        assert client.get(path).status_code == 404, path
    for path in ("/sweeps/..%2F..%2Fetc/runs.csv", f"/sweeps/{plan.sweep_id}/..%2Fplan.csv"):  # not the route's: the page
        assert client.get(path).mimetype == "text/html", path
    assert not (sweep_dir / "exports").exists() or list((sweep_dir / "exports").iterdir()) == []
