# OVDR: `make run` installs and starts the app with the demo catalog; `make test` installs and tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000
# Tests run against MariaDB (as CI does); set TEST_DATABASE_URL=sqlite:///test.sqlite3 to use SQLite.
TEST_DATABASE_URL ?= mysql://root@127.0.0.1:3306/test

.PHONY: install install-dev run lint test bench clean

$(VENV)/.installed: requirements.txt requirements-nodeps.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Two worker clusters (docs/DEPLOY.md): the default one for try-ons and image searches, the bulk one for
# enrichment and index updates, so a shopper's job never queues behind the demo catalog's analysis.
run: install
	$(PY) manage.py migrate --noinput
	Q_BULK_CLUSTER=bulk $(PY) manage.py seed_demo
	@echo "OVDR on http://$(ADDR)/  (admin: /admin/, API docs: /api/docs/)"
	trap 'kill 0' EXIT INT TERM; export Q_BULK_CLUSTER=bulk; $(PY) manage.py qcluster & \
	    Q_CLUSTER_NAME=bulk $(PY) manage.py qcluster & $(PY) manage.py runserver $(ADDR)

# The import contracts of .importlinter (docs/ARCHITECTURE.md): a broken layer fails before any test runs.
# No cache: the whole graph takes well under a second, and no cache folder lands in the tree.
lint: install-dev
	$(VENV)/bin/lint-imports --no-cache

test: lint
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest $(PYTEST_ARGS)

bench: install-dev
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) bench/api_throughput.py

clean:
	rm -rf $(VENV) media db.sqlite3 staticfiles test-artifacts
