# Certification LMS: every set-up step is a target; CI calls the same ones people do.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STACK_DIR ?= .stack
PORT ?= 8000
# The fast lane: every test but those needing the standby, the Celery worker, a drill or a browser
# (or marked slow),
# spread over one pytest-xdist worker per CPU (a whole file per worker: some files count across tests).
FAST_LANE := not worker and not browser and not services and not standby and not slow

.DEFAULT_GOAL := help
.PHONY: help venv run test test-fast check lint format typecheck imports migrations-check content-check security audit content-lint \
        services-up services-down services-status demo clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/.installed: requirements/dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q --require-hashes -r requirements/dev.lock
	@touch $@

venv: $(BIN)/.installed ## Create the virtualenv and install the locked requirements

demo: venv ## Migrate, load the catalog, demo content and demo accounts
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_demo

run: venv ## Run the app with demo data at http://127.0.0.1:8000 (SQLite + eager Celery; USE_STACK=1 for the service stack)
	@if [ "$(USE_STACK)" = "1" ]; then \
	  test -f $(STACK_DIR)/stack.env || { echo "No $(STACK_DIR)/stack.env: run 'make services-up' first"; exit 2; }; \
	  set -a; . $(STACK_DIR)/stack.env; set +a; \
	fi; \
	$(MAKE) --no-print-directory demo || exit $$?; \
	$(BIN)/python manage.py run_sweepers & sweepers=$$!; \
	trap 'kill $$sweepers 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: venv ## Run the whole suite against a fresh Patroni PostgreSQL pair, Redis and a Celery worker
	@scripts/run-tests.sh $(PYTEST_ARGS)

test-fast: venv ## Run the tests that need no standby, worker, drill or browser on one PostgreSQL server
	@scripts/run-tests.sh --single -m "$(FAST_LANE)" --numprocesses logical --dist loadfile $(PYTEST_ARGS)

services-up: venv ## Start the Patroni pair, etcd and Redis for development (writes .stack/stack.env)
	$(BIN)/python scripts/devstack.py up --dir $(abspath $(STACK_DIR))
	@echo "Stack running. Use it with: make run USE_STACK=1   (or: set -a; . $(STACK_DIR)/stack.env; set +a)"

services-down: venv ## Stop what services-up started
	$(BIN)/python scripts/devstack.py down --dir $(abspath $(STACK_DIR))

services-status: venv ## Show which node leads and the standby's sync state
	$(BIN)/python scripts/devstack.py status --dir $(abspath $(STACK_DIR))

check: lint typecheck imports migrations-check content-check content-lint security ## All static checks (CI runs these)

lint: venv ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: venv ## mypy with django-stubs
	$(BIN)/mypy lms courses quizzes tests

imports: venv ## import-linter layering contracts
	$(BIN)/lint-imports

migrations-check: venv ## Fail when models and migrations disagree
	$(BIN)/python manage.py makemigrations --check --dry-run

security: venv ## bandit: no medium- or high-severity finding in the code ([tool.bandit] in pyproject.toml)
	$(BIN)/bandit -c pyproject.toml -r core courses quizzes lms scripts bench manage.py -q --severity-level medium

audit: venv ## pip-audit the lock files (CI); skipped with a message when no vulnerability database answers
	$(BIN)/python scripts/audit_dependencies.py

content-lint: venv ## Fail on item-writing flaws in content/*/questions.gift (scripts/lint_content.py)
	$(BIN)/python scripts/lint_content.py

content-check: ## Fail when demo content shares 7+ word runs with ../shared/seed (when it exists)
	$(PYTHON) scripts/check_seed_overlap.py

clean: ## Remove the virtualenv, SQLite database and collected static files
	rm -rf $(VENV) db.sqlite3 staticfiles
