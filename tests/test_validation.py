"""How far the brief says the model has been checked: from docs/validation.json, on the model it was measured on.

The verdicts here are made up (``_status``), so nothing depends on the real ensemble; the real
``docs/validation.json`` is only checked to agree with ``docs/validation.md``, which the same command writes.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from analysis import validation
from analysis.validation import REPO


def _figure(id: str, role: str, miss: float | None, preset: str = "calderdale", **more) -> dict:
    status = "not run" if miss is None else "within" if miss == 0 else "outside"
    return {"id": id, "description": f"{id} described", "preset": preset, "versus": None, "role": role,
            "population": "market_town", "scenario": "baseline", "status": status, "miss": miss,
            "reported": "£6.0 ± £4.0", "model": "£247 (£161 to £384)", "model_mean": "£247", **more}


def _status(tmp_path, revisions=("abc",)) -> validation.Status:
    figures = [_figure("a", "fit", 0.0), _figure("b", "fit", 1.7), _figure("c", "held_out", 37.8),
               _figure("d", "held_out", 0.0), _figure("e", "held_out", 1.2, preset="three_conversations",
                                                      versus="service_first"),
               _figure("f", "held_out", 3.3), _figure("g", "held_out", 0.5), _figure("h", "fit", None)]
    path = tmp_path / "validation.json"
    path.write_text(json.dumps({"command": "a test", "revisions": {r: 1 for r in revisions}, "figures": figures}))
    return validation.load(path)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


def test_the_brief_names_the_tally_and_the_largest_misses_in_order(tmp_path, monkeypatch):
    status = _status(tmp_path)
    monkeypatch.setattr(validation, "same_model", lambda validated, runs: True)
    text = validation.trust_html(status, ("abc",))
    assert "<b>Checked against 8 published figures</b> in the market town" in text
    assert "at model revision abc, the same engine, parameters and data as these runs" in text
    assert "fitted 1 of 2 within, held out 1 of 5 within" in text  # figure h was not run: not counted
    named = re.findall(r"(\w) described", text)
    assert named == ["c", "f", "b", "e"]  # the four furthest outside, furthest first; g is counted, not named
    assert "; and 1 more." in text
    assert "Three conversations against service first, e described: £247 against £6.0 ± £4.0 (held out)" in text


def test_a_status_of_another_model_or_none_is_said_so(tmp_path, monkeypatch):
    status = _status(tmp_path)
    monkeypatch.setattr(validation, "same_model", lambda validated, runs: False)
    assert "these runs are of def, whose engine, parameters or data differ, so the checks may not hold" in \
        validation.trust_html(status, ("def",))
    monkeypatch.setattr(validation, "same_model", lambda validated, runs: None)
    assert "which cannot be compared with it" in validation.trust_html(status, ("def-dirty",))
    assert validation.load(tmp_path / "absent.json") is None
    assert validation.trust_html(None, ("abc",)).startswith("<b>Not checked against published figures</b>")
    (tmp_path / "broken.json").write_text("{")
    assert validation.load(tmp_path / "broken.json") is None


def test_the_same_model_is_the_same_engine_parameters_and_data_as_git_records_them():
    try:
        changed = _git("rev-list", "-1", "HEAD", "--", *validation.MODEL_PATHS)  # the last commit changing the model
        parent = _git("rev-parse", f"{changed}^")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no git history to compare revisions in (a shallow copy)")
    assert validation.same_model((changed,), (changed,)) is True
    assert validation.same_model((changed,), (parent,)) is False
    assert validation.same_model((changed,), (f"{changed}-dirty",)) is None  # changes not committed: cannot tell
    assert validation.same_model((changed,), ("0" * 40,)) is None  # a revision this copy does not hold
    assert validation.same_model(("unknown",), (changed,)) is None


def test_the_shipped_status_agrees_with_docs_validation_md():
    status = validation.load()
    assert status is not None, "docs/validation.json is missing: python -m analysis.evidence ... --markdown docs/validation.md"
    page = (REPO / "docs" / "validation.md").read_text()
    for revision in status.revisions:
        assert f"`{revision}`" in page
    tally = re.search(r"fitted (\d+) within, (\d+) outside; held out (\d+) within, (\d+) outside", page).groups()
    fitted, held_out = (f"{tally[0]} of {int(tally[0]) + int(tally[1])}", f"{tally[2]} of {int(tally[2]) + int(tally[3])}")
    assert validation.tally(status) == f"fitted {fitted} within, held out {held_out} within"
