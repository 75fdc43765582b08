"""Cross-check of the numba engine against the plain-Mesa reference (``reference/``).

Both implement the same weekly rules with the same counter-based draws, so on the same seed they must
give the same per-step measures: counts exactly, sums of floats to rounding (the reference adds over
residents, the engine over neighbourhoods first).  The cases cover both policies, the warm-up to policy
switch, a preset with personal budgets, builders with a pandemic shock, outreach and referrals, referral
alone in a town of few ties (where isolated people have a need within weeks), a strengths-based review
practice under a service-first front door, and a practice ramping in with a small team and groups near
full, heavy caring (large needs, low sustainable hours) in which main carers break down, and the hospital
route and care homes (many acute episodes admitted to hospital, care at home offered only up to a few hours,
frequent reviews, self-funders whose assets run out within weeks).  A case that is there for a rule asserts
that the rule acts in it (:data:`EXERCISES`).
"""

import numpy as np
import polars as pl
import pytest

from model.config import load_params
from model.simulation import ResilienceModel
from reference import ReferenceModel

TOWN = ("population.n_neighbourhoods=3", "warmup_weeks=13", "weeks=26")
# A town of few ties, so that within weeks some isolated people have a need (in TOWN's 13 + 26 weeks from a
# generated town there are next to none, and referral, which reaches only them, would change nothing).
FEW_TIES = ("population.family_ties_mean=0.5", "population.friend_ties_mean=0.5", "population.neighbour_ties_mean=0.5")
CASES = {
    "service_first-0": ("policy=service_first", "seed=0"),
    "service_first-1": ("policy=service_first", "seed=1"),
    "community_first-0": ("policy=community_first", "seed=0"),
    "community_first-1": ("policy=community_first", "seed=1"),
    "calderdale-2": ("policy=calderdale", "seed=2"),
    "builders-pandemic-3": ("policy=community_first", "seed=3", "+programme@policy.programmes.builders=builders",
                            "policy.programmes.builders.coverage=0.7", "policy.programmes.builders.lag_weeks=2",
                            "policy.programmes.builders.grants_yearly=20", "scenario=pandemic",
                            "scenario.start_week=8", "scenario.duration_weeks=20",
                            "+programme@policy.programmes.outreach=outreach",
                            "+programme@policy.programmes.referral=referral", "policy.programmes.referral.weekly=0.1"),
    "service_first-strengths_based-4": ("policy=service_first", "review@policy.review=strengths_based", "seed=4",
                                        "weeks=78"),
    "ramp-small_team-full_groups-5": ("policy=community_first", "seed=5", "weeks=52", "policy.ramp_weeks=8",
                                      "policy.staff_fte_per_10k=2.0", "community.group_room=12"),
    "carers-breakdowns-5": ("policy=community_first", "seed=5", "needs.onset_mean_hours=8", "network.strain_hours=10",
                            "network.breakdown_weekly=0.3"),
    "referral-few_ties-6": ("policy=community_first", "seed=6", "+programme@policy.programmes.referral=referral",
                            "policy.programmes.referral.weekly=0.2", *FEW_TIES),
    # Onsets about eight times England's and many acute episodes, most of them admissions, so discharges come by the
    # hospital route; care at home offered up to 10 hours, so packages beyond it are care homes; reviews every 8
    # weeks with the time to hold them, so
    # packages at home are moved into care homes; assets that last 3 weeks on average, so self-funders are taken over;
    # personal budgets, so some care-home starts become care at home.
    "hospital-care_homes-8": ("policy=service_first", "seed=8", "needs.onset_weekly=0.003", "needs.acute_weekly=0.008",
                              "hospital.admission=0.9",
                              "services.home_care_max_hours=10", "services.self_funder_weeks=3",
                              "population.wealth_share=0.5", "policy.review.review_weeks=8",
                              "policy.review.team_share=0.5", "policy.staff_fte_per_10k=10",
                              "+programme@policy.programmes.personal_budgets=personal_budgets",
                              "policy.programmes.personal_budgets.share=0.5"),
}
# The measures a case is there to exercise: each must be above zero in the case's run (a case that merely runs a
# rule proves nothing).
EXERCISES = {
    "carers-breakdowns-5": ("carer_breakdowns", "carers_20_49h"),
    "hospital-care_homes-8": ("contacts_hospital", "in_hospital", "outcome_reablement", "outcome_low_level_support",
                              "outcome_no_services", "care_home_admissions_65_plus", "self_funders_taken_over",
                              "self_funded_care_home", "care_home_moves", "reviews"),
}


