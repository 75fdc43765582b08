"""Direction of each of issue 21's mechanisms (the status quo as England counts it), each shown switched on and off.

Every test compares runs paired by seed under common random numbers, and asserts both the direction with the
mechanism on and that it vanishes (or reverses) with the mechanism switched off by a parameter, so it fails if
the mechanism stops working (``docs/architecture.md``: a direction test fails with its mechanism off).

The parameter values the configs hold today are about to be refitted, so every value a test's direction rests on
is set here (``ENGLAND``), at today's value where that gives a clear effect in a small town, else at one that
does (each test says which).  The town: 12 neighbourhoods (about 3,700 adults) whose deprivation is spread from
none to full (a beta of mean 0.5 and concentration 0.5), a year's warm-up under the status quo and a year of
policy, with the new practice in force from the first week (``policy.ramp_weeks=0``).  Runs are shared between
tests (``conftest.run_model``).

The margins rest on seeds 0-4 (numbers in each docstring, seed 0 first) and hold on seeds 3-11 too (each test run
with ``SEEDS`` set to 3-5, 6-8 and 9-11); the tests run seeds 0-2 (``SEEDS``), or seed 0 only where the
switched-off runs are identical to each other (checked on seeds 0-11).
"""

import numpy as np
import polars as pl

from model.summary import summarise

from .conftest import run_model

SEEDS = (0, 1, 2)

TOWN = ("population.n_neighbourhoods=12", "population.deprivation_mean=0.5", "population.deprivation_concentration=0.5",
        "warmup_weeks=52", "weeks=52", "policy.ramp_weeks=0")

ENGLAND = (
    # the calibrated parameters these margins were measured with (the posterior median before issue 21's refit):
    # onsets about six times England's (needs.onset_weekly 0.00039 in configs/posterior/median.yaml), so that a
    # year of a small town has events to count
    "needs.onset_weekly=0.003", "support.contact_weekly=0.36", "support.asking_return=0.02",
    "posterior.plan_support_hours=3.4", "services.crowd_out=0.27",
    # need (model/phases/life.py, lib/baselines.py): onsets rise with age and deprivation, some are heavy conditions;
    # no lifelong conditions, so that need of 50 hours or more comes from heavy conditions alone
    "needs.onset_age_factor=1.9", "needs.onset_deprivation=1", "needs.heavy_share=0.15", "needs.heavy_mean_hours=30",
    "needs.onset_mean_hours=3", "needs.max_need_hours=100", "needs.lifelong_share=0",
    # carers (phases/support.py, wellbeing.py; lib/carers.py); breakdown five times today's weekly chance, so a
    # year of a small town has breakdowns to count
    "network.carer_hours=90", "network.carer_hours_family=22", "network.strain_hours=100",
    "network.breakdown_weekly=0.05", "network.carer_agreement=0.5",
    # care homes (lib/packages.py, phases/care_homes.py): care at home up to 20 hours a week (today 30), so a small
    # town has admissions to count; self-funders' assets last 50 years on average (none run out in a year or two)
    "services.home_care_max_hours=20", "services.nursing_hours=50", "population.wealth_share=0.6",
    "population.wealth_deprivation_effect=0.8", "services.self_funder_weeks=2600", "costs.residential_week=916",
    "costs.nursing_week=1026",
    # the hospital route (phases/hospital.py, contacts.py)
    "hospital.admission=0.5", "hospital.discharge_hours=5",
    # the front door's ladder (phases/frontdoor.py: _outcome) and reablement (phases/services.py, reviews.py); the
    # status quo's eligibility is the warm-up policy's
    "policy.eligibility_hours=5", "warmup_policy.eligibility_hours=5", "services.low_level_min_hours=3.5",
    "services.signpost_min_hours=4", "services.reablement_gain=0.04", "services.reablement_recovery=0.3",
    "policy.reablement_first=true", "warmup_policy.reablement_first=true",
    # repeat requests and reviews (phases/contacts.py, reviews.py)
    "support.patience_weeks=8", "policy.review.team_share=0.06", "warmup_policy.review.team_share=0.06",
    # what a conversation can find (phases/frontdoor.py: triage): the community-first presets' mobilisation
    "support.community_max_hours=3.5", "posterior.mobilisation=0.6",
)

