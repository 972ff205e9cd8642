# seatops.seats — developer entry points. Every target creates what it needs on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8080
STATE ?=
SEED ?=
STAMP := $(VENV)/.installed
# The lowest supported ansible-core, for the core_matrix integration tests (inside .venv so
# that make clean, .gitignore and the galaxy build leave it out like the main one).
LOWEST_VENV := $(VENV)/core-lowest
LOWEST_STAMP := $(LOWEST_VENV)/.installed

.PHONY: help venv sandbox demo test bench soak unit sandbox-tests integration integration-core-lowest sanity lint changelog-lint molecule build clean

help:
	@echo "make demo     run the onboarding/audit/approve/apply/offboarding story on a local sandbox"
	@echo "make test     run the whole test suite and quality gates"
	@echo "make bench    scale benchmarks against the sandbox (BENCH_ARGS=--quick for a short run)"
	@echo "make soak     fault soak: many runs with injected faults, state checked after each (SOAK_ARGS=...)"
	@echo "make sandbox  start the sandbox in the foreground (PORT=$(PORT) STATE=<file> SEED=<file>)"

$(STAMP): tests/requirements.txt sandbox/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r tests/requirements.txt
	$(BIN)/python -m pip install --quiet -e ./sandbox
	@touch $(STAMP)

$(LOWEST_STAMP): tests/requirements-core-lowest.txt sandbox/pyproject.toml $(STAMP)
	@test -x $(LOWEST_VENV)/bin/python || $(PYTHON) -m venv $(LOWEST_VENV)
	$(LOWEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOWEST_VENV)/bin/python -m pip install --quiet -r tests/requirements-core-lowest.txt
	$(LOWEST_VENV)/bin/python -m pip install --quiet -e ./sandbox
	@touch $(LOWEST_STAMP)

venv: $(STAMP) $(LOWEST_STAMP)

sandbox: $(STAMP)
	$(BIN)/seatops-sandbox serve --port $(PORT) $(if $(STATE),--state $(STATE)) $(if $(SEED),--seed $(SEED))

demo: $(STAMP)
	$(BIN)/python tests/scripts/demo.py

test: $(STAMP) $(LOWEST_STAMP)
	bash tests/scripts/run_all.sh

bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

soak: $(STAMP)
	$(BIN)/python tests/soak/run.py $(SOAK_ARGS)

integration-core-lowest: $(STAMP) $(LOWEST_STAMP)
	bash tests/scripts/run_all.sh $@

unit sandbox-tests integration sanity lint changelog-lint molecule build: $(STAMP)
	bash tests/scripts/run_all.sh $@

clean:
	rm -rf $(VENV) tests/output .pytest_cache .hypothesis
