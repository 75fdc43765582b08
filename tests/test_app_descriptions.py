"""Every policy preset, scenario and review practice the page offers is described in the page, as its config file
describes it, with its sources (issue 23: presets and scenarios were not explained in the page)."""

from __future__ import annotations

import re

import pytest

from app.choices import presets, reviews, scenarios
from app.descriptions import EVIDENCE, describe

OFFERED = [("policy", name) for name in presets()] + [("scenario", name) for name in scenarios()] + [
    ("review", name) for name in reviews()]


@pytest.mark.parametrize("group, name", OFFERED)
def test_every_choice_is_described_with_its_sources(group, name):
    found = describe(group, name)
    assert len(found.text) > 30 and "\n" not in found.text, found.text
    if (group, name) != ("scenario", "baseline"):  # no shock: nothing to cite
        assert found.sources, f"configs/{group}/{name}.yaml cites no source"
    evidence = EVIDENCE.read_text()
    for source in found.sources:
        assert source.quote and f"| `{source.cited}` |" in evidence or re.fullmatch(r"[\w-]+\.txt:L[\d-]+", source.cited)


def test_a_preset_is_described_from_its_opening_comment_with_each_source_quoted():
    found = describe("policy", "shropshire")
    assert found.text.startswith("Shropshire (People2People, community-led support): a skilled conversation")
    first_contact = next(s for s in found.sources if s.cited == "shropshire_first_contact")
    assert first_contact.quote.startswith('"75% of people are able to have their issue resolved')
    assert first_contact.where == "tlap-strengths-based-social-work-2016.txt:L564-566"
