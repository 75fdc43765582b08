"""The settings of how a run is run and written (``output.*``), and the keys added to Hydra's own (``+hydra.*``),
checked before anything is simulated or written, by the rule the model's values are checked by.

``output`` is declared here, field by field, with its type and range (:class:`Output`), and validated by
``model.params.validate``: an unknown key (``+output.nonsense=1``), a wrong type (``output.skip_complete=maybe``)
or a value out of range (``output.hood_every=0``) stops the run with one line naming the field and what is
allowed.  The neighbourhoods table a run keeps in memory until it ends, one row per neighbourhood every
``hood_every`` policy weeks, is checked against the machine's memory with the town's (``model.params.check_memory``).
A key added to Hydra's settings (``+hydra.nonsense=1``) is refused unless Hydra declares it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping

import numba
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from model.area import town_of
from model.components import Params
from model.params import ConfigError, check_memory, p, validate


@dataclass(frozen=True)
class Output:
    """How a run is run and written (``configs/config.yaml``, ``output``)."""

    hood_every: int = p(1, 5200, "weeks", "weeks between rows of the per-neighbourhood table")
    skip_complete: bool = p(doc="a run whose results are already complete (and verified) is not run again")
    share_warmup: bool = p(doc="runs with the same warm-up simulate it once and restore it after (experiments.warmups)")
    numba_threads: int | None = p(1, numba.config.NUMBA_NUM_THREADS, "threads",
                                  "numba threads a run uses, at most this process's NUMBA_NUM_THREADS (numba can lower "
                                  "its count, never raise it); null: numba's own (every core)")


# What a row of the neighbourhoods table costs while the run lasts: the recorder keeps its 32 sums (float64) and
# the groups alive per neighbourhood every hood_every weeks until the run ends, then builds the table's 10 columns.
HOOD_ROW_BYTES = 400


def resolved_config(config: DictConfig) -> dict:
    """``config`` as plain values, its interpolations resolved, without Hydra's node; an interpolation that cannot
    be resolved (``weeks=${oc.env:NOPE}``) raises a one-line ConfigError naming its key."""
    job = OmegaConf.masked_copy(config, [key for key in config if key != "hydra"])
    try:
        return OmegaConf.to_container(job, resolve=True)
    except OmegaConfBaseException as error:
        reason = (str(error).splitlines() or [type(error).__name__])[0]
        raise ConfigError(f"{getattr(error, 'full_key', None) or 'config'}: {reason}") from None


def output_settings(values: Mapping[str, Any], params: Params) -> Output:
    """``output`` of a resolved config, validated, and its neighbourhoods table checked against the memory it needs."""
    if not isinstance(values, Mapping):
        raise ConfigError("output must be a mapping of fields")
    output = validate(Output, values, "output.")
    town = town_of(params)
    hoods = params.population.n_neighbourhoods if town is None else town.households.size
    rows = hoods * (params.weeks // output.hood_every)
    check_memory(f"output.hood_every={output.hood_every}", rows * HOOD_ROW_BYTES,
                 f"a neighbourhoods table of {rows:,} rows ({hoods:,} neighbourhoods, {params.weeks:,} weeks)")
    return output


def check_hydra_keys(config: DictConfig) -> None:
    """Refuse a key added to Hydra's settings (``+hydra.<key>=...``) that Hydra does not declare: where Hydra's node
    is one of its declared records (``hydra.job``, ``hydra.run``, a launcher's settings), nothing else reads it."""
    for text in config.hydra.overrides.hydra:
        override = OverridesParser.create().parse_override(text)
        parent, _, name = override.key_or_group.rpartition(".")  # every entry's key starts with hydra
        if not parent or not (override.is_add() or override.is_force_add()):
            continue
        record = OmegaConf.get_type(OmegaConf.select(config, parent))
        if dataclasses.is_dataclass(record):
            declared = [f.name for f in dataclasses.fields(record)]
            if name not in declared:
                raise ConfigError(f"unknown field {override.key_or_group}; allowed: {', '.join(declared)}")