SERVICE_FIRST = ("policy=service_first",)
REVIEWS_TEAM_SHARE_20 = ("policy.review.team_share=0.2", "warmup_policy.review.team_share=0.2")
STRENGTHS_BASED = ("policy=service_first", "review@policy.review=strengths_based", *REVIEWS_TEAM_SHARE_20)


def _run(*overrides: str, seed: int):
    return run_model(TOWN + ENGLAND + overrides + (f"seed={seed}",))


def _steps(*overrides: str, seed: int) -> pl.DataFrame:
    return _run(*overrides, seed=seed)[1].steps


def _total(column: str, *overrides: str, seed: int) -> float:
    return float(_steps(*overrides, seed=seed)[column].sum())


def _share(column: str, *overrides: str, seed: int) -> float:
    """``column`` as a share of the requests served."""
    return _total(column, *overrides, seed=seed) / _total("contacts_served", *overrides, seed=seed)


def _summary(measure: str, *overrides: str, seed: int) -> float:
    return float(summarise(_steps(*overrides, seed=seed))[measure][0])


# 1-3. Need as the surveys count it -----------------------------------------------------------------------------

def _need_80_over_65_69(*overrides: str, seed: int) -> float:
    """Share of adults 80+ with need of an hour a week or more over that of adults 65-69 (the policy year)."""
    s = _steps(*SERVICE_FIRST, *overrides, seed=seed)
    oldest = s["need_80_plus"].sum() / s["residents_80_plus"].sum()
    return oldest / (s["need_65_69"].sum() / s["residents_65_69"].sum())


def test_need_rises_steeply_with_age_and_the_gradient_goes_without_the_age_factor():
    """Need of an hour a week or more is about twice as common at 80+ as at 65-69 with the onset hazard doubling
    with each decade of age (``needs.onset_age_factor=1.9``): 80+ 0.57 vs 65-69 0.30 (ratio 1.93), 0.54/0.24
    (2.25), 0.63/0.27 (2.37), 0.53/0.20 (2.70), 0.52/0.25 (2.04) on seeds 0-4.  With the factor at 1 (the same
    hazard at every age, and the same prevalence at every age in the town as built) the gradient goes, and turns
    slightly (older people with need die sooner): 0.56/0.61 (0.92), 0.49/0.50 (0.97), 0.56/0.60 (0.92),
    0.52/0.49 (1.04), 0.50/0.55 (0.90).  Margins: above 1.6 on, below 1.2 off."""
    for seed in SEEDS:
        assert _need_80_over_65_69(seed=seed) > 1.6
        assert _need_80_over_65_69("needs.onset_age_factor=1", seed=seed) < 1.2


def _heavy_hours_share(*overrides: str, seed: int) -> float:
    """Share of all need hours held by people with need of 50 hours a week or more, at the run's end."""
    need = _run(*SERVICE_FIRST, *overrides, seed=seed)[0].state.residents.need
    return float(need[need >= 50].sum() / need.sum())


def test_heavy_conditions_concentrate_need_in_fewer_people():
    """With a sixth of onsets heavy conditions (``needs.heavy_share=0.15``, 15 to 45 hours each at
    ``heavy_mean_hours=30``), people with need of 50 hours a week or more hold 0.19, 0.11, 0.15, 0.19, 0.16 of
    all need hours (27, 14, 19, 23, 21 people) on seeds 0-4; with none (``heavy_share=0``) no one has (0.0 on
    every seed: light onsets, of 3 hours on average, do not add up to 50 within the run).  Margins: above 0.07 on,
    below 0.02 off."""
    for seed in SEEDS:
        assert _heavy_hours_share(seed=seed) > 0.07
        assert _heavy_hours_share("needs.heavy_share=0", seed=seed) < 0.02


