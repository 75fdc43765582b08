"""Known patterns the model must reproduce (DESIGN.md, docs/evidence.md)."""

from .conftest import run_model

TOWN = ("weeks=156",)


def _shares(population, policy):
    _, results = run_model(TOWN + (f"population={population}", f"policy={policy}"))
    s = results.steps
    served = s["contacts_served"].sum()
    return {
        "resolved": s["outcome_resolved_first_contact"].sum() / served,
        "long_term": s["outcome_long_term_service"].sum() / served,
        "recontact": s["recontacts_26w"].sum() / s["contacts"].sum(),
        "caseload": s["caseload_long_term"].tail(13).mean(),
    }


def test_community_first_resolves_most_contacts_in_a_connected_town():
    town = _shares("market_town", "community_first")
    assert town["resolved"] > 0.6
    assert town["long_term"] < 0.1


def test_thin_deprived_town_resolves_less_and_comes_back_more():
    town = _shares("market_town", "community_first")
    estate = _shares("deprived_estate", "community_first")
    assert estate["resolved"] < town["resolved"] - 0.1
    assert estate["recontact"] > town["recontact"]


def test_service_first_builds_a_larger_long_term_caseload():
    assert _shares("market_town", "service_first")["caseload"] > 1.3 * _shares("market_town", "community_first")["caseload"]
