# commerce-stats — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
BIN := .venv/bin

.PHONY: run test env lint types test-sqlite test-postgres check-migrations bench soak audit clean

## Environment: a private uv (pinned) builds .venv from the committed uv.lock.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

env: .venv/.synced

## Serve on http://127.0.0.1:8000 with demo data loaded on the first start.
## Another port: `PORT=8765 make run` (or COMMERCE_STATS_PORT=8765).
run: env
	COMMERCE_STATS_DEMO_ON_FIRST_START=true $(BIN)/commerce-stats serve $(if $(PORT),--port $(PORT))

## The whole suite: lint, types, migrations, tests on SQLite and on PostgreSQL.
test: env lint types check-migrations test-sqlite test-postgres

lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

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

## Long reliability runs (docs/reliability.md): repeated crash/restart rounds on both
## backends, then the 60-second mixed load on SQLite and on PostgreSQL.
SOAK_ROUNDS ?= 10
SOAK_SECONDS ?= 60
soak: env
	@echo "soak: $$(date -u '+%Y-%m-%d %H:%M UTC'), commit $$(git rev-parse --short HEAD 2>/dev/null || echo unknown), $$(nproc) cores, load:$$(uptime | sed 's/.*load average://')"
	CRASH_ROUNDS=$(SOAK_ROUNDS) COMMERCE_STATS_TEST_BACKEND=sqlite $(BIN)/pytest -q -s tests/test_crash_safety.py
	@if $(BIN)/python scripts/postgres_reachable.py; then \
		CRASH_ROUNDS=$(SOAK_ROUNDS) COMMERCE_STATS_TEST_BACKEND=postgresql $(BIN)/pytest -q -s tests/test_crash_safety.py; \
	fi
	@echo "load before the mixed load:$$(uptime | sed 's/.*load average://')"
	$(BIN)/python bench/load_mixed.py sqlite $(SOAK_SECONDS)
	@echo "load after:$$(uptime | sed 's/.*load average://')"
	@if $(BIN)/python scripts/postgres_reachable.py; then \
		echo "load before the mixed load:$$(uptime | sed 's/.*load average://')"; \
		$(BIN)/python bench/load_mixed.py postgresql $(SOAK_SECONDS); \
		echo "load after:$$(uptime | sed 's/.*load average://')"; \
	fi

## Known vulnerabilities in the locked dependencies. Needs the vulnerability service
## (PyPI JSON API / OSV) to be reachable; not part of `make test` (docs/reliability.md).
audit: env
	$(UV) export --frozen --no-hashes --no-emit-project --format requirements-txt > .venv/audit-requirements.txt
	$(BIN)/pip-audit --strict --disable-pip --no-deps -r .venv/audit-requirements.txt

clean:
	rm -rf .venv $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
