# Sluis: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://root@127.0.0.1:5432/sluis
PYTEST_ARGS ?=
CLIENT_PYTEST_ARGS ?=

.PHONY: install run test test-client test-sqlite test-postgres services system-packages lint format clean

$(VENV)/.installed: pyproject.toml client/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]" -e "./client[cli]"
	touch $@

## Front-end libraries (package.json) vendored into the web app's static files; committed, so
## without npm the committed copies are kept.
WEB_VENDOR := src/sluis/web/static/web/vendor/uPlot.iife.min.js
$(WEB_VENDOR): package.json package-lock.json scripts/build-web-assets
	scripts/build-web-assets
	touch $@

## Message catalogues (English and Dutch pages): compiled from the committed .po files with
## Babel, so that neither the build nor a server needs Debian's gettext.
LOCALE := src/sluis/web/locale
MESSAGES := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/*.po))
$(LOCALE)/%.mo: $(LOCALE)/%.po $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -i $< -o $@

install: $(VENV)/.installed $(WEB_VENDOR) $(MESSAGES)

## Install and run Sluis on its embedded default (SQLite, ./sluis-data, built-in worker).
run: install
	$(VENV)/bin/sluis demo
	$(VENV)/bin/sluis serve

## Install and run the whole test suite: the client's own tests, then Sluis on SQLite and then
## on PostgreSQL (the live-server client tests in tests/client/ run in both passes).
test: install system-packages services lint test-client test-sqlite test-postgres

## The client's own tests, from client/ with its own pytest settings: no Django, no server, no
## database, so they run once rather than in each database pass.
test-client: install
	cd client && $(abspath $(PY)) -m pytest -q $(CLIENT_PYTEST_ARGS)

test-sqlite: install system-packages
	SLUIS_DATA_DIR=$$(mktemp -d) $(PY) -m pytest -q $(PYTEST_ARGS)

test-postgres: install system-packages services
	SLUIS_DATA_DIR=$$(mktemp -d) SLUIS_DATABASE_URL=$(PG_URL) $(PY) -m pytest -q --create-db $(PYTEST_ARGS)

services:
	scripts/ensure-services

## Debian packages only the tests need (curl, nginx, chromium, ...): `make run` does without.
system-packages:
	scripts/install-system-packages

lint: install
	$(VENV)/bin/ruff check src tests client
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy  # src/sluis: [tool.mypy] in pyproject.toml
	cd client && $(abspath $(VENV))/bin/mypy --strict  # src/ and tests/: client/pyproject.toml

format: install
	$(VENV)/bin/ruff format src tests client
	$(VENV)/bin/ruff check --fix src tests client

clean:
	rm -rf $(VENV) sluis-data .pytest_cache
