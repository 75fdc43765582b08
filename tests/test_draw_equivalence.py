"""The rules survive a change of random draws: each measure's distribution over seeds is what it was before.

See ``tests/draw_equivalence.py``: per-seed means of the per-step measures of both policies, paired by seed
(one town per seed), against those recorded before the draws last changed (``draws_before.json``).
"""

import json

from .draw_equivalence import FILE, compare, measures_over_seeds


def _before():
    return json.loads(FILE.read_text())["measures"]


def test_the_measures_keep_their_distributions():
    rows = compare(_before(), measures_over_seeds())
    moved = [f"{r['policy']} {r['measure']}: {r['before']:.4g} -> {r['after']:.4g} (p={r['p']:.2g})"
             for r in rows if r["differs"]]
    assert not moved, "; ".join(moved)


def test_a_changed_rule_is_caught():
    """Negative control: acute episodes about half as frequent again (needs.acute_weekly 0.0011 -> 0.0018) move the
    long-term caseload beyond chance under both policies."""
    rows = compare(_before(), measures_over_seeds(("needs.acute_weekly=0.0018",)))
    assert {(policy, "caseload_long_term") for policy in ("service_first", "community_first")} <= \
        {(r["policy"], r["measure"]) for r in rows if r["differs"]}
