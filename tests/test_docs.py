"""The documentation matches the code: the generated parameter table (``python -m model.parameter_table``), and the
README's links, the browser the PDF needs and the own-area recipe."""

import re

from model.parameter_table import OUTPUT, render


def test_parameter_table_is_current():
    assert OUTPUT.read_text() == render(), "docs/parameters.md is stale: run python -m model.parameter_table"


README = OUTPUT.parents[1] / "README.md"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_readme_links_only_inside_the_repository():
    text = README.read_text()
    assert "../" not in text  # nothing outside a fresh clone (it once named ../shared/DESIGN.md)
    anchors = {_slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith(("http://", "https://")):
            continue
        if target.startswith("#"):
            assert target[1:] in anchors, target
        else:
            assert (README.parent / target).exists(), target


def test_the_readme_says_how_to_install_the_browser_the_pdf_needs():
    from analysis.brief import BROWSER_INSTALL

    text = README.read_text()
    for command in ("sudo apt-get install chromium", "python -m playwright install chromium"):
        assert command in BROWSER_INSTALL and command in text, command


def test_the_readme_tells_a_practice_from_a_place_and_its_own_area_recipe_runs():
    """Every experiments.run command of the end-to-end recipe composes (the first value of each swept list)."""
    from hydra import compose, initialize_config_dir

    from model.config import CONFIG_DIR

    text = README.read_text()
    assert "`policy=calderdale` is a *practice*" in text and "`population=area area.code=Calderdale` is a *place*" in text
    recipe = text.split("### Your own area, end to end")[1].split("\n## ")[0]
    commands = [" ".join(block.replace("\\\n", " ").split()) for block in re.findall(r"```bash\n(.*?)```", recipe, re.S)]
    runs = [c for c in commands if c.startswith(".venv/bin/python -m experiments.run")]
    assert len(runs) == 2 and any("analysis.brief" in c and "--pdf" in c for c in commands)
    for command in runs:
        overrides = [re.sub(r"^([^=]+=)([^,\[]+),.*$", r"\1\2", arg) for arg in command.split()[3:] if arg != "--multirun"]
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
            config = compose(config_name="config", overrides=overrides, return_hydra_config=True)
        assert config.population.name == "area-E08000033" and config.warmup_weeks == 416, command
