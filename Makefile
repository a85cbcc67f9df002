# Sluis: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://root@127.0.0.1:5432/sluis
PYTEST_ARGS ?=

.PHONY: install run test test-sqlite test-postgres services system-packages lint format clean

$(VENV)/.installed: pyproject.toml client/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]" -e ./client
	touch $@

## Front-end libraries (package.json) vendored into the web app's static files; committed, so
## without npm the committed copies are kept.
WEB_VENDOR := src/sluis/web/static/web/vendor/uPlot.iife.min.js
$(WEB_VENDOR): package.json package-lock.json scripts/build-web-assets
	scripts/build-web-assets
	touch $@

install: $(VENV)/.installed $(WEB_VENDOR)

## Install and run Sluis on its embedded default (SQLite, ./sluis-data, built-in worker).
run: install
	$(VENV)/bin/sluis demo
	$(VENV)/bin/sluis serve

## Install and run the whole test suite, on SQLite and then on PostgreSQL.
test: install system-packages services lint test-sqlite test-postgres

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
	$(VENV)/bin/mypy --strict client/src

format: install
	$(VENV)/bin/ruff format src tests client
	$(VENV)/bin/ruff check --fix src tests client

clean:
	rm -rf $(VENV) sluis-data .pytest_cache
