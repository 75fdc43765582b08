"""The layout of results on disk, shared by the layer that writes them (``experiments/``) and the one that
reads them (``analysis/``), so neither imports the other: the file names of a run directory and of a
sensitivity experiment, the outcome columns of the latter, what marks a directory complete, and the one
way every output file is written (:func:`atomic_write`).

A run directory (``experiments.store``) holds ``steps.parquet`` (per week), ``neighbourhoods.parquet``
(per neighbourhood every few weeks), ``summary.parquet`` (one row), ``config.yaml`` (the fully resolved
config), ``metadata.json`` (provenance; written last, so its presence marks a complete run) and
``.lock``, an empty file a process holds locked while it simulates and writes the run.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Callable

STEPS, HOODS, SUMMARY, CONFIG, METADATA = (
    "steps.parquet", "neighbourhoods.parquet", "summary.parquet", "config.yaml", "metadata.json")
LOCK = ".lock"

# A sensitivity experiment's directory (``experiments.sensitivity``) holds these tables besides config and metadata.
RUNS, MORRIS, SOBOL = "runs.parquet", "morris.parquet", "sobol.parquet"
# The outcome columns of its ``runs.parquet`` (and the ``outcome`` values of its index tables), with their meaning.
OUTCOMES = {
    "caseload_per_1000": "long-term caseload per 1,000 adults",
    "unmet_share": "share of need unmet",
    "isolation_rate": "share of adults isolated",
    "cost_per_adult_year": "total cost per adult a year (GBP)",
    "contacts_per_1000_per_year": "front-door contacts per 1,000 adults a year",
}


def is_complete(result_dir: str | Path) -> bool:
    """Whether ``result_dir`` holds a finished run (or experiment): its ``metadata.json`` is written last."""
    return (Path(result_dir) / METADATA).is_file()


def atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Write via ``write(tmp)`` to a temporary file beside ``path``, then rename it into place.

    A reader sees the old file or the new one, never part of one; a write that fails or is killed
    leaves at most a ``.<name>.<random>.tmp`` file (``experiments.store`` clears those).  The
    temporary file is created as a plain ``open()`` creates a file, with mode 0666 filtered by the
    kernel through the umask (0644 under the usual 022) and any default ACL of the directory, and
    the rename keeps that mode.  ``tempfile.mkstemp`` would give 0600, and fixing that afterwards
    would need the umask, which a process can only read by setting it (``os.umask``), a race with
    any other thread creating a file meanwhile; letting the kernel apply it avoids reading it at all.
    """
    tmp = _create_beside(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _create_beside(path: Path) -> Path:
    """A new empty file ``.<name>.<random>.tmp`` beside ``path``, created with open()'s mode (see ``atomic_write``)."""
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:  # 48 random bits: only another writer's name, never in practice
            continue
