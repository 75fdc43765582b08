"""A model's complete dynamic state at the end of its warm-up, and restoring it into another model: how runs
share a warm-up.

The warm-up (``params.warmup_weeks`` under ``params.warmup_policy``, no scenario: ``model/week.py``) is the
same for every policy of one town, seed and set of parameters.  :func:`capture` takes the warmed-up town from
a model at the end of its warm-up, :func:`restore` puts it into a new model whose warm-up is the same (equal
:func:`fingerprint`), and that model then runs its policy weeks bit for bit as if it had simulated the
warm-up itself.  :func:`write` and :func:`read` keep a checkpoint in a file (``experiments/warmups.py`` keeps
a store of them).

What carries from one week into the next, and so is captured, is read from the declarations:

* every array of the state that outlives its week (``State.carried``: each component declares its arrays
  with ``carried``), so an array a component adds is carried too;
* what a component declares in its ``carried`` (an attribute, with why);
* the week (it keys every draw), Mesa's step counter and Mesa's two generators (no component draws from
  them, every draw being counter-based, ``model/rng.py``; they are carried so that one that does stays exact).

Nothing else a component holds outlives its week: the rest is parameters or the policy (built again by the
new model, which may run another policy), this week's arrays (declared ``carried=False``: written each week
before they are read), scratch every step rewrites before reading (support's rounds of asking, awareness's
double buffer) and tallies of the policy weeks (builder sites, which open when the policy starts, and the
recorder), still empty when the warm-up ends.  ``tests/test_warmup_sharing.py`` compares restored runs with
runs from scratch, output by output, and shows that leaving the team's hours out is caught.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numba
import numpy as np
import pyarrow as pa

# Parts of the parameters the warm-up never reads, with why: runs that differ only in them share a warm-up.
NOT_IN_WARMUP = {
    "policy": "the policy under test acts from policy week 0; the warm-up runs params.warmup_policy",
    "scenario": "a scenario's window starts at policy week 0 or later (Scenario.start_week >= 0, week.py)",
    "weeks": "how many policy weeks follow the warm-up",
    "costs": "read only by Costs.measures, in policy weeks",
    "posterior": "names the parameter set; its values reach the model only through the sections they set",
}
MODEL_DIR = Path(__file__).resolve().parent
_FORMAT = 2  # of the file write() writes; read() refuses any other (2: the week, the carried arrays by declaration)
_CODEC = "zstd"  # pyarrow's: a tenth of the time numpy's deflate takes, at the same size (a third of the raw)


@dataclass
class Checkpoint:
    """A model's dynamic state at the end of its warm-up: ``arrays`` (copies) and JSON-able ``values``, by name."""

    arrays: dict[str, np.ndarray]
    values: dict[str, Any]


def _carried(model) -> dict[str, Any]:
    """The current value of every attribute a component declares ``carried``, under ``<component>.<attribute>``."""
    return {f"{c.name}.{name}": getattr(c, name) for c in model.components for name in c.carried}


def _arrays(model) -> dict[str, np.ndarray]:
    """The model's own arrays a checkpoint holds, by name: the state's carried arrays and the components'."""
    state = {f"state.{name}": array for name, array in model.state.carried().items()}
    return {**state, **{name: v for name, v in _carried(model).items() if isinstance(v, np.ndarray)}}


_MODEL_VALUES = ("week", "mesa.steps", "mesa.random", "mesa.rng")


def capture(model) -> Checkpoint:
    """The complete dynamic state of ``model``, which must be at the end of its warm-up."""
    if model.week != model.params.warmup_weeks:
        raise ValueError(f"a checkpoint is taken at the end of the warm-up (week {model.params.warmup_weeks} "
                         f"since it began); this model is at week {model.week}")
    version, internal, gauss = model.random.getstate()
    values = dict(zip(_MODEL_VALUES, (model.week, model.steps, [version, list(internal), gauss],
                                      model.rng.bit_generator.state)))
    values.update({name: v for name, v in _carried(model).items() if not isinstance(v, np.ndarray)})
    return Checkpoint({name: array.copy() for name, array in _arrays(model).items()}, values)


