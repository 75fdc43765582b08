"""Find the runs of a sweep and scan their tables lazily.

A sweep directory holds one run directory per job (``experiments.store`` writes them; ``model.outputs``
names their files).  Only
complete runs (``metadata.json`` present) whose Parquet files, metadata and ``config.yaml`` are readable
are used; every run left out is named, with the reason, in ``Sweep.problems`` and in one ``SweepWarning``,
never dropped silently.  A sweep that stored its design (``analysis.sweep_design``, ``design.yaml``) is read only
if every run is of that design: a run of another is refused (``SweepError``) in one line naming it and the
first key that differs, so a report never mixes two designs.  Tables are returned as polars ``LazyFrame``s
over all runs, so a sweep of any size is aggregated without loading it into memory.  Every table starts with
the run's ``RUN_KEYS``; runs written before the lever columns (``LEVERS``) existed, which a resumed sweep
reuses, get them from their ``config.yaml`` when scanned.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import yaml

from model.levers import RUN_LEVERS
from model.outputs import CONFIG, HOODS, LOCK, METADATA, STEPS, SUMMARY, is_complete

from .sweep_design import design_file, read_design

TABLES = {"steps": STEPS, "neighbourhoods": HOODS, "summary": SUMMARY}
# The columns that identify a run in every table (``experiments.store`` writes them first, in this order):
# where, which shock, which front door, the levers a decomposition varies with it, and the replicate: which member
# of the posterior ensemble (-1: none) and which seed.
LEVERS = tuple(lever.name for lever in RUN_LEVERS)
REPLICATE = ("member", "seed")
RUN_KEYS = ("population", "scenario", "policy", *LEVERS, *REPLICATE)
_LEVER_TYPES = {lever.name: pl.Float64 if lever.kind is float else pl.String for lever in RUN_LEVERS}
FAILED = "error.txt"  # a run that failed: its error in one line (the app's worker writes it; the report names it)


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
    unlabelled: frozenset[Path] = frozenset()  # runs whose tables predate the LEVERS columns (added when scanned)
    configs: dict[Path, dict] = field(default_factory=dict)  # each usable run's resolved config (its config.yaml)

    def config(self, run: str | Path) -> dict:
        """The resolved config of the usable run ``run`` (read, and checked to parse, when the sweep was opened)."""
        return self.configs[Path(run)]

    def scan(self, table: str) -> pl.LazyFrame:
        """All runs' ``table`` (``steps``, ``neighbourhoods`` or ``summary``) as one lazy frame."""
        if table not in TABLES:
            raise ValueError(f"table: {table!r} is not one of {', '.join(TABLES)}")
        labelled = [run / TABLES[table] for run in self.runs if run not in self.unlabelled]
        frames = [pl.scan_parquet(labelled)] if labelled else []
        for row in self.metadata.filter(pl.col("run_dir").is_in([str(run) for run in self.unlabelled])).iter_rows(named=True):
            frames.append(pl.scan_parquet(Path(row["run_dir"]) / TABLES[table])
                          .with_columns(pl.lit(row[key], dtype=_LEVER_TYPES[key]).alias(key) for key in LEVERS)
                          .select(*RUN_KEYS, pl.exclude(RUN_KEYS)))
        return frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical")

    @property
    def packages(self) -> dict[str, str]:
        """Package versions recorded by the most recent run."""
        latest = self.metadata.sort("finished").row(-1, named=True)["run_dir"]
        return json.loads((Path(latest) / METADATA).read_text())["packages"]


def _candidate_runs(root: Path) -> set[Path]:
    """Directories that hold, or were meant to hold, a run (Hydra makes ``.hydra`` before the job runs; a job
    makes the run's lock file before it simulates, so a run whose writer died before any table is named too; a
    run that failed, and cleared its lock, may have left its error in ``FAILED``)."""
    markers = [METADATA, ".hydra", LOCK, FAILED, *TABLES.values()]
    return {path.parent for marker in markers for path in root.rglob(marker)}


def _failure(run: Path) -> str | None:
    """The one-line error a failed run left in ``FAILED``, as "failed: <error>", or None."""
    try:
        lines = (run / FAILED).read_text(errors="replace").strip().splitlines()
    except OSError:
        return None
    return f"failed: {lines[0][:300] if lines else 'no error given'}"


