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

# The browser tests' accessibility check: axe-core at the version package-lock.json pins (npm writes this file).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.package-lock.json

# Two worker clusters (docs/DEPLOY.md): the default one for try-ons and image searches, the bulk one for
# enrichment and index updates, so a shopper's job never queues behind the demo catalog's analysis.
# Start once, stop once. Ctrl-C reaches the server and the workers together (one process group) and each
# stops by itself, so the shell only waits for the workers; when the server ends otherwise, or the shell is
# sent TERM or HUP, each worker gets one TERM. (`trap 'kill 0' EXIT INT TERM` signalled the shell too,
# which ran the trap again, and again.) The workers find the demo items seed_demo indexed already analysed.
run: install
	$(PY) manage.py migrate --noinput
	Q_BULK_CLUSTER=bulk $(PY) manage.py seed_demo
	@echo "OVDR on http://$(ADDR)/  (admin: /admin/, API docs: /api/docs/)"
	@export Q_BULK_CLUSTER=bulk; $(PY) manage.py qcluster & worker=$$!; \
	Q_CLUSTER_NAME=bulk $(PY) manage.py qcluster & bulk=$$!; \
	interrupted=; trap 'interrupted=1' INT; \
	trap 'kill -TERM $$worker $$bulk 2>/dev/null; wait $$worker $$bulk; exit 143' TERM HUP; \
	$(PY) manage.py runserver $(ADDR); \
	[ -n "$$interrupted" ] || kill -TERM $$worker $$bulk 2>/dev/null; wait $$worker $$bulk

# The import contracts of .importlinter (docs/ARCHITECTURE.md): a broken layer fails before any test runs.
# No cache: the whole graph takes well under a second, and no cache folder lands in the tree.
lint: install-dev
	$(VENV)/bin/lint-imports --no-cache

test: lint
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest $(PYTEST_ARGS)

bench: install-dev
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) bench/api_throughput.py

clean:
	rm -rf $(VENV) node_modules media db.sqlite3 staticfiles test-artifacts
