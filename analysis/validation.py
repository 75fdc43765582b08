"""How far the model has been checked against published figures, as the decision brief says it.

``python -m analysis.evidence <validation sweep> --markdown docs/validation.md`` writes, beside that page,
``docs/validation.json`` (``evidence.status``): every figure's verdict, how far outside it lies, and the git
revision(s) the validation runs were made at.  A re-run validation therefore updates every brief written
after it.  The brief shows the tally (fitted and held-out figures within and outside), the largest misses
by name, and whether the verdicts were measured on the model the brief's runs come from: the same when the
engine, its parameters and its data (``MODEL_PATHS``) are the same at both revisions, as git records them.
A missing status, or one measured on another model, is said so, never taken for this one's.
"""

from __future__ import annotations

import html
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .evidence import ROLES
from .figures import label
from .provenance import short_revision
from .wording import place_phrase

REPO = Path(__file__).resolve().parents[1]
STATUS = REPO / "docs" / "validation.json"
MODEL_PATHS = ("model", "configs", "data")  # what decides a run's results: the engine, its parameters, its data
MISSES_NAMED = 4  # the figures furthest outside, named in the brief (the rest counted)


@dataclass(frozen=True)
class Status:
    """The validation's verdicts (``docs/validation.json``)."""

    path: Path
    revisions: tuple[str, ...]  # the git revisions the validation runs were made at, most runs first
    figures: tuple[dict, ...]  # one per figure and place: see ``evidence.status``


def load(path: str | Path | None = None) -> Status | None:
    """The verdicts in ``path`` (default ``STATUS``), or None if there are none (no file, or one that cannot be read)."""
    path = Path(STATUS if path is None else path)
    try:
        document = json.loads(path.read_text())
        return Status(path, tuple(document["revisions"]), tuple(document["figures"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _trees(revision: str) -> tuple[str, ...] | None:
    """Git's tree ids of ``MODEL_PATHS`` at ``revision``, or None where git cannot tell (a revision with changes
    not committed, one this repository does not hold, or no git)."""
    if revision.endswith("-dirty") or revision == "unknown":
        return None
    try:
        done = subprocess.run(["git", "rev-parse", *(f"{revision}:{p}" for p in MODEL_PATHS)],
                              cwd=REPO, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return tuple(done.stdout.split())


def same_model(validated: tuple[str, ...], runs: tuple[str, ...]) -> bool | None:
    """Whether every revision in ``runs`` has the model of every revision in ``validated`` (the same engine,
    parameters and data); None where that cannot be told."""
    trees = {revision: _trees(revision) for revision in {*validated, *runs}}
    if any(tree is None for tree in trees.values()):
        return None
    return len({trees[revision] for revision in trees}) == 1


def tally(status: Status) -> str:
    """``fitted 4 of 5 within, held out 1 of 4 within`` (figures measured; those not run or measured are left out)."""
    parts = []
    for role, name in ROLES.items():
        measured = [f for f in status.figures if f["role"] == role and f["miss"] is not None]
        parts.append(f"{name} {sum(f['miss'] == 0 for f in measured)} of {len(measured)} within")
    return ", ".join(parts)


def _miss_text(figure: dict) -> str:
    versus = f" against {label(figure['versus']).lower()}" if figure["versus"] else ""
    return (f"{label(figure['preset'])}{versus}, {figure['description']}: {figure['model_mean']} against "
            f"{figure['reported']} ({ROLES[figure['role']]})")


def trust_html(status: Status | None, runs: tuple[str, ...]) -> str:
    """The brief's sentence on how the model compares with the published figures, for runs made at the git
    revisions ``runs``: the tally, the largest misses, where and at which revision it was measured, and whether
    that is this model."""
    if status is None:
        return ("<b>Not checked against published figures</b>: no validation status was found "
                f"(<code>docs/{STATUS.name}</code>), so how far the model matches what councils have reported is "
                "not known here.")
    places = sorted({place_phrase(f["population"]) for f in status.figures if f["population"]})
    measured_at = ", ".join(short_revision(r) for r in status.revisions)
    same = same_model(status.revisions, runs)
    if same:
        which = f"at model revision {measured_at}, the same engine, parameters and data as these runs"
    else:
        why = ("whose engine, parameters or data differ" if same is False else
               "which cannot be compared with it (changes not committed, or a revision this copy does not hold)")
        which = (f"at model revision {measured_at}; these runs are of {', '.join(map(short_revision, runs))}, {why}, "
                 "so the checks may not hold for them")
    outside = sorted((f for f in status.figures if f["miss"]), key=lambda f: -f["miss"])
    named = "; ".join(html.escape(_miss_text(f)) for f in outside[:MISSES_NAMED])
    more = f"; and {len(outside) - MISSES_NAMED} more" if len(outside) > MISSES_NAMED else ""
    misses = f" Furthest outside: {named}{more}." if outside else " None is outside."
    where = f" in {html.escape(' and '.join(places))}" if places else ""
    return (f"<b>Checked against {len(status.figures)} published figures</b>{where} "
            f"(<code>docs/validation.md</code>, {html.escape(which)}): {tally(status)}.{misses}")
