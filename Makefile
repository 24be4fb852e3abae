# Two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
HOST ?= 127.0.0.1
PORT ?= 8000
LOCAL := DJANGO_DEBUG=1

.PHONY: run test venv lint format bench fuzz clean

venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

run: venv
	$(LOCAL) $(PY) manage.py migrate --noinput
	$(LOCAL) $(PY) manage.py import_seeds seeds/
	$(LOCAL) $(PY) manage.py create_local_superuser
	@echo "Serving on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/), with a task worker beside it"
	@# The worker runs admin imports, reindexing and photo renditions (README "Background work"). One shell runs
	@# both; the trap stops the worker however the server ends (Ctrl+C, kill, or a crash).
	@$(LOCAL) $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(LOCAL) $(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: venv
	@sh .ci/bench-tools
	$(PY) manage.py benchmark --articles $${ARTICLES:-200000} --json $${BENCH_JSON:-bench.json}

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

fuzz: venv
	DJANGO_SETTINGS_MODULE=newsroom.settings.test $(PY) -m tests.fuzz.fuzz_parser $${FUZZ_CASES:-100000}