def _need_65_by_deprivation(*overrides: str, seed: int) -> tuple[int, int, int, int]:
    """People 65+ with need of an hour a week or more, and people 65+, in the more deprived half of the
    neighbourhoods and in the less deprived half, at the run's end."""
    model = _run(*SERVICE_FIRST, *overrides, seed=seed)[0]
    r, deprivation = model.state.residents, model.state.hoods.deprivation
    old, has_need = r.age >= 65, r.need >= 1
    deprived = deprivation[r.hood] > np.median(deprivation)
    more, less = old & deprived, old & ~deprived
    return int(has_need[more].sum()), int(more.sum()), int(has_need[less].sum()), int(less.sum())


def _prevalence_ratio(counts) -> float:
    with_need_more, more, with_need_less, less = counts
    return (with_need_more / more) / (with_need_less / less)


def test_deprivation_raises_need_among_older_people_and_not_without_its_effect():
    """With onsets twice as likely at full deprivation as at none (``needs.onset_deprivation=1``), need among
    people 65+ in the more deprived half of the neighbourhoods is 1.35, 1.09, 1.41, 1.28, 1.43 times that in the
    less deprived half on seeds 0-4 (mean deprivation of the halves 0.44 to 0.78 apart); with the effect off
    (``onset_deprivation=0``) 1.12, 0.91, 1.15, 0.99, 0.94: the same town and draws, 0.19 to 0.49 lower on each
    seed.  A half of a 12-neighbourhood town has about 450 people 65+, so a seed's ratio moves by about 0.15
    with the town drawn; pooled over seeds 0-2, 1.28 on and 1.05 off.  Margins: each seed 0.1 lower off than on;
    pooled above 1.15 on and within 0.9-1.15 off."""
    on = off = np.zeros(4, dtype=np.int64)
    for seed in SEEDS:
        seed_on = np.array(_need_65_by_deprivation(seed=seed))
        seed_off = np.array(_need_65_by_deprivation("needs.onset_deprivation=0", seed=seed))
        assert _prevalence_ratio(seed_on) > _prevalence_ratio(seed_off) + 0.1
        on, off = on + seed_on, off + seed_off
    assert _prevalence_ratio(on) > 1.15
    assert 0.9 < _prevalence_ratio(off) < 1.15


# 4. Carers --------------------------------------------------------------------------------------------------------

def test_a_main_carer_can_give_50_hours_a_week_and_more_only_if_their_hours_allow():
    """With a co-resident main carer able to give up to 90 hours a week (``network.carer_hours``), some give 50
    hours or more (carer-weeks of 50+ hours in the policy year: 188, 157, 252, 169, 124 on seeds 0-4); with at
    most 45 hours (and 22 from another household, ``carer_hours_family``) no one does (0 on every seed)."""
    for seed in SEEDS:
        assert _total("carers_50h_plus", *SERVICE_FIRST, seed=seed) > 50
        assert _total("carers_50h_plus", *SERVICE_FIRST, "network.carer_hours=45", seed=seed) == 0


COMMUNITY_FIRST = ("policy=community_first", "policy.mobilisation=1", "support.community_max_hours=0")


