# Newsdesk's two commands: `make run` (the app with demo data on 127.0.0.1:8000,
# SQLite, tasks in-process) and `make test` (the whole suite). Both create the
# virtualenv and install the pinned requirements first.

PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test test-sqlite worker bench clean constraints

$(PY):
	$(PYTHON) -m venv $(VENV)

# constraints.txt pins the indirect dependencies too (`make constraints` rewrites it).
$(VENV)/.runtime-installed: requirements.txt constraints.txt | $(PY)
	$(PY) -m pip install --quiet -c constraints.txt -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt constraints.txt | $(PY)
	$(PY) -m pip install --quiet -c constraints.txt -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

# After changing a requirements file: install it without the old pins, then pin what it brought.
constraints: | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	{ sed -n '1,3p' constraints.txt; $(PY) -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

run: $(VENV)/.runtime-installed
	$(PY) manage.py compile_translations
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Newsdesk: http://$(HOST):$(PORT)/  (log in with a demo user above)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev-installed
	$(PY) manage.py compile_translations
	$(PY) -m pytest $(PYTEST_ARGS)

# The suite on the embedded default, whatever DATABASE_URL/REDIS_URL say.
test-sqlite: $(VENV)/.dev-installed
	$(PY) manage.py compile_translations
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest $(PYTEST_ARGS)

worker: $(VENV)/.runtime-installed
	$(VENV)/bin/celery -A newsdesk worker -Q celery,extraction,training --loglevel INFO

bench: $(VENV)/.dev-installed
	$(PY) -m benchmarks.ingest

clean:
	rm -rf $(VENV) staticfiles newsdesk.sqlite3
