# The two commands: `make demo` and `make test`. Everything they need is set up here.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-extract env system-deps warehouse-start warehouse-stop warehouse-status clean render \
	compose-build compose-test airflow airflow-stop

# The Python environment, from the lock file (exact versions of everything).
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

env: $(STAMP) system-deps

# Debian's PostgreSQL (any version), installed when missing.
system-deps:
	@bash scripts/ensure-system-deps.sh

demo: env
	$(BIN)/csc demo

test: env
	$(BIN)/pytest

# Every stage of the night beside its physical reference, for one council and the national set
# (153 councils); memory against the number of councils; validation at scale. Compared with and
# written to bench/results.json (docs/performance.md); then extraction. Not part of `make test`.
# Options through BENCH_ARGS, e.g. `make bench BENCH_ARGS=--quick` (a smoke run, nothing written).
bench: env
	$(BIN)/python -m csc_pipeline.bench $(BENCH_ARGS)
	$(BIN)/python -m csc_pipeline.extract.bench

# Extraction alone: the demo council and the largest generated one, from a PostgreSQL SSD database.
bench-extract: env
	$(BIN)/python -m csc_pipeline.extract.bench

# Re-derive the files generated from the contract (dbt sources, staging models, GE suites, seeds).
render: $(STAMP)
	$(BIN)/csc contract render

# The production Docker stack (docker-compose.yml): images built from one Debian base, no registry.
compose-build: env
	bash docker/prepare-build.sh
	docker-compose build

# Builds and starts that stack, runs a council's drop through it and reads the marts through Superset.
compose-test: env
	bash docker/compose-test.sh

# A real local Airflow without Docker (LocalExecutor; metadata in the local warehouse server).
airflow: warehouse-start
	$(BIN)/python -m csc_pipeline.deploy.local_airflow start

airflow-stop: $(STAMP)
	$(BIN)/python -m csc_pipeline.deploy.local_airflow stop

warehouse-start: env
	$(BIN)/csc warehouse start

warehouse-stop: $(STAMP)
	$(BIN)/csc warehouse stop

warehouse-status: $(STAMP)
	$(BIN)/csc warehouse status

clean:
	-$(BIN)/csc warehouse stop
	rm -rf .state dbt_project/target dbt_project/logs
