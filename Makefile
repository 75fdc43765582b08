# One command sets up and runs each job; every target installs what it needs first.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup report run test app

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt  # constraints.txt: the versions the tests last passed with
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

report: setup  ## the main job: the default policy comparison sweep (resumes if interrupted) and its HTML report
	$(PY) -m experiments.run --multirun +experiment=policy_comparison

run: setup  ## one simulation with the default config
	$(PY) -m experiments.run

APP_PORT ?= 8050
app: setup  ## the policy lab in a browser, on http://127.0.0.1:$(APP_PORT) (sweeps kept in results/app/)
	APP_PORT=$(APP_PORT) $(PY) -m app

test: setup  ## the test suite (what CI runs)
	$(PY) -m pytest -q
