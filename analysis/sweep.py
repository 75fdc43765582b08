"""Find the runs of a sweep and scan their tables lazily.

A sweep directory holds one run directory per job (``experiments.store`` writes them; ``model.outputs``
names their files).  Only
complete runs (``metadata.json`` present) whose Parquet files are readable are used; every run
left out is named, with the reason, in ``Sweep.problems`` and in one ``SweepWarning``, never
dropped silently.  Tables are returned as polars ``LazyFrame``s over all runs, so a sweep of any
size is aggregated without loading it into memory.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from model.outputs import HOODS, LOCK, METADATA, STEPS, SUMMARY, is_complete

TABLES = {"steps": STEPS, "neighbourhoods": HOODS, "summary": SUMMARY}
RUN_KEYS = ("population", "scenario", "policy", "seed")


class SweepError(Exception):
    """The directory holds no usable run."""


class SweepWarning(UserWarning):
    """Some runs of a sweep were left out; the message names each with its reason."""


@dataclass(frozen=True)
class Sweep:
    """The usable runs of a sweep directory."""

    root: Path
    runs: tuple[Path, ...]  # complete, readable run directories, in RUN_KEYS order
    problems: tuple[str, ...]  # one line per run left out: its path and why
    metadata: pl.DataFrame  # one row per usable run: RUN_KEYS, git_revision, finished, seconds, run_dir

    def scan(self, table: str) -> pl.LazyFrame:
        """All runs' ``table`` (``steps``, ``neighbourhoods`` or ``summary``) as one lazy frame."""
        if table not in TABLES:
            raise ValueError(f"table: {table!r} is not one of {', '.join(TABLES)}")
        return pl.scan_parquet([run / TABLES[table] for run in self.runs])

    @property
    def packages(self) -> dict[str, str]:
        """Package versions recorded by the most recent run."""
        latest = self.metadata.sort("finished").row(-1, named=True)["run_dir"]
        return json.loads((Path(latest) / METADATA).read_text())["packages"]


def _candidate_runs(root: Path) -> set[Path]:
    """Directories that hold, or were meant to hold, a run (Hydra makes ``.hydra`` before the job runs; a job
    makes the run's lock file before it simulates, so a run whose writer died before any table is named too)."""
    markers = [METADATA, ".hydra", LOCK, *TABLES.values()]
    return {path.parent for marker in markers for path in root.rglob(marker)}


def _read_metadata(run: Path) -> dict:
    meta = json.loads((run / METADATA).read_text())
    return {
        **{key: meta[key] for key in RUN_KEYS},
        "git_revision": meta["git_revision"],
        "finished": meta["finished"],
        "seconds": float(meta["seconds"]),
        "run_dir": str(run),
    }


def _schemas(run: Path) -> tuple:
    """The run's table schemas (reads only the Parquet footers); raises if a file is missing or corrupt."""
    schemas = []
    for name in TABLES.values():
        path = run / name
        try:
            schemas.append(tuple(pl.read_parquet_schema(path).items()))
        except Exception as error:  # noqa: BLE001 - any unreadable file excludes the run, named with the error
            raise OSError(f"{path}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}") from error
    return tuple(schemas)


def open_sweep(root: str | Path) -> Sweep:
    """The usable runs under ``root``; warns (``SweepWarning``) naming every run left out and why."""
    root = Path(root)
    if not root.is_dir():
        raise SweepError(f"sweep directory not found: {root}")
    problems: list[str] = []
    found: dict[Path, tuple[dict, tuple]] = {}
    for run in sorted(_candidate_runs(root)):
        if not is_complete(run):
            problems.append(f"{run}: incomplete (no {METADATA}: still running, failed or interrupted)")
            continue
        try:
            found[run] = (_read_metadata(run), _schemas(run))
        except (OSError, ValueError, KeyError) as error:
            problems.append(f"{run}: unreadable: {error}")
    # Runs written by another version of the model have other columns: they cannot be scanned with the rest.
    common = Counter(schema for _, schema in found.values()).most_common(1)
    for run, (_, schema) in list(found.items()):
        if schema != common[0][0]:
            problems.append(f"{run}: its tables have other columns than the other runs (written by another model version)")
            del found[run]
    seen: dict[tuple, Path] = {}
    for run, (meta, _) in list(found.items()):
        key = tuple(meta[k] for k in RUN_KEYS)
        if key in seen:
            problems.append(f"{run}: the same population, scenario, policy and seed as {seen[key]}")
            del found[run]
        else:
            seen[key] = run
    if problems:
        warnings.warn(f"{len(problems)} run(s) left out of {root}:\n  " + "\n  ".join(problems), SweepWarning, stacklevel=2)
    if not found:
        raise SweepError(f"no complete run under {root}")
    metadata = pl.DataFrame([meta for meta, _ in found.values()]).sort(RUN_KEYS)
    return Sweep(root=root, runs=tuple(Path(p) for p in metadata["run_dir"]), problems=tuple(problems), metadata=metadata)
