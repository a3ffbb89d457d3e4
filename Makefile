# One entry point for people and CI. Every target sets up what it needs on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := .make
CHECKOV_VENV := .checkov-venv
CHROMIUM := /usr/bin/chromium

.PHONY: help deps test lint typecheck pytest chaos mutation demo up down bench clean

help:
	@echo "make demo   - run the app locally against Azurite and the emulators (no Azure needed)"
	@echo "make up     - start Azurite, the emulators and the local host, and keep them running (make down stops them)"
	@echo "make test   - lint, type-check, scan the templates and run the whole test suite (what CI runs)"
	@echo "make chaos  - run only the reliability (chaos) tests: races, crashes, storms, hostile input"
	@echo "make bench  - run the benchmarks and print their figures"
	@echo "make mutation - mutation testing of the core (slow; not part of make test): prints the score and survivors"

# The virtualenv is rebuilt when the pinned requirements or the project's metadata change. The project itself is
# installed editable, which puts the operator CLI `cluedin-purview-sync` into .venv/bin.
$(STAMP)/venv: requirements.txt requirements-dev.txt pyproject.toml
	@mkdir -p $(STAMP)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

# Azurite comes from npm into ./node_modules (never a global install).
# A node_modules that is a symlink is an install shared with other checkouts (git worktrees): `npm ci` would empty it
# under their feet, so it is only checked there.
$(STAMP)/node: package.json package-lock.json
	@mkdir -p $(STAMP)
	@if [ -L node_modules ]; then test -x node_modules/.bin/azurite || { echo "shared node_modules lacks Azurite: run npm ci where it lives"; exit 1; }; else npm ci --no-audit --no-fund --loglevel=error; fi
	@touch $@

# The lineage page is checked in Debian's Chromium (no browser download: Playwright drives this one).
$(STAMP)/chromium:
	@mkdir -p $(STAMP)
	test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "Chromium could not be installed (apt-get needs root): the browser tests will be skipped"
	@touch $@

# checkov pins versions of its own that clash with the test tools (packaging<24), so it lives in a venv of its own.
$(STAMP)/checkov: requirements-checkov.txt
	@mkdir -p $(STAMP)
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt
	@touch $@

deps: $(STAMP)/venv $(STAMP)/node $(STAMP)/chromium $(STAMP)/checkov

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

up: deps
	$(PY) -m devhost.up start

down:
	@if [ -x $(PY) ]; then $(PY) -m devhost.up stop; else echo "Nothing to stop: make up never ran here."; fi

bench: deps
	$(PY) -m bench

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) node_modules $(STAMP) out mutants .pytest_cache .mypy_cache .ruff_cache