def test_a_conversation_counts_only_the_care_a_carer_agrees_to_give():
    """Under community-first, a conversation counts a main carer's spare time only if they agree to give more
    (``network.carer_agreement``).  With every carer agreeing (1) more requests are resolved at the first
    conversation than with none agreeing (0): 0.56 vs 0.50, 0.51/0.47, 0.62/0.52, 0.64/0.58, 0.62/0.54 of the
    requests served on seeds 0-4 (0.04 to 0.10 apart).  The conversation here asks the network for all it can
    give (``policy.mobilisation=1``) and counts on no voluntary services (``support.community_max_hours=0``), so
    what it finds is the network's; at the calibrated mobilisation (0.59) and 3.5 hours of voluntary services
    the gap is 0.016 to 0.071, too thin for a test.  Switched off: under service-first with standard reviews,
    where no practitioner counts a carer's time, the runs with carers agreeing half the time and never are
    identical.  Margin: 0.025 per seed."""
    for seed in SEEDS:
        agreeing = _share("outcome_resolved_first_contact", *COMMUNITY_FIRST, "network.carer_agreement=1", seed=seed)
        declining = _share("outcome_resolved_first_contact", *COMMUNITY_FIRST, "network.carer_agreement=0", seed=seed)
        assert agreeing > declining + 0.025
    assert _steps(*SERVICE_FIRST, "network.carer_agreement=0", seed=0).equals(_steps(*SERVICE_FIRST, seed=0))


def test_heavy_sustained_care_strains_carers_and_some_break_down():
    """Carers break down with a weekly chance of ``network.breakdown_weekly`` times their strain squared, strain
    settling at their hours over ``network.strain_hours``.  At 0.05 and 100 hours there are 8, 8, 16, 20, 14
    breakdowns in the policy year on seeds 0-4; the same care is more straining at 50 hours (strain twice as
    high for the same hours): 36, 39, 57, 54, 40 (2.7 to 4.9 times as many); with ``breakdown_weekly=0`` none.
    Margins: more than twice as many at 50 hours, none at 0."""
    for seed in SEEDS:
        breakdowns = _total("carer_breakdowns", *SERVICE_FIRST, seed=seed)
        assert breakdowns > 0
        assert _total("carer_breakdowns", *SERVICE_FIRST, "network.strain_hours=50", seed=seed) > 2 * breakdowns
        assert _total("carer_breakdowns", *SERVICE_FIRST, "network.breakdown_weekly=0", seed=seed) == 0


# 5. Care homes ----------------------------------------------------------------------------------------------------

NO_CARE_HOMES = ("services.home_care_max_hours=168",)  # no need is beyond care at home (max_need_hours=100)


def _admissions(*overrides: str, seed: int) -> float:
    return (_total("care_home_admissions_65_plus", *overrides, seed=seed)
            + _total("care_home_admissions_18_64", *overrides, seed=seed))


def test_care_home_admissions_and_moves_only_where_care_at_home_is_not_enough():
    """Where the care at home a person would need is beyond what a council offers (``home_care_max_hours=20``),
    the council places them in a care home: council-funded admissions in the policy year 12, 10, 11, 7, 13, and
    moves into a care home at review 9, 9, 9, 3, 10 on seeds 0-4.  With care at home up to 168 hours a week (no
    need is beyond it) there are neither, nor any self-funders (0 on every seed)."""
    for seed in SEEDS:
        assert _admissions(*SERVICE_FIRST, seed=seed) > 3
        assert _total("care_home_moves", *SERVICE_FIRST, seed=seed) > 0
        assert _admissions(*SERVICE_FIRST, *NO_CARE_HOMES, seed=seed) == 0
        assert _total("care_home_moves", *SERVICE_FIRST, *NO_CARE_HOMES, seed=seed) == 0
        assert _total("self_funded_care_home", *SERVICE_FIRST, *NO_CARE_HOMES, seed=seed) == 0


def test_self_funders_pay_for_their_care_home_and_the_council_admits_the_rest():
    """Someone with assets above the upper capital limit pays for their care home (``population.wealth_share``:
    0.6 at no deprivation, a fifth of that at full).  With no one wealthy nobody self-funds (0 self-funder-weeks on
    every seed, against 188, 37, 99, 149, 204 at 0.6 on seeds 0-4), and the council admits those who would have
    paid: 17, 14, 18, 16, 21 council-funded admissions against 12, 10, 11, 7, 13 (the self-funders' assets here
    last 50 years on average, so none is taken over in the run)."""
    for seed in SEEDS:
        assert _total("self_funded_care_home", *SERVICE_FIRST, seed=seed) > 0
        assert _total("self_funded_care_home", *SERVICE_FIRST, "population.wealth_share=0", seed=seed) == 0
        assert _admissions(*SERVICE_FIRST, "population.wealth_share=0", seed=seed) >= _admissions(*SERVICE_FIRST,
                                                                                                  seed=seed)