def restore(model, checkpoint: Checkpoint) -> None:
    """Put ``checkpoint`` into ``model``, a new model (before its first week) whose warm-up is the checkpoint's.

    A checkpoint that does not fit (other names, types or shapes) raises ValueError naming the misfit before
    anything is written; one whose values are malformed raises as it is written (so build the model again).
    """
    if model.week != 0:
        raise ValueError(f"a checkpoint is restored into a new model; this one is at week {model.week}")
    if checkpoint.values.get("week") != model.params.warmup_weeks:
        raise ValueError(f"the checkpoint is of week {checkpoint.values.get('week')}; this model's warm-up ends "
                         f"at week {model.params.warmup_weeks}")
    targets = _arrays(model)
    scalars = [name for name in _carried(model) if name not in targets]
    differ = (checkpoint.arrays.keys() ^ targets.keys()) | (checkpoint.values.keys() ^ {*_MODEL_VALUES, *scalars})
    if differ:
        raise ValueError(f"the checkpoint and this model hold different state: {', '.join(sorted(differ)[:3])}")
    for name, target in targets.items():
        saved = checkpoint.arrays[name]
        if (saved.dtype, saved.shape) != (target.dtype, target.shape):
            raise ValueError(f"{name} is {saved.dtype}{list(saved.shape)} in the checkpoint, "
                             f"{target.dtype}{list(target.shape)} in this model")
    for name, target in targets.items():
        target[...] = checkpoint.arrays[name]  # in place: the components' kernels are bound to these arrays
    for name in scalars:
        component, attribute = name.split(".", 1)
        setattr(getattr(model, component), attribute, checkpoint.values[name])
    version, internal, gauss = checkpoint.values["mesa.random"]
    model.random.setstate((version, tuple(internal), gauss))
    model.rng.bit_generator.state = checkpoint.values["mesa.rng"]
    model.steps = checkpoint.values["mesa.steps"]
    model.week = checkpoint.values["week"]


def write(path: Path, checkpoint: Checkpoint) -> None:
    """Write ``checkpoint`` to ``path``: numpy's ``.npz`` (a zip, whose checksums catch a corrupt file) holding
    each array's bytes compressed, and a JSON header with the values and every array's type and shape."""
    header = {"format": _FORMAT, "values": checkpoint.values,
              "arrays": {name: [array.dtype.str, list(array.shape)] for name, array in checkpoint.arrays.items()}}
    packed = {name: np.frombuffer(pa.compress(array.tobytes(), codec=_CODEC, asbytes=True), dtype=np.uint8)
              for name, array in checkpoint.arrays.items()}
    with open(path, "wb") as handle:  # a file object: given a name, np.savez would add ".npz" to it
        np.savez(handle, header=np.array(json.dumps(header)), **packed)


def read(path: Path) -> Checkpoint:
    """The checkpoint :func:`write` wrote to ``path`` (its arrays read-only); raises (OSError, ValueError,
    zipfile.BadZipFile, ...) if the file is not one, whole."""
    with np.load(path, allow_pickle=False) as stored:
        header = json.loads(str(stored["header"]))
        if header.get("format") != _FORMAT:
            raise ValueError(f"format {header.get('format')!r}, not {_FORMAT}")
        arrays = {}
        for name, (dtype, shape) in header["arrays"].items():
            dtype = np.dtype(dtype)
            size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            raw = pa.decompress(stored[name].tobytes(), decompressed_size=size, codec=_CODEC, asbytes=True)
            arrays[name] = np.frombuffer(raw, dtype=dtype).reshape(shape)
    return Checkpoint(arrays, header["values"])


def fingerprint(model) -> str:
    """What the warm-up of ``model`` (a new one) depends on, as 32 hex digits: models with equal fingerprints
    have identical warm-ups.

    It covers every parameter but those in :data:`NOT_IN_WARMUP`; the town as built (the state's arrays before
    the first week, so a changed area CSV or data file never matches); the engine's source (every file of
    ``model/``, so a warm-up simulated by other code is never reused); and the versions of numpy and numba,
    which do the arithmetic.  The thread count is left out: results do not depend on it.
    """
    if model.week != 0:
        raise ValueError(f"a fingerprint is taken of a new model; this one is at week {model.week}")
    params = {name: value for name, value in dataclasses.asdict(model.params).items() if name not in NOT_IN_WARMUP}
    digest = hashlib.sha256(json.dumps({"params": params, "source": source_digest(MODEL_DIR),
                                        "numpy": np.__version__, "numba": numba.__version__}, sort_keys=True).encode())
    for name, array in model.state.carried().items():
        digest.update(f"{name}:{array.dtype.str}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array))
    return digest.hexdigest()[:32]


@functools.lru_cache(maxsize=None)
def source_digest(directory: Path) -> str:
    """sha256 of every Python file under ``directory``, with its path (read once per process)."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*.py")):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