def _read_config(run: Path) -> dict:
    """The run's resolved config; raises ValueError if it does not parse into a mapping."""
    try:
        config = yaml.load((run / CONFIG).read_text(), Loader=_YAML)
    except yaml.YAMLError as error:
        raise ValueError(f"{CONFIG}: {type(error).__name__}: {(str(error).splitlines() or [''])[0]}") from None
    if not isinstance(config, dict):
        raise ValueError(f"{CONFIG} holds {type(config).__name__}, not a mapping")
    return config


_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, where PyYAML has it: every run's config is read


def _read_metadata(run: Path, config: dict) -> dict:
    try:
        meta = json.loads((run / METADATA).read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{METADATA}: {error}") from None
    if any(key not in meta for key in LEVERS):  # written before the lever labels: they are in its config
        for lever in RUN_LEVERS:
            meta.setdefault(lever.name, lever.value(config))
    meta.setdefault("member", -1)  # written before the posterior ensemble: the configs' own values
    return {
        **{key: meta[key] for key in RUN_KEYS},
        **{lever.name: lever.kind(meta[lever.name]) for lever in RUN_LEVERS},
        "git_revision": meta["git_revision"],
        "finished": meta["finished"],
        "seconds": float(meta["seconds"]),
        "run_dir": str(run),
    }


def _schemas(run: Path) -> tuple:
    """The run's table schemas (reads only the Parquet footers), without the LEVERS label columns, and whether
    it has them; raises if a file is missing or corrupt."""
    schemas = []
    for name in TABLES.values():
        path = run / name
        try:
            schemas.append(tuple(pl.read_parquet_schema(path).items()))
        except Exception as error:  # noqa: BLE001 - any unreadable file excludes the run, named with the error
            raise OSError(f"{path}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}") from error
    labelled = all(key in dict(schema) for schema in schemas for key in LEVERS)
    return tuple(tuple(column for column in schema if column[0] not in LEVERS) for schema in schemas), labelled


def open_sweep(root: str | Path) -> Sweep:
    """The usable runs under ``root``; warns (``SweepWarning``) naming every run left out and why."""
    root = Path(root)
    if not root.is_dir():
        raise SweepError(f"sweep directory not found: {root}")
    problems: list[str] = []
    found: dict[Path, tuple[dict, tuple]] = {}
    unlabelled: set[Path] = set()
    configs: dict[Path, dict] = {}
    for run in sorted(_candidate_runs(root)):
        if not is_complete(run):
            problems.append(f"{run}: incomplete ({_failure(run) or f'no {METADATA}: still running, failed or interrupted'})")
            continue
        try:
            configs[run] = _read_config(run)
            meta, (schema, labelled) = _read_metadata(run, configs[run]), _schemas(run)
            found[run] = (meta, schema)
            if not labelled:
                unlabelled.add(run)
        except (OSError, ValueError, KeyError, TypeError) as error:
            problems.append(f"{run}: unreadable: {error}")
    _check_design(root, {run: configs[run] for run in found})
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
            problems.append(f"{run}: the same population, scenario, policy, levers ({', '.join(LEVERS)}), member and seed "
                            f"as {seen[key]}")
            del found[run]
        else:
            seen[key] = run
    if problems:
        warnings.warn(f"{len(problems)} run(s) left out of {root}:\n  " + "\n  ".join(problems), SweepWarning, stacklevel=2)
    if not found:
        raise SweepError(f"no complete run under {root}")
    metadata = pl.DataFrame([meta for meta, _ in found.values()]).sort(RUN_KEYS)
    runs = tuple(Path(p) for p in metadata["run_dir"])
    return Sweep(root=root, runs=runs, problems=tuple(problems), metadata=metadata,
                 unlabelled=frozenset(unlabelled & set(runs)), configs={run: configs[run] for run in runs})


def _check_design(root: Path, configs: dict[Path, dict]) -> None:
    """Refuse, in one line, a sweep with a run whose config is not of the design stored beside its runs."""
    path = design_file(root)
    if path is None:
        return
    try:
        design = read_design(path)
    except ValueError as error:
        raise SweepError(str(error)) from None
    for run, config in configs.items():
        found = design.difference(config)
        if found:
            key, wanted, value = found
            raise SweepError(f"{root} mixes runs of different designs: {run} has {key}={value!r} where the sweep's "
                             f"{path.name} has {wanted!r}; give each design a directory of its own")