WEALTHY = ("population.wealth_share=0.9", "population.wealth_deprivation_effect=0")  # 90% everywhere


def test_the_council_takes_over_self_funders_whose_assets_run_out():
    """Self-funders' assets run out after an exponential time of mean ``services.self_funder_weeks``, and the
    council takes the placement over.  In a town where 90% of adults would pay for a care home themselves, at 13
    weeks 5, 3, 7, 7, 11 self-funders are taken over in the policy year on seeds 0-4; at 2600 weeks (the longest
    allowed) 1, 0, 0, 0, 1: a self-funder's chance of running out within the year is then 2%, so of the few dozen
    an occasional one is taken over, and the issue's "none with a very long one" cannot be asserted (15 against 1
    pooled over seeds 0-2; 2 to 13 against 0 or 1 on each of seeds 5-11).  Margins: pooled over seeds 0-2, at least
    8 at 13 weeks and at most a fifth as many at 2600."""
    short = sum(_total("self_funders_taken_over", *SERVICE_FIRST, *WEALTHY, "services.self_funder_weeks=13",
                       seed=seed) for seed in SEEDS)
    long = sum(_total("self_funders_taken_over", *SERVICE_FIRST, *WEALTHY, seed=seed) for seed in SEEDS)
    assert short >= 8
    assert long <= short / 5


def test_care_homes_cost_what_they_cost_under_every_policy():
    """The council pays for the care-home places it funds, at their weekly cost (residential 916, nursing 1,026):
    each week's ``cost_residential`` and ``cost_nursing`` are the council-funded caseloads times those, and are
    above zero over the policy year under service-first and community-first on every seed; with no care homes
    (care at home up to 168 hours) both are zero."""
    for seed in SEEDS:
        for policy in (SERVICE_FIRST, COMMUNITY_FIRST + ("network.carer_agreement=0",)):  # runs of other tests
            s = _steps(*policy, seed=seed)
            assert s["cost_residential"].sum() > 0 and s["cost_nursing"].sum() > 0
            assert (s["cost_residential"] == 916.0 * s["caseload_residential"]).all()
            assert (s["cost_nursing"] == 1026.0 * s["caseload_nursing"]).all()
        s = _steps(*SERVICE_FIRST, *NO_CARE_HOMES, seed=seed)
        assert s["cost_residential"].sum() == 0 and s["cost_nursing"].sum() == 0


# 6. The hospital route --------------------------------------------------------------------------------------------

def test_discharges_from_hospital_bring_requests_by_the_hospital_route():
    """Half of acute episodes are a hospital admission (``hospital.admission=0.5``), and a discharge needing support
    is a request by the hospital route: 43, 39, 24, 27, 41 in the policy year on seeds 0-4; none with no
    admissions."""
    for seed in SEEDS:
        assert _total("contacts_hospital", *SERVICE_FIRST, seed=seed) > 10
        assert _total("contacts_hospital", *SERVICE_FIRST, "hospital.admission=0", seed=seed) == 0


CALDERDALE = ("policy=calderdale", "hospital.admission=1")


