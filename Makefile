# motcua — the two commands: `make run` and `make test`. Needs only Python 3.11 on the PATH.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run serve setup dev-setup messages test test-at e2e lint format bench clean lock cluster cluster-stop cluster-status bench-cluster

help:
	@echo "make run     set everything up (venv, dependencies, migrations, demo data) and serve http://$(HOST):$(PORT)"
	@echo "make test    run the test suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make test-at AT='2027-01-01 00:30:00'  the suite as if it were that moment (UTC; Debian's faketime)"
	@echo "make e2e     browser tests (needs Debian's chromium and 'npm ci' for axe-core)"
	@echo "make lint    ruff, mypy and the import-linter contracts (the layers of the apps)"
	@echo "make bench   benchmarks, printed as ratios to a baseline measured in the same run"
	@echo "make cluster the province topology on this machine (PostgreSQL + replica + PgBouncer, Redis, S3, nginx,"
	@echo "             two app servers, two RQ workers, the scheduler); make cluster-stop stops it"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt constraints.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.dev: requirements-dev.txt constraints.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	@touch $@

# Translations are compiled with Babel so that no system gettext is needed.
messages: $(VENV)/.runtime
	@for dir in $$(find src/motcua -type d -name locale); do \
	  $(BIN)/pybabel compile -d $$dir -D django >/dev/null || exit 1; done

setup: $(VENV)/.runtime messages
	$(BIN)/motcua migrate --noinput -v0

dev-setup: $(VENV)/.dev messages

run: setup
	$(BIN)/motcua demo
	@echo "Serving on http://$(HOST):$(PORT)/ with the task worker and the periodic jobs  (Ctrl+C stops all)"
	$(BIN)/motcua serve $(HOST):$(PORT)

test: dev-setup
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

# The suite run as if it were another moment (UTC), under libfaketime (Debian's faketime): a test that holds only
# on some days or at some hours (a Sunday evening, New Year's night in Viet Nam, next year) fails here, not in CI
# on that day. Left out: what depends on clocks libfaketime does not move (the Redis server behind RQ, the
# cluster's services) and the sweeps, which compare the file system's real modification times with the moved clock.
FAKETIME_LIB := $(firstword $(wildcard /usr/lib/*/faketime/libfaketime.so.1))
CLOCK_BOUND  := --ignore=tests/cluster --ignore=tests/core/test_tasks_rq.py \
	--deselect=tests/dossiers/test_sweep.py::test_sweep_removes_only_old_unreferenced_files \
	--deselect=tests/dossiers/test_object_storage.py::test_the_sweep_lists_the_bucket_removes_orphans_and_keeps_named_objects \
	--deselect=tests/feedback/test_commands.py::test_sweep_removes_old_orphans_and_keeps_named_and_young_files

test-at: dev-setup
	@test -n "$(AT)" || { echo "usage: make test-at AT='2027-01-01 00:30:00' (a moment in UTC)"; exit 2; }
	@test -n "$(FAKETIME_LIB)" || { echo "libfaketime is missing: apt-get install faketime"; exit 2; }
	LD_PRELOAD=$(FAKETIME_LIB) FAKETIME="@$(AT)" FAKETIME_DONT_RESET=1 \
	  $(BIN)/pytest -m "not e2e" $(CLOCK_BOUND) $(PYTEST_ARGS)

e2e: dev-setup
	$(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS)

lint: dev-setup
	$(BIN)/ruff check .
	$(BIN)/mypy src
	PYTHONPATH=src $(BIN)/lint-imports

format: dev-setup
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

$(VENV)/.bench: requirements-bench.txt $(VENV)/.dev
	$(BIN)/pip install --quiet -r requirements-bench.txt -c constraints.txt
	@touch $@

bench: $(VENV)/.bench messages
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The model of a province's deployment on this machine (deploy/cluster.py, docs/operations.md): needs Debian's
# postgresql-15, pgbouncer, nginx, redis-server and openssl.
cluster: dev-setup
	$(BIN)/python -m deploy.cluster start

cluster-stop:
	$(BIN)/python -m deploy.cluster stop

cluster-status:
	$(BIN)/python -m deploy.cluster status

# Locust against the cluster (bench/load_cluster.py): one app server, then two. Starts the cluster if needed.
bench-cluster: $(VENV)/.bench messages
	$(BIN)/python bench/load_cluster.py $(BENCH_ARGS)

# Re-resolve every dependency from requirements*.txt in a scratch venv and pin the result.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install --quiet -r requirements-bench.txt
	{ echo "# Every package, transitive ones included, pinned: installs are reproducible. Regenerate with"; \
	  echo "# 'make lock' after changing requirements*.txt, and say why in the commit."; \
	  .lock-venv/bin/pip freeze --all --exclude pip --exclude setuptools --exclude wheel; } > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var/static .mypy_cache .ruff_cache .pytest_cache
