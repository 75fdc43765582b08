"""Referral (``model/programmes/referral.py``): primary care brings isolated people with a need to the front door.

Runs compared are paired by seed under common random numbers: the policy with referral and the same policy
without it share every draw, and referral's route uses the draw of people's own contacts (``draws.IN_TOUCH``),
so a difference comes from the route.  The town has few ties (half a family, friend and neighbour tie each on
average), so that within weeks of a generated town a few dozen isolated people have a need: from a generated
town with the market town's ties there are next to none for years (isolation grows from 0.4% to 5% over the
warm-up), and referral, which reaches only them, would have no one to refer.
"""

import numpy as np

from model import codes
from model.config import load_params
from model.simulation import ResilienceModel

FEW_TIES = ("population.family_ties_mean=0.5", "population.friend_ties_mean=0.5", "population.neighbour_ties_mean=0.5")
TOWN = ("population.n_neighbourhoods=4", "warmup_weeks=13", "weeks=39", "policy=community_first", *FEW_TIES)
REFERRAL = ("+programme@policy.programmes.referral=referral",)  # the preset's weekly chance (configs/programme/)


def _isolated_with_need_in_touch(*overrides: str) -> int:
    """Isolated people with a need in touch with the front door, summed over the policy's weeks: each week, those
    whom the week's wellbeing found isolated (``isolated``), whose need this week is above zero, and who are in
    touch this week (``contacted``: their own contact or a route's)."""
    model = ResilienceModel(load_params(TOWN + overrides))
    r = model.state.residents
    total = 0
    for _ in range(model.params.warmup_weeks + model.params.weeks):
        model.step()
        if model.policy_week > 0:  # the step just run was a policy week
            total += int((r.isolated & (r.need > 0) & r.contacted).sum())
    return total


def test_referral_brings_more_isolated_people_with_a_need_to_the_front_door():
    """Over three seeds, community-first with referral (weekly 0.05, the preset's) brings at least half as many
    again isolated people with a need into touch with the front door as community-first without it (measured
    from the engine's state each policy week).  With referral switched off (``weekly=0``) the two runs are the
    same and the test fails."""
    without = with_referral = 0
    for seed in (0, 1, 2):
        without += _isolated_with_need_in_touch(f"seed={seed}")
        with_referral += _isolated_with_need_in_touch(f"seed={seed}", *REFERRAL)
    assert without > 0, "isolated people with a need also come of their own accord"
    assert with_referral > 1.5 * without


def test_referral_only_adds_contacts_and_only_of_isolated_people_with_a_need():
    """Invariant of a route, in the first policy week (the warm-up's status quo runs no referral, so both runs
    come to it in the same state): everyone in touch without referral is in touch with it (a route only adds),
    and everyone in touch only with it is isolated and has a need, had no service and was not waiting; and with
    a weekly chance of 0.5 someone is referred."""
    models = {}
    before = {}
    for name, extra in (("without", ()), ("with", (*REFERRAL, "policy.programmes.referral.weekly=0.5"))):
        model = ResilienceModel(load_params(TOWN + ("seed=0",) + extra))
        model.warm_up()
        r = model.state.residents
        before[name] = (r.service.copy(), r.queued_since.copy())
        model.step()
        assert model.policy_week == 1
        models[name] = model.state.residents
    assert all(np.array_equal(a, b) for a, b in zip(before["without"], before["with"]))
    without, with_referral = models["without"], models["with"]
    assert np.array_equal(without.isolated, with_referral.isolated) and np.array_equal(without.need, with_referral.need)
    assert not (without.contacted & ~with_referral.contacted).any()
    referred = with_referral.contacted & ~without.contacted
    assert referred.sum() > 0
    service, queued_since = before["with"]
    assert with_referral.isolated[referred].all() and (with_referral.need[referred] > 0).all()
    assert (service[referred] == codes.NO_SERVICE).all() and (queued_since[referred] == codes.NEVER).all()
