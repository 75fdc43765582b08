"""The generated documentation matches the code: regenerate with ``python -m model.parameter_table``."""

from model.parameter_table import OUTPUT, render


def test_parameter_table_is_current():
    assert OUTPUT.read_text() == render(), "docs/parameters.md is stale: run python -m model.parameter_table"