def test_a_practice_that_reaches_the_hospital_route_changes_what_discharges_get():
    """Under Calderdale's practice, discharges reached by its conversations (``policy.hospital_practice=true``) are
    often resolved with the network's and community's help, where the status quo's discharge team sends them to
    reablement: reablement starts in the policy year 9, 6, 2, 4, 6 against 27, 24, 28, 15, 31 on seeds 0-4 (every
    acute episode an admission, ``hospital.admission=1``, so there are discharges to count).  Switched off: with
    no admissions there is no hospital route, and the runs with and without the practice are identical.  Margin:
    fewer than half as many."""
    for seed in SEEDS:
        reached = _total("outcome_reablement", *CALDERDALE, "policy.hospital_practice=true", seed=seed)
        not_reached = _total("outcome_reablement", *CALDERDALE, "policy.hospital_practice=false", seed=seed)
        assert reached < 0.5 * not_reached
    no_hospital = ("policy=calderdale", "hospital.admission=0")
    assert _steps(*no_hospital, "policy.hospital_practice=true", seed=0).equals(
        _steps(*no_hospital, "policy.hospital_practice=false", seed=0))


# 7. Short-term and low-level support, no services and signposting ------------------------------------------------

def test_low_level_support_only_below_eligibility():
    """Unmet need from ``services.low_level_min_hours`` (3.5) up to eligibility (5 hours, ``policy.eligibility_hours``
    and the status quo's) gets equipment or telecare: 39, 33, 32, 44, 47 requests in the policy year on seeds 0-4;
    with the threshold at eligibility there is no such band and none (0 on every seed)."""
    for seed in SEEDS:
        assert _total("outcome_low_level_support", *SERVICE_FIRST, seed=seed) > 10
        assert _total("outcome_low_level_support", *SERVICE_FIRST, "services.low_level_min_hours=5", seed=seed) == 0


def test_no_services_is_distinct_from_signposting():
    """A service-first assessment offers nothing to unmet need below ``services.signpost_min_hours`` and signposts
    the rest below eligibility.  At 4 hours 0.58, 0.51, 0.58, 0.60, 0.56 of requests served end in no services on
    seeds 0-4; at 0 (everyone below eligibility signposted) 0.11, 0.12, 0.10, 0.12, 0.11 (need met by the time
    they are seen, and self-funders).  Margin: 0.3."""
    for seed in SEEDS:
        ladder = _share("outcome_no_services", *SERVICE_FIRST, seed=seed)
        signposting = _share("outcome_no_services", *SERVICE_FIRST, "services.signpost_min_hours=0", seed=seed)
        assert signposting < ladder - 0.3


def _reablement_to_long_term(*overrides: str) -> tuple[float, float]:
    return (sum(_total("reablement_to_long_term", *SERVICE_FIRST, *overrides, seed=seed) for seed in SEEDS),
            sum(_total("reablement_ended", *SERVICE_FIRST, *overrides, seed=seed) for seed in SEEDS))


def test_less_reablement_ends_in_long_term_support_the_more_it_restores():
    """Reablement sheds chronic need each week (``services.reablement_gain``).  Pooled over seeds 0-2 (a year of a
    small town has some 13 episodes a seed), episodes ending in long-term support: 20 of 40 with no gain, 18 of 40 at
    0.04, 11 of 41 at 0.3, 1 of 40 at 0.6.  Margin: under half, from no gain to 0.6."""
    to_long_term, ended = _reablement_to_long_term("services.reablement_gain=0")
    restoring_to_long_term, restoring_ended = _reablement_to_long_term("services.reablement_gain=0.6")
    assert ended > 20 and restoring_ended > 20
    assert restoring_to_long_term / restoring_ended < 0.5 * to_long_term / ended


# 8. Repeat requests -----------------------------------------------------------------------------------------------

def test_people_who_wait_longer_before_asking_again_make_fewer_repeat_requests():
    """After a request is served people give the offer ``support.patience_weeks`` before asking again.  Requests per
    requesting person in the policy year: 1.98, 1.75, 1.88, 2.13, 1.99 at 8 weeks on seeds 0-4, 1.12, 1.13, 1.16,
    1.10, 1.15 at 52 (at 4 weeks 2.09, 1.98, 2.09, 2.41, 2.30).  Margin: 0.4."""
    for seed in SEEDS:
        patient = _summary("requests_per_requester", *SERVICE_FIRST, "support.patience_weeks=52", seed=seed)
        assert patient < _summary("requests_per_requester", *SERVICE_FIRST, seed=seed) - 0.4


