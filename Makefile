# One entry point for people and CI. Every target sets up what it needs on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := .make

.PHONY: help deps test lint typecheck pytest chaos mutation demo bench clean

help:
	@echo "make demo   - run the app locally against Azurite and the emulators (no Azure needed)"
	@echo "make test   - lint, type-check and run the whole test suite (what CI runs)"
	@echo "make chaos  - run only the reliability (chaos) tests: races, crashes, storms, hostile input"
	@echo "make bench  - run the benchmarks and print their figures"
	@echo "make mutation - mutation testing of the core (slow; not part of make test): prints the score and survivors"

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

# Mutation testing of the core modules with the tests that guard them (docs/testing.md). Slow, so not in `make test`;
# results are cached in ./mutants, so a second run re-tests only what changed (FRESH=1 starts over).
mutation: deps
	$(PY) -m tests.support.mutation $(if $(FRESH),--fresh)

demo: deps
	$(PY) -m devhost.demo

bench: deps
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules $(STAMP) out mutants .pytest_cache .mypy_cache .ruff_cache
