# The two set-up commands of the README, and the chores around them.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/award_test
# Demo data lives in round IX's submission period, so every form can be tried.
DEMO_NOW ?= 2024-09-20T09:00:00+07:00

.PHONY: demo test test-sqlite test-postgres install install-test check-compose bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	AWARD_NOW=$(DEMO_NOW) $(BIN)/award demo
	AWARD_NOW=$(DEMO_NOW) $(BIN)/award serve --host 127.0.0.1 --port 8000

test: install-test
	@echo "== lint (ruff check) =="
	$(BIN)/ruff check .
	scripts/ensure-test-services.sh
	$(MAKE) --no-print-directory test-sqlite test-postgres

test-sqlite:
	@echo "== tests on SQLite + local disk =="
	$(BIN)/pytest -q

test-postgres:
	@echo "== tests on PostgreSQL =="
	AWARD_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q

# Benchmarks: starts PostgreSQL databases bench_*, SeaweedFS and `award serve`; prints and writes
# bench/results/latest.{json,md}. Never fails on a timing. BENCH_ARGS="--media-gb 0.5" for a quick run.
bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench.run $(BENCH_ARGS)

check-compose:
	scripts/check-compose.sh

clean:
	rm -rf $(VENV) data test-artifacts .pytest_cache
