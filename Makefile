# Masterclass: `make run` starts everything locally; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
CSS := static/build/main.css
WEB_PORT ?= 8000

.PHONY: help run test lint typecheck bench loadtest install check-python check-npm

help:
	@echo "make run    install what is missing, migrate, load the demo and start web + worker + beat"
	@echo "make test   the whole test suite (browser tests need Debian's chromium)"
	@echo "make lint   ruff and mypy"
	@echo "make bench  the benchmarks: prints a table and writes var/bench.json"
	@echo "make loadtest  200 learners for 3 minutes while workers, Redis and web fail (PostgreSQL)"
	@echo "make prod  production: web, grading/default/email workers and beat (see README)"

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
	  echo "Masterclass needs Python 3.11 or newer, and '$(PYTHON)' is missing or older."; \
	  echo "Install Python 3.11+ (for example: apt-get install python3 python3-venv),"; \
	  echo "or name one: make run PYTHON=/usr/bin/python3.12"; exit 1; }

check-npm:
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Masterclass needs Node.js 20+ with npm to build its GOV.UK Frontend styles."; \
	  echo "Install them (for example: apt-get install nodejs npm) and run make again."; exit 1; }

$(VENV_STAMP): requirements.lock | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

$(NPM_STAMP): package.json package-lock.json | check-npm
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(CSS): $(NPM_STAMP) $(wildcard static/scss/*.scss) scripts/plotly-css.mjs
	npm run --silent build

install: $(VENV_STAMP) $(NPM_STAMP) $(CSS)

# A local .env makes manage.py, the worker and beat use the development profile.
.env:
	@echo "DJANGO_ENV=development" > $@
	@echo "Wrote .env (DJANGO_ENV=development). Add DATABASE_URL or REDIS_URL there to use PostgreSQL or Redis."

run: install .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_demo
	@echo "Starting web on http://127.0.0.1:$(WEB_PORT)/, a Celery worker and Celery beat. Ctrl-C stops all three."
	@echo "Emails are written to var/mail/ (each one is also logged here)."
	@WEB_PORT=$(WEB_PORT) exec $(VENV)/bin/honcho -f Procfile.dev start

# Production on one machine (Procfile.prod): gunicorn (gunicorn.conf.py), GRADING_CONCURRENCY
# grading workers, a default and an email worker, and beat. Settings come from the environment
# only: honcho is told not to read .env, which says development on a developer's machine.
GRADING_CONCURRENCY ?= 2
.PHONY: prod
prod: install
	@test "$$DJANGO_ENV" = production || { echo "Refusing to start: make prod needs DJANGO_ENV=production in the environment, with SECRET_KEY, ALLOWED_HOSTS, SITE_URL, EMAIL_URL, DATABASE_URL and REDIS_URL."; exit 1; }
	@for name in DATABASE_URL REDIS_URL; do test -n "$${!name}" || { echo "Refusing to start: $$name is required in the environment (production runs on PostgreSQL and Redis)."; exit 1; }; done
	@out=$$($(PY) manage.py check --deploy --fail-level ERROR 2>&1) || { msg=$$(echo "$$out" | sed -n 's/.*ImproperlyConfigured: //p' | head -1); echo "Refusing to start: $${msg:-$$out}"; exit 1; }; echo "$$out"
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	@echo "Starting web on port $${PORT:-8000} (gunicorn.conf.py), $(GRADING_CONCURRENCY) grading workers, a default and an email worker, and beat. Ctrl-C stops them all."
	@exec $(VENV)/bin/honcho -f Procfile.prod -e /dev/null start --port $${PORT:-8000} --concurrency worker-grading=$(GRADING_CONCURRENCY)

test: install
	$(VENV)/bin/ruff check .
	DJANGO_ENV=test $(VENV)/bin/mypy
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_ENV=test $(VENV)/bin/mypy

bench: install
	$(PY) bench/run.py

# LOADTEST_SECONDS (180) and LOADTEST_USERS (200) from the environment; DATABASE_URL names
# the PostgreSQL server for its throwaway database. Starts its own Redis on a free port.
loadtest: install
	$(PY) bench/loadtest.py
