"""The status quo's fit to England (experiments/fit_status_quo.py): what it measures and how it refuses bad input."""

import subprocess
import sys

import pytest
import yaml

from analysis.evidence import Figure, load_figures, miss
from experiments.fit_status_quo import CENTRE_WEIGHT, distance, search
from model.config import compose_config
from model.params import ConfigError
from omegaconf import OmegaConf

TINY = ["population.n_neighbourhoods=6", "weeks=110", "warmup_weeks=26"]


def _fit_block(**changes):
    block = OmegaConf.to_container(compose_config(config_name="fit_status_quo").fit, resolve=True)
    return {**block, **changes}


def test_a_figure_costs_its_distance_from_the_band_as_the_evidence_measures_it():
    """Outside the band the cost is the square of analysis.evidence.miss (the same half-band unit), plus the small
    pull to the figure's value; inside, only the pull."""
    band = Figure(id="f", description="", source="", role="fit", preset="service_first", measure="contacts",
                  value=45.8, band=(35.0, 60.0))
    for value in (20.0, 47.0, 75.0):
        pull = CENTRE_WEIGHT * ((value - band.value) / band.scale) ** 2
        assert distance(band, value) == pytest.approx(miss(band, value, value) ** 2 + pull)
    assert distance(band, float("nan")) == 1e6


def test_the_search_fits_the_status_quos_figures_and_sets_the_warm_ups_eligibility_too():
    s = search(_fit_block(), TINY)
    fitted = {f.id for f in load_figures().figures if f.role == "fit" and f.preset == "service_first"}
    assert set(s.figures) == fitted and len(fitted) >= 19
    keys = s.values({name: dim.low for name, dim in s.space.items()})
    assert keys["policy.eligibility_hours"] == keys["warmup_policy.eligibility_hours"] == 6.0
    assert keys["support.patience_weeks"] == 13.0  # a whole number where the config holds one


@pytest.mark.parametrize("change, message", [
    ({"seeds": []}, "fit.seeds=[] must be a non-empty list of seeds"),
    ({"sampler": "grid"}, "fit.sampler"),
    ({"space": {"needs": {"heavy_share": {"low": 0.5, "high": 0.2, "scale": "linear", "source": "x"}}}},
     "fit.space.needs.heavy_share: needs low < high"),
    ({"space": {"needs": {"no_such": {"low": 0.1, "high": 0.2, "scale": "linear", "source": "x"}}}},
     "fit.space.needs.no_such: not a model parameter"),
    ({"space": {"needs": {"heavy_share": {"low": 0.1, "high": 2.0, "scale": "linear", "source": "x"}}}},
     "fit.space.needs.heavy_share: needs.heavy_share=2.0"),
])
def test_a_bad_setting_or_range_is_refused_naming_its_field(change, message):
    with pytest.raises(ConfigError) as error:
        search(_fit_block(**change), TINY)
    assert message in str(error.value)


def test_a_trial_runs_end_to_end_and_writes_its_best(tmp_path):
    done = subprocess.run([sys.executable, "-m", "experiments.fit_status_quo", *TINY, "fit.trials=2", "fit.seeds=[0]",
                           f"fit.journal={tmp_path}/journal.log", f"fit.output={tmp_path}/best.yaml",
                           f"hydra.run.dir={tmp_path}/log"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    best = yaml.safe_load((tmp_path / "best.yaml").read_text())
    assert best["trials"] == 2 and best["of"] >= 19 and best["values"]["warmup_policy.eligibility_hours"] > 0
    assert set(best["figures"]) == {f.id for f in load_figures().figures if f.role == "fit" and f.preset == "service_first"}
