# The two set-up commands of the README, and the chores around them.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/award_test
# Demo data lives in round XI's submission period (2026), so every form can be tried.
DEMO_NOW ?= 2026-09-20T09:00:00+07:00
# `make demo PORT=8001` when 8000 is taken; HOST=0.0.0.0 to open it to the network.
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: demo test test-sqlite test-postgres install install-test check-compose check-python check-port bench clean

# The project pins Python 3.11 (pyproject.toml, the Docker image): say so before pip fails obscurely.
check-python:
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null || { \
	  echo "make: this project needs Python 3.11, but '$(PY)' is $$($(PY) --version 2>&1 || echo missing)." >&2; \
	  echo "      Install it (Debian/Ubuntu: apt-get install python3.11 python3.11-venv, or pyenv install 3.11)" >&2; \
	  echo "      and run: make $(or $(MAKECMDGOALS),demo) PY=python3.11" >&2; exit 1; }

check-port:
	@$(PY) -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], int(sys.argv[2])))' $(HOST) $(PORT) 2>/dev/null || { \
	  echo "make: port $(PORT) on $(HOST) is already in use. Stop what holds it, or choose another: make demo PORT=8001" >&2; exit 1; }

$(BIN)/python: | check-python
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

demo: install check-port
	AWARD_NOW=$(DEMO_NOW) $(BIN)/award demo
	AWARD_NOW=$(DEMO_NOW) AWARD_PUBLIC_URL=http://$(HOST):$(PORT) $(BIN)/award serve --host $(HOST) --port $(PORT)

test: install-test
	@echo "== lint (ruff check) =="
	$(BIN)/ruff check .
	scripts/ensure-test-services.sh
	BIN=$(BIN) PG_TEST_URL=$(PG_TEST_URL) scripts/test-engines.sh

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
