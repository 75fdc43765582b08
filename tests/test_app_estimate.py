"""The time a running app sweep has left (issue 23: Kent sat at "0 of 4 runs done" with no word of how long): a first
estimate from the town's adults and weeks, then the finished runs' measured times."""

from __future__ import annotations

import pytest

from app.estimate import (ADULT_WEEKS_A_SECOND, SECONDS_A_RUN, SECONDS_AN_ADULT, STARTING_SECONDS, first_estimate,
                          simulates_warmup, time_left)
from app.plan import plan_sweep
from app.sweeps import RUNNING, Progress, Timing

from .test_app_plan import _form

ADULTS = 19_845  # the market town's expected adults (model.components.town_adults)


def _progress(plan, timings=(), ended=(), since=None) -> Progress:
    return Progress(plan, RUNNING, len(timings), (), None, False, False, tuple(timings), frozenset(ended), since)


def test_a_first_estimate_from_the_towns_adults_and_weeks():
    """Before any run ends: each replicate's first run simulates the warm-up, the others restore it."""
    plan = plan_sweep(_form(seeds=2, weeks=260, warmup_weeks=416))
    assert plan.adults == ADULTS
    assert simulates_warmup(plan) == [True, False, True, False]  # seed 0's two policies, then seed 1's
    fixed = SECONDS_A_RUN + ADULTS * SECONDS_AN_ADULT
    assert first_estimate(plan, True) == pytest.approx(fixed + ADULTS * 676 / ADULT_WEEKS_A_SECOND)
    assert first_estimate(plan, False) == pytest.approx(fixed + ADULTS * 260 / ADULT_WEEKS_A_SECOND)
    left = time_left(_progress(plan, since=100.0), now=100.0)
    assert left.seconds == pytest.approx(2 * first_estimate(plan, True) + 2 * first_estimate(plan, False)
                                         + STARTING_SECONDS)
    assert left.text == ("Under a minute left (a first estimate, before any run has finished: 19,845 adults, "
                         "2 warm-ups of 416 weeks and 4 runs of 260 weeks under a policy, at about 4 million "
                         "adult-weeks a second).")


def test_a_lever_of_the_town_has_a_warm_up_at_each_value_and_one_of_the_policy_does_not():
    capacity = plan_sweep(_form(seeds=1, vary="community_capacity", vary_from=0.5, vary_to=1, vary_values=2))
    assert simulates_warmup(capacity) == [True, True, False, False]  # policy 1 at each capacity, then policy 2
    staff = plan_sweep(_form(seeds=1, vary="staff_fte_per_10k", vary_from=2, vary_to=3, vary_values=2))
    assert simulates_warmup(staff) == [True, False, False, False]


def test_the_estimate_follows_the_runs_measured_times():
    """Runs twice as slow as first estimated make the rest twice as long; the run under way counts what it still
    needs, and one that has taken longer than estimated says so."""
    plan = plan_sweep(_form(seeds=3, weeks=260, warmup_weeks=416))
    warm, restored = first_estimate(plan, True), first_estimate(plan, False)
    done = [Timing(2 * warm, True), Timing(2 * restored, False)]
    left = time_left(_progress(plan, done, {0, 1}, since=1000.0), now=1000.0 + warm)  # seed 1's first run, half done
    assert left.seconds == pytest.approx(2 * warm - warm + 2 * restored + 2 * (warm + restored))
    assert left.basis == f"from the 2 runs done: {warm + restored:.0f} s a run on average"
    assert not left.overdue
    late = time_left(_progress(plan, done, {0, 1}, since=1000.0), now=1000.0 + 3 * warm)
    assert late.overdue and late.text.endswith("; the run under way has taken longer than that already).")
    assert time_left(_progress(plan, [], set(range(6)))) is None  # nothing left


def test_a_plan_stored_without_its_adults_is_estimated_from_its_runs_alone():
    plan = plan_sweep(_form(seeds=2))
    plan = type(plan)(**{**plan.__dict__, "adults": None})
    assert time_left(_progress(plan)) is None
    left = time_left(_progress(plan, [Timing(10.0, True)], {0}, since=50.0), now=50.0)
    assert left.seconds == pytest.approx(30.0)
    assert left.text == "Under a minute left (from the 1 run done: 10 s a run on average)."
