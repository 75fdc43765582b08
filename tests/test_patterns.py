"""Known patterns the model must reproduce (DESIGN.md, docs/evidence.md), once the practice is in place.

A new practice ramps in over ``policy.ramp_weeks`` (two years); the patterns the seeds report are of
the practice once established (Calderdale's 97% is "after 24 months"), so they are measured over the
year after the ramp.
"""

import polars as pl

from model.summary import summarise

from .conftest import run_model

RAMP = 104  # policy.ramp_weeks of every preset
TOWN = (f"weeks={RAMP + 52}",)


def _shares(population, policy):
    _, results = run_model(TOWN + (f"population={population}", f"policy={policy}"))
    s = results.steps.filter(pl.col("week") >= RAMP)
    served = s["contacts_served"].sum()
    return {
        "resolved": s["outcome_resolved_first_contact"].sum() / served,
        "long_term": s["outcome_long_term_service"].sum() / served,
        "recontact": s["recontacts_26w"].sum() / s["contacts"].sum(),
        "caseload": s["caseload_long_term"].tail(13).mean(),
        "contacts_per_1000": 1000 * s["contacts"].sum() / s["residents"].mean(),
        "wait": s["mean_wait_weeks"].mean(),
    }


def test_community_first_resolves_most_contacts_at_the_first_conversation():
    """Community first resolves most of the contacts it serves at the first conversation, where service first
    (no conversation) resolves none, and starts long-term support for fewer.  (Shropshire's 75% is a fitted figure
    in docs/validation.md, measured there, pass or fail: 58.5% in this run at issue 21.)"""
    town = _shares("market_town", "community_first")
    status_quo = _shares("market_town", "service_first")
    assert town["resolved"] > 0.5 and status_quo["resolved"] == 0
    assert town["long_term"] < status_quo["long_term"]


def test_a_deprived_estate_brings_more_demand_per_head():
    """More need and thinner networks bring more contacts per head to the same front door (measured at issue 21:
    40.1 against 33.2 a year per 1,000 adults).  The estate's community resolves about as many of them at the
    first conversation as the market town's (59.4% against 58.5%): with need as the surveys count it, whether a
    conversation resolves a contact turns more on the size of the need than on the neighbourhood; the
    revolving door where community capacity alone is cut is tested in test_rule_book."""
    town = _shares("market_town", "community_first")
    estate = _shares("deprived_estate", "community_first")
    assert estate["contacts_per_1000"] > 1.15 * town["contacts_per_1000"]


def test_service_first_builds_a_larger_long_term_caseload():
    assert _shares("market_town", "service_first")["caseload"] > 1.3 * _shares("market_town", "community_first")["caseload"]


def test_care_concentrates_on_main_carers():
    """Care is concentrated on one carer, usually in the household (barclay_one_carer, barclay_bulk): fewer than a
    quarter of adults help anyone in a week (two in three when help was spread over every tie), most hours come
    from main carers, and some give 20 hours a week or more.  How the bands compare with the Census 2021 bands is a
    fitted figure of the status quo (configs/figures.yaml, census_carers_*; docs/validation.md)."""
    model, results = run_model(TOWN + ("population=market_town", "policy=community_first"))
    s = summarise(results.steps).row(0, named=True)
    assert s["carers_1_19h_share"] + s["carers_20_49h_share"] + s["carers_50h_plus_share"] < 0.25
    assert s["carers_20_49h_share"] + s["carers_50h_plus_share"] > 0
    r = model.state.residents
    assert r.care_received.sum() > 0.8 * r.helper_load.sum()
