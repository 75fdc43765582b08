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
        pl.col("statutory_starts").sum(),
        pl.col("caseload_long_term").mean().alias("caseload_long_term_mean"),
        (1000 * pl.col("statutory_starts").sum() / adults / years).alias("starts_per_1000_per_year"),
        # SALT's 'clients receiving long-term support during the year': those on it at any time in a year,
        # approximated by the mean caseload plus a year's new starts (configs/figures.yaml)
        (1000 * (pl.col("caseload_long_term").mean() + pl.col("statutory_starts").sum() / years) / adults)
        .alias("long_term_clients_per_1000"),
        pl.col("caseload_long_term").last().alias("caseload_long_term_final"),
        pl.col("queue_length").mean().alias("queue_length_mean"),
        pl.col("mean_wait_weeks").mean(),
        pl.col("unmet_share").mean(),
        pl.col("isolation_rate").mean(),
        pl.col("wellbeing_mean").mean(),
        pl.col("wellbeing_p10").mean(),
        pl.col("carer_strain_mean").mean(),
        pl.col("groups_active").last().alias("groups_active_final"),
        pl.col("cost_statutory").sum(),
        (pl.col("cost_statutory").sum() / adults / years).alias("statutory_per_adult_year"),
        pl.col("cost_staff").sum(),
        pl.col("cost_community").sum(),
        pl.col("cost_total").sum(),
    )
