"""Informal care in the model against the Census 2021 bands of unpaid care in England: a check, never a target.

Nothing in the model is fitted to these figures.  The model's bands are shares of adult-weeks: each week,
each adult in the band of the hours of help they gave that week (``carers``, ``carers_20_49h`` and
``carers_50h_plus`` of the steps table), pooled over the weeks and seeds of a run.  The Census asks people
how many hours of unpaid care they usually give.  Print the comparison with::

    .venv/bin/python -m tests.census_care            # market town, seeds 0-1, both policies, default horizon
    .venv/bin/python -m tests.census_care 0 1 2 3    # other seeds
"""

from __future__ import annotations

import sys

import polars as pl

from model.config import load_params
from model.simulation import ResilienceModel

# ONS, Census 2021, table TS039 'Provision of unpaid care', England, usual residents aged 5 and over (53,413,098):
# provides no unpaid care / 19 hours or less / 20 to 49 hours / 50 or more hours a week.
# docs/evidence.md, census_care_bands.
CENSUS_2021_ENGLAND = {"none": 48_734_833, "1-19": 2_303_725, "20-49": 969_769, "50+": 1_404_771}
# The same table's finer bands (hours a week: residents), whose lower ends bound the hours of care given
CENSUS_2021_ENGLAND_FINE = {1: 1_668_989, 10: 634_736, 20: 452_264, 35: 517_505, 50: 1_404_771}
# ONS, 'Unpaid care by age, sex and deprivation' (Census 2021): carers aged 5-17 in England, 1.4% of their age group
YOUNG_CARERS = 120_000
BANDS = tuple(CENSUS_2021_ENGLAND)


def census_shares(adults_only: bool = False) -> dict[str, float]:
    """Share of people in each band: of residents aged 5 and over as published, or of adults (derived: young carers
    and all 5-17 year olds taken out, the young carers assumed to give under 20 hours, so the adult bands of 20 hours
    and more are slight overestimates)."""
    counts = dict(CENSUS_2021_ENGLAND)
    if adults_only:
        children = YOUNG_CARERS / 0.014
        counts["none"] -= children - YOUNG_CARERS
        counts["1-19"] -= YOUNG_CARERS
    total = sum(counts.values())
    return {band: count / total for band, count in counts.items()}


def census_hours_at_least() -> float:
    """Hours of unpaid care a week per resident aged 5 and over, counting each carer at the lower end of their band."""
    return sum(hours * people for hours, people in CENSUS_2021_ENGLAND_FINE.items()) / sum(CENSUS_2021_ENGLAND.values())


def model_shares(steps: pl.DataFrame) -> dict[str, float]:
    """Share of adult-weeks in each band of hours of informal help given that week."""
    adult_weeks = steps["residents"].sum()
    heavy, heaviest = steps["carers_20_49h"].sum(), steps["carers_50h_plus"].sum()
    light = steps["carers"].sum() - heavy - heaviest
    return {"none": 1 - (light + heavy + heaviest) / adult_weeks, "1-19": light / adult_weeks,
            "20-49": heavy / adult_weeks, "50+": heaviest / adult_weeks}


def main(seeds: list[int]) -> None:
    census, adults = census_shares(), census_shares(adults_only=True)
    print(f"{'':34}" + "".join(f"{band:>9}" for band in BANDS) + "   hours/adult/week")
    print(f"{'Census 2021 England, aged 5+':34}" + "".join(f"{100 * census[b]:8.2f}%" for b in BANDS)
          + f"   at least {census_hours_at_least():.2f}")
    print(f"{'Census 2021 England, adults (der.)':34}" + "".join(f"{100 * adults[b]:8.2f}%" for b in BANDS))
    for policy in ("service_first", "community_first"):
        runs = [ResilienceModel(load_params([f"seed={seed}", f"policy={policy}"])).run().steps for seed in seeds]
        steps = pl.concat(runs)
        shares = model_shares(steps)
        hours = steps["care_hours"].sum() / steps["residents"].sum()
        label = f"model {policy}, seeds {seeds[0]}-{seeds[-1]}"
        print(f"{label:34}" + "".join(f"{100 * shares[b]:8.2f}%" for b in BANDS) + f"   {hours:.2f}")


if __name__ == "__main__":
    main([int(s) for s in sys.argv[1:]] or [0, 1])