# 9. Reviews -------------------------------------------------------------------------------------------------------

def test_the_share_reviewed_in_a_year_is_limited_by_the_teams_hours():
    """Reviews take at most ``review.team_share`` of the team's hours.  Long-stay clients reviewed within the year
    on seeds 0-4: 0.13, 0.24, 0.20, 0.25, 0.19 with 2% of the hours; 0.45, 0.48, 0.42, 0.46, 0.49 with 6%; every one
    (1.00) with 20%.  On seed 5 6% reviews 0.70 and 2% 0.38, so the steps are asserted one at a time.  Margins: 0.1
    from 2% to 6% (0.17 at least on seeds 0-11), 0.2 from 6% to 20% (0.30 at least)."""
    two_percent = ("policy.review.team_share=0.02", "warmup_policy.review.team_share=0.02")
    for seed in SEEDS:
        few = _summary("long_term_reviewed_share", *SERVICE_FIRST, *two_percent, seed=seed)
        some = _summary("long_term_reviewed_share", *SERVICE_FIRST, seed=seed)
        many = _summary("long_term_reviewed_share", *SERVICE_FIRST, *REVIEWS_TEAM_SHARE_20, seed=seed)
        assert few < some - 0.1
        assert some < many - 0.2


def test_a_strengths_based_review_steps_down_only_with_the_carers_agreement():
    """A strengths-based review reduces or ends a package where the network and community can carry the need,
    counting a main carer's time only with their agreement.  Under service-first with strengths-based reviews
    (20% of the team's hours for reviews, so a small town has enough of them), packages ended at review: 41, 39,
    34, 36, 28 with every carer agreeing against 25, 19, 16, 22, 9 with none on seeds 0-4 (14 to 20 fewer).
    Switched off: with standard reviews (no step-down) whether carers agree changes nothing (identical runs).
    Margin: 8 fewer."""
    for seed in SEEDS:
        agreeing = _total("step_downs", *STRENGTHS_BASED, "network.carer_agreement=1", seed=seed)
        declining = _total("step_downs", *STRENGTHS_BASED, "network.carer_agreement=0", seed=seed)
        assert declining < agreeing - 8
    standard = (*SERVICE_FIRST, *REVIEWS_TEAM_SHARE_20)
    assert _steps(*standard, "network.carer_agreement=0", seed=0).equals(_steps(*standard, seed=0))


def _increases_per_review(*overrides: str, seed: int) -> float:
    return _total("package_increases", *overrides, seed=seed) / _total("reviews", *overrides, seed=seed)


def test_strengths_based_reviews_increase_fewer_packages():
    """A strengths-based review meets an increase in need from the network and community first.  Increases per
    review, on the same town and seed with the same review hours (20%): standard 0.55, 0.61, 0.58, 0.56, 0.48 on
    seeds 0-4; strengths-based with every carer agreeing 0.08, 0.17, 0.13, 0.10, 0.06, with none 0.18, 0.16, 0.16,
    0.10, 0.09 (0.32 of the standard's at most).  Switched off: where the network and community can carry nothing
    (no carer agrees, no light help, no voluntary services) the two practices' runs are identical.  Margin: under
    half."""
    for seed in SEEDS:
        standard = _increases_per_review(*SERVICE_FIRST, *REVIEWS_TEAM_SHARE_20, seed=seed)
        for agreement in ("network.carer_agreement=1", "network.carer_agreement=0"):
            assert _increases_per_review(*STRENGTHS_BASED, agreement, seed=seed) < 0.5 * standard
    nothing_carried = ("network.carer_agreement=0", "network.helper_hours=0", "support.community_max_hours=0")
    assert _steps(*SERVICE_FIRST, *REVIEWS_TEAM_SHARE_20, *nothing_carried, seed=0).equals(
        _steps(*STRENGTHS_BASED, *nothing_carried, seed=0))