def differences(engine: pl.DataFrame, reference: pl.DataFrame) -> list[str]:
    """Each measure the reference records that differs from the engine's: name and first differing week."""
    assert set(reference.columns) <= set(engine.columns), set(reference.columns) - set(engine.columns)
    assert engine.height == reference.height
    found = []
    for name in reference.columns:
        a, b = engine[name].to_numpy(), reference[name].to_numpy()
        exact = engine[name].dtype.is_integer() and reference[name].dtype.is_integer()
        same = a == b if exact else np.isclose(a, b, rtol=1e-9, atol=1e-12)
        if not same.all():
            k = int(np.flatnonzero(~same)[0])
            found.append(f"{name} (week {engine['week'][k]}: engine {a[k]}, reference {b[k]})")
    return found


def steps_of_both(overrides: tuple[str, ...]):
    params = load_params(TOWN + overrides)
    return ResilienceModel(params).run().steps, ReferenceModel(params).run()


@pytest.mark.parametrize("case", CASES)
def test_reference_gives_the_engines_measures(case):
    engine, reference = steps_of_both(CASES[case])
    outcomes = [name for name in reference.columns if name.startswith("outcome_") and reference[name].sum() > 0]
    assert reference["contacts"].sum() > 0 and len(outcomes) >= 2, "the case exercises the front door"
    idle = [name for name in EXERCISES.get(case, ()) if reference[name].sum() <= 0]
    assert not idle, f"the case does not exercise what it is there for: {idle}"
    assert differences(engine, reference) == []


def test_the_referral_case_exercises_referral():
    """The case ``referral-few_ties-6`` compares referral's rule only if referral changes the run: in the engine, the
    same case without it has fewer contacts (with weekly 0.2, 68 against 20)."""
    case = CASES["referral-few_ties-6"]
    with_referral = ResilienceModel(load_params(TOWN + case)).run().steps
    without = ResilienceModel(load_params(TOWN + tuple(o for o in case if "referral" not in o))).run().steps
    assert with_referral["contacts"].sum() > 1.5 * without["contacts"].sum()


def test_the_hospital_case_exercises_personal_budgets():
    """In ``hospital-care_homes-8`` personal budgets turn some care-home starts into care at home (the rule compared
    only if it acts): in the engine, the same case without them has more weeks of care-home placements (357 against
    343) and fewer of home care (8 against 22)."""
    case = CASES["hospital-care_homes-8"]
    with_budgets = ResilienceModel(load_params(TOWN + case)).run().steps
    without = ResilienceModel(load_params(TOWN + tuple(o for o in case if "personal_budgets" not in o))).run().steps
    in_care_homes = pl.col("caseload_residential") + pl.col("caseload_nursing")
    assert with_budgets.select(in_care_homes.sum()).item() < without.select(in_care_homes.sum()).item()
    assert with_budgets["caseload_home_care"].sum() > without["caseload_home_care"].sum()


def test_a_changed_rule_is_caught(monkeypatch):
    """Negative control: a small change to one rule in the reference (carer strain recovers 10% faster)
    makes the comparison fail."""
    from reference import agents

    feel = agents.Resident.feel

    def feel_faster_recovery(self, week):
        self.strain *= 1.0 - 0.1 * self.model.params.network.strain_recovery
        feel(self, week)

    monkeypatch.setattr(agents.Resident, "feel", feel_faster_recovery)
    engine, reference = steps_of_both(CASES["service_first-0"])
    assert any(name.startswith("carer_strain_mean") for name in differences(engine, reference))
