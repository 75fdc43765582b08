"""Entry point of the Hydra apps: a config mistake ends the program with one line, not a traceback.

Hydra reports composition errors itself, over several lines (an unknown option also prints the
config search path).  Asking it to raise them instead (``HYDRA_FULL_ERROR``, unless the user set
it) lets this wrapper print one line that names the problem and, for an unknown option, the valid
ones: ``config error: policy=magic is not an option; choose one of: community_first, service_first``.
"""

from __future__ import annotations

import os
import sys
from typing import Callable

from hydra.errors import CompactHydraException

from model.config import composition_error


def run_app(app: Callable[[], None]) -> None:
    """Call a ``@hydra.main`` function, turning config errors into a one-line exit."""
    os.environ.setdefault("HYDRA_FULL_ERROR", "1")
    try:
        app()
    except CompactHydraException as error:
        sys.exit(f"config error: {composition_error(error)}")
    except OSError as error:  # Hydra's own writes: the run's directory, the sweep's multirun.yaml
        sys.exit(f"error: {error.filename}: {error.strerror}" if error.filename else f"error: {error.strerror or error}")
