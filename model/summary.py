"""Whole-run measures of a per-step table (``model.schema.STEPS``): the one row ``summary.parquet`` holds.

The layer that writes runs (``experiments.store``) and the one that reads them (``analysis``, e.g. the
figures measured over a window of policy weeks: ``analysis.evidence``) both take the measures from
:func:`summarise`, so a measure has one definition however it is computed.
"""

from __future__ import annotations

import polars as pl

from . import codes


def summarise(steps: pl.DataFrame) -> pl.DataFrame:
    """One row of whole-run measures from the per-step table."""
    contacts = pl.col("contacts").sum()
    years = pl.len() / 52
    adults = pl.col("residents").mean()
    old = pl.col("residents_65_plus").mean()
    carers = pl.col("carers") - pl.col("carers_20_49h") - pl.col("carers_50h_plus")
    return steps.select(
        pl.len().alias("weeks"),
        contacts.alias("contacts"),
        (1000 * contacts / pl.col("residents").mean() / years).alias("contacts_per_1000_per_year"),
        *[(pl.col(f"outcome_{o}").sum() / pl.col("contacts_served").sum()).alias(f"share_{o}") for o in codes.OUTCOMES],
        # Calderdale's gateway measure: contacts not needing a full assessment (calderdale_3pct_assessment)
        (1 - pl.col("full_assessments").sum() / pl.col("contacts_served").sum()).alias("share_handled_at_gateway"),
        # Shropshire's measure: statutory (long-term) services started per contact (shropshire_statutory_3pct)
        (pl.col("statutory_starts").sum() / pl.col("contacts_served").sum()).alias("statutory_per_contact"),
        (pl.col("recontacts_12w").sum() / contacts).alias("recontact_12w_share"),
        (pl.col("recontacts_26w").sum() / contacts).alias("recontact_26w_share"),
        # ASC-FR's national figures (configs/figures.yaml; how each maps onto the model: docs/evidence.md)
        (contacts / pl.col("contacts_new_in_year").sum()).alias("requests_per_requester"),
        (pl.col("contacts_hospital").sum() / contacts).alias("share_from_hospital"),
        (pl.col("reablement_to_long_term").sum() / pl.col("reablement_ended").sum()).alias("reablement_to_long_term_share"),
        (100_000 * pl.col("care_home_admissions_65_plus").sum() / old / years).alias("care_home_admissions_65_per_100k"),
        (100_000 * pl.col("care_home_admissions_18_64").sum() / (adults - old) / years)
        .alias("care_home_admissions_18_64_per_100k"),
        (pl.col("long_stay_reviewed").sum() / pl.col("long_stay_clients").sum()).alias("long_term_reviewed_share"),
        (pl.col("home_care_hours").sum() / pl.col("caseload_home_care").sum()).alias("home_care_package_hours"),
        (carers / pl.col("residents")).mean().alias("carers_1_19h_share"),
        (pl.col("carers_20_49h") / pl.col("residents")).mean().alias("carers_20_49h_share"),
        (pl.col("carers_50h_plus") / pl.col("residents")).mean().alias("carers_50h_plus_share"),
        (pl.col("care_hours").sum() / pl.col("residents").sum()).alias("care_hours_per_adult"),
        (pl.col("adl_need_65_plus") / pl.col("residents_65_plus")).mean().alias("adl_need_65_share"),
        (pl.col("adl_unmet_65_plus") / pl.col("residents_65_plus")).mean().alias("adl_unmet_65_share"),
        (pl.col("need_65_69").sum() / pl.col("residents_65_69").sum()).alias("need_65_69_share"),
        (pl.col("need_80_plus").sum() / pl.col("residents_80_plus").sum()).alias("need_80_plus_share"),
        (pl.col("clients_carer_50h").sum() / pl.col("clients_with_carer").sum()).alias("client_carers_50h_share"),
        (pl.col("care_home_admissions_65_plus").sum() + pl.col("care_home_admissions_18_64").sum())
        .alias("care_home_admissions"),
        pl.col("self_funders_taken_over").sum(),
        pl.col("statutory_starts").sum(),
        pl.col("caseload_long_term").mean().alias("caseload_long_term_mean"),
        (1000 * pl.col("statutory_starts").sum() / adults / years).alias("starts_per_1000_per_year"),
        # SALT's 'clients receiving long-term support during the year': those on it at any time in a year,
        # approximated by the mean caseload plus a year's new council-funded clients (starts, and self-funders the
        # council takes over) (configs/figures.yaml)
        (1000 * (pl.col("caseload_long_term").mean()
                 + (pl.col("statutory_starts").sum() + pl.col("self_funders_taken_over").sum()) / years) / adults)
        .alias("long_term_clients_per_1000"),
        pl.col("caseload_long_term").last().alias("caseload_long_term_final"),
        pl.col("queue_length").mean().alias("queue_length_mean"),
        pl.col("mean_wait_weeks").mean(),
        pl.col("unmet_share").mean(),
        pl.col("isolation_rate").mean(),
        pl.col("wellbeing_mean").mean(),
        pl.col("wellbeing_p10").mean(),
        pl.col("carer_strain_mean").mean(),
        pl.col("carer_breakdowns").sum(),
        pl.col("groups_active").last().alias("groups_active_final"),
        pl.col("cost_statutory").sum(),
        (pl.col("cost_statutory").sum() / adults / years).alias("statutory_per_adult_year"),
        pl.col("cost_staff").sum(),
        pl.col("cost_community").sum(),
        pl.col("cost_total").sum(),
    )
