# commerce-stats — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
BIN := .venv/bin

.PHONY: run test env lint types test-sqlite test-postgres check-migrations bench soak clean

## Environment: a private uv (pinned) builds .venv from the committed uv.lock.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

env: .venv/.synced

## Serve on http://127.0.0.1:8000 with demo data loaded on the first start.
run: env
	COMMERCE_STATS_DEMO_ON_FIRST_START=true $(BIN)/commerce-stats serve

## The whole suite: lint, types, migrations, tests on SQLite and on PostgreSQL.
test: env lint types check-migrations test-sqlite test-postgres

lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: env
	$(BIN)/mypy

check-migrations: env
	$(BIN)/python scripts/check_migrations.py

test-sqlite: env
	COMMERCE_STATS_TEST_BACKEND=sqlite $(BIN)/pytest

test-postgres: env
	@if $(BIN)/python scripts/postgres_reachable.py; then \
		COMMERCE_STATS_TEST_BACKEND=postgresql $(BIN)/pytest; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "PostgreSQL is required in CI but is not reachable" >&2; exit 1; \
	else \
		echo "NOTE: PostgreSQL not reachable; the PostgreSQL leg was not run (see docs/operations.md)."; \
	fi

clean:
	rm -rf .venv $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
