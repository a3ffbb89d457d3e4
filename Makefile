# One entry point for people and CI. Every target sets up what it needs on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := .make

.PHONY: help deps test lint typecheck pytest chaos demo bench clean

help:
	@echo "make demo   - run the app locally against Azurite and the emulators (no Azure needed)"
	@echo "make test   - lint, type-check and run the whole test suite (what CI runs)"
	@echo "make chaos  - run only the reliability (chaos) tests: races, crashes, storms, hostile input"
	@echo "make bench  - run the benchmarks and print their figures"

# The virtualenv is rebuilt when the pinned requirements change.
$(STAMP)/venv: requirements.txt requirements-dev.txt
	@mkdir -p $(STAMP)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# Azurite comes from npm into ./node_modules (never a global install).
$(STAMP)/node: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(STAMP)/venv $(STAMP)/node

lint: $(STAMP)/venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)/venv
	$(VENV)/bin/mypy

pytest: deps
	$(PY) -m pytest

test: lint typecheck pytest

# The chaos suite (tests/chaos and the storm/crash tests marked `chaos`) alone; `make test` runs it too.
chaos: deps
	$(PY) -m pytest -m chaos

demo: deps
	$(PY) -m devhost.demo

bench: deps
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules $(STAMP) out .pytest_cache .mypy_cache .ruff_cache
