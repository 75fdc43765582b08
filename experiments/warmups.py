"""The warm-up store: warmed-up towns on disk, one file per warm-up, so the runs that share a warm-up simulate it once.

Every policy of one town, seed and set of parameters starts from the same warmed-up town; the warm-up's
fingerprint says which runs share one, and what it covers (``model.checkpoint.fingerprint``).  The first run
of a warm-up simulates it and writes ``<fingerprint>.npz`` into the store; every later run of it restores that
file and simulates only its policy weeks, with results identical bit for bit.  ``experiments.run`` keeps the
store in ``<sweep dir>/warmups/`` for a multirun and in ``results/warmups/`` for single runs (switched off by
``output.share_warmup=false``).  A store is a cache: deleting it, whole or in part, costs only the time to
simulate its warm-ups again.

A file is written atomically (``model.outputs.atomic_write``), so a reader finds a whole file or none.  A file
that cannot be read, or does not fit the run (corrupt, truncated, of another format), is logged in one line
and its warm-up simulated and written again; a store that cannot be written is logged and the run goes on.
Two processes that need one warm-up at once both simulate it, and the second's rename replaces the first's
identical file.
"""

from __future__ import annotations

import logging
from pathlib import Path

from model.checkpoint import capture, fingerprint, read, restore, write
from model.outputs import atomic_write
from model.components import Params
from model.simulation import ResilienceModel

STORE = "warmups"  # the store's directory, in a sweep directory or in results/
SIMULATED, RESTORED = "simulated", "restored"  # how a run's warm-up was got (its metadata.json: "warmup")
log = logging.getLogger(__name__)


def warmed_up(params: Params, hood_every: int, store: Path | None) -> tuple[ResilienceModel, dict]:
    """A model of ``params`` at the end of its warm-up, and how it got there (for the run's metadata:
    ``warmup``, ``SIMULATED`` or ``RESTORED``, and ``warmup_fingerprint``).

    The warm-up is restored from ``store`` if a run with the same warm-up wrote it there; otherwise it is
    simulated and, unless ``store`` is None (sharing off), written there for the next.
    """
    model = ResilienceModel(params, hood_every=hood_every)
    key = fingerprint(model)
    path = None if store is None else Path(store) / f"{key}.npz"
    if path is not None and path.is_file():
        try:
            restore(model, read(path))
            return model, {"warmup": RESTORED, "warmup_fingerprint": key}
        except Exception as error:  # noqa: BLE001 - the store is a cache: whatever is wrong with a file, simulate
            log.warning("warm-up %s cannot be restored (%s: %s): simulating it again", path, type(error).__name__,
                        (str(error).splitlines() or [""])[0])
            model = ResilienceModel(params, hood_every=hood_every)  # a restore that failed midway changed it
    model.warm_up()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, lambda tmp: write(tmp, capture(model)))
        except OSError as error:
            log.warning("warm-up %s cannot be written (%s): the run goes on without storing it", path,
                        error.strerror or error)
    return model, {"warmup": SIMULATED, "warmup_fingerprint": key}
