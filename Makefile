# Engager — see README.md. Every target installs into .venv first (idempotent, fast when up to date).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# The sandbox keeps its state in one process's memory: serve it from a single (threaded) web worker.
# Real Xero (XERO_MODE=xero, or DEBUG off, where the sandbox is never served) gets two.
WEB_WORKERS ?= $(if $(or $(filter xero,$(XERO_MODE)),$(filter 0 false False off no,$(DEBUG))),2,1)

.PHONY: install run test lint bench worker beat serve migrate seed clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	@echo ""
	@echo "  Engager is starting at http://127.0.0.1:$(PORT)"
	@echo "  Demo login:  demo@example.com  /  engager-demo"
	@echo "  Xero sandbox: http://127.0.0.1:$(PORT)/xero-sandbox/"
	@echo ""
	PORT=$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

bench: migrate
	$(BIN)/python -m bench

worker: install
	$(BIN)/celery -A engager worker --loglevel=info

beat: install
	$(BIN)/celery -A engager beat --loglevel=info

serve: migrate
	$(BIN)/python manage.py collectstatic --noinput
	WEB_WORKERS=$(WEB_WORKERS) PATH="$(CURDIR)/$(BIN):$$PATH" SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/honcho start -p $(PORT)

clean:
	rm -rf $(VENV) var/*.sqlite3 var/static
