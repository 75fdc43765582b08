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
    """Negative control: ties fading 10% faster (network.decay 0.04 -> 0.044) moves isolation and the active
    ties beyond chance."""
    rows = compare(_before(), measures_over_seeds(("network.decay=0.044",)))
    assert {"isolation_rate", "ties_active"} <= {r["measure"] for r in rows if r["differs"]}
