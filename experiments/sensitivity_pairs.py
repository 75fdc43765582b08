"""Both policies' sensitivity experiments in each town, with one design, then their paired differences.

    python -m experiments.sensitivity_pairs                      # 3 towns x 2 policies, configs/sensitivity.yaml
    python -m experiments.sensitivity_pairs --towns market_town sensitivity.morris_trajectories=4

For each town, ``experiments.sensitivity`` runs the base policy and the other policy with the same overrides,
so the two share the SALib sample matrix and the seed: sample k of both is the same parameter set on the same
town (``analysis.sensitivity_pairs``).  Results go to ``<root>/<town>/<scenario>/<policy>/`` (as
``python -m experiments.sensitivity`` writes them) and the paired tables to
``<root>/<town>/<scenario>/<policy>_minus_<base>/``; finished experiments are reused, killed ones resume.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from omegaconf import OmegaConf

from analysis import sensitivity_pairs
from analysis.sensitivity import SensitivityError, load
from experiments import sensitivity
from model.config import compose_config
from model.params import ConfigError

TOWNS = ("market_town", "deprived_estate", "rural_county")
log = logging.getLogger(__name__)


def run_town(town: str, base: str, policy: str, overrides: list[str], root: Path) -> Path:
    """Run (or reuse) both policies' experiments in ``town`` and write their paired tables; returns their directory."""
    dirs = []
    for name in (base, policy):
        composed = compose_config([*overrides, f"population={town}", f"policy={name}"], config_name="sensitivity")
        config = OmegaConf.to_container(composed, resolve=False)
        config.pop("hydra", None)
        scenario = OmegaConf.select(composed, "scenario.name")
        out = root / town / scenario / name
        log.info("%s, %s: %s", town, name, out)
        dirs.append(sensitivity.run(config, out, skip_complete=composed.output.skip_complete))
    pair = sensitivity_pairs.pair(load(dirs[0]), load(dirs[1]))
    out = dirs[1].parent / f"{policy}_minus_{base}"
    tables = sensitivity_pairs.write(pair, out)
    print(sensitivity_pairs.findings(pair, tables), flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.sensitivity_pairs", description=__doc__.splitlines()[0])
    parser.add_argument("--towns", nargs="+", default=list(TOWNS), help="population presets (default: all three)")
    parser.add_argument("--base", default="service_first", help="the policy differences are taken from")
    parser.add_argument("--policy", default="community_first", help="the policy compared with it")
    parser.add_argument("--root", type=Path, default=Path("results/sensitivity"), help="where the results go")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for both policies, e.g. sensitivity.workers=1")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("MESA").setLevel(logging.WARNING)
    try:
        for town in args.towns:
            log.info("wrote %s", run_town(town, args.base, args.policy, args.overrides, args.root))
    except (ConfigError, SensitivityError) as error:
        print(f"config error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
