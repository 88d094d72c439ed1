# Chorus: `make run` serves the app on SQLite; `make test` runs the whole suite.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app app
SHARED  ?= ../shared
HOST    ?= 127.0.0.1
PORT    ?= 5000

.PHONY: install lock run flask test test-sqlite test-postgres lint format chromium serve worker beat bench clean i18n-extract i18n-update i18n-compile

# The versions in requirements.lock, so every install (and CI) gets what was tested.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Newest versions pyproject.toml allows, written to requirements.lock (then run the tests).
lock:
	rm -rf $(VENV)-lock
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install -q --upgrade pip
	$(VENV)-lock/bin/python -m pip install -q -e '.[dev]'
	{ sed -n '1,2p' requirements.lock; $(VENV)-lock/bin/python -m pip freeze --exclude-editable; } \
	  > requirements.lock.new && mv requirements.lock.new requirements.lock
	rm -rf $(VENV)-lock

run: install i18n-compile
	$(FLASK) db upgrade
	$(FLASK) seed
	@if [ -d "$(SHARED)/data" ]; then $(MAKE) --no-print-directory import-data; \
	  else echo "note: $(SHARED)/data not found; skipping representative data (see README)"; fi
	@if [ -z "$$CWC_HOUSE$$CWC_SENATE" ]; then echo "note: CWC is off (CWC_HOUSE, CWC_SENATE unset):" \
	  "letters to Congress are held for the offices' private pages and packets (docs/cwc.md)"; fi
	@# The CLI in another shell (flask targets link) reads it back: links match this server.
	@mkdir -p instance && echo "$${BASE_URL:-http://$(HOST):$(PORT)}" > instance/base_url
	BASE_URL=$${BASE_URL:-http://$(HOST):$(PORT)} MAIL_BACKEND=console EMBEDDED_WORKER=1 \
	  $(FLASK) run --host $(HOST) --port $(PORT)

# Any flask command inside the virtualenv: make flask ARGS="targets link 12"
flask: install
	$(FLASK) $(ARGS)

import-data: install
	$(FLASK) zips import $(SHARED)/data/us-zipcodes-congress/zccd.csv
	$(FLASK) targets import congress $(SHARED)/data/congress-legislators/legislators-current.yaml \
	  --offices $(SHARED)/data/congress-legislators/legislators-district-offices.yaml
	$(FLASK) targets import openstates $(SHARED)/data/openstates-people

# The suite on SQLite, then again on PostgreSQL (and Redis) when TEST_DATABASE_URL is set,
# on one pytest-xdist worker per core (tests that share Redis run on one worker, in turn).
PYTEST := $(PY) -m pytest -q -n auto --dist loadgroup
test: install i18n-compile
	env -u TEST_DATABASE_URL $(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
	  $(PYTEST); \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Production web server: gunicorn with gunicorn.conf.py (gthread, workers from the cores) on
# PostgreSQL (DATABASE_URL) and Redis (REDIS_URL: rate limits and the Celery broker).
serve: install i18n-compile
	@test -n "$$DATABASE_URL" || { echo "make serve needs DATABASE_URL (PostgreSQL)"; exit 1; }
	@test -n "$$REDIS_URL" || { echo "make serve needs REDIS_URL (rate limits, Celery)"; exit 1; }
	$(FLASK) db upgrade
	$(VENV)/bin/gunicorn -c gunicorn.conf.py

# Benchmarks on the local PostgreSQL and Redis (db 5), servers on 127.0.0.1:5150-5152 and wrk
# (apt-get install wrk; valgrind for sign_instructions). Each prints its figures and the machine;
# BENCH_SECONDS sets the length of a run.
bench: install
	@command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install wrk"; exit 1; }
	$(PY) -m bench.sign_cpu
	$(PY) -m bench.sign_instructions
	$(PY) -m bench.page_instructions
	$(PY) -m bench.signing
	$(PY) -m bench.pages
	$(PY) -m bench.growth
	$(PY) -m bench.overload

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) instance .pytest_cache

# Translations: extract the English strings, merge them into each language's catalog (then
# translate what is new or fuzzy in app/translations/<lang>/LC_MESSAGES/messages.po), and
# compile the catalogs the app reads (make run, test and serve do this themselves).
PYBABEL := $(VENV)/bin/pybabel
CATALOGS := app/translations
i18n-extract: install
	$(PYBABEL) extract -F babel.cfg -k _l -k N_ --no-wrap --sort-by-file -o $(CATALOGS)/messages.pot .

i18n-update: i18n-extract
	$(PYBABEL) update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-wrap --ignore-obsolete

i18n-compile: install
	$(PYBABEL) compile -d $(CATALOGS) --statistics
