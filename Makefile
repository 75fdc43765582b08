# One command sets up and runs each job; every target installs what it needs first.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup report run test

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

report: setup  ## the main job: the default policy comparison sweep (resumes if interrupted) and its HTML report
	$(PY) -m experiments.run --multirun +experiment=policy_comparison

run: setup  ## one simulation with the default config
	$(PY) -m experiments.run

test: setup  ## the test suite (what CI runs)
	$(PY) -m pytest -q
