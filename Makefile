# The two commands of the README, `make run` and `make test`, and `make serve` for production.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test install lint format seed

run: install ## set up the database, load the corpus and serve on http://127.0.0.1:8000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: install ## production: migrate, collectstatic, then gunicorn (settings from the environment, see README "Deploying")
	DJANGO_DEBUG=0 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=0 $(PY) manage.py collectstatic --noinput
	DJANGO_DEBUG=0 exec $(VENV)/bin/gunicorn --config gunicorn.conf.py

test: install ## lint, check the layers and migrations, run the whole suite (DATABASE_URL picks the database)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

seed: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

.PHONY: bench
bench: install ## time import_fixtures against loaddata and raw COPY on PostgreSQL (caci_bench)
	$(PY) bench/import_benchmark.py

.PHONY: bench-api
bench-api: install ## time every list of the API against a raw-query floor on PostgreSQL (caci_bench_api)
	$(PY) bench/api_benchmark.py $(BENCH_API_ARGS)

.PHONY: bench-intake
bench-intake: install ## the intake's candidates against the corpus's curated facts: recall, precision, time per article
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed
	$(PY) manage.py evaluate_intake

.PHONY: load
load: install ## gunicorn on PostgreSQL (caci_load) under a mix of public requests (wrk): req/s, p50/p95/p99
	$(PY) bench/load.py

.PHONY: vendor
vendor: ## copy the pinned front-end files (package.json) from npm into the project: Chart.js for the explorer, axe-core for its tests
	npm ci --ignore-scripts --no-audit --no-fund
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map explorer/static/explorer/vendor/
	cp node_modules/chart.js/LICENSE.md explorer/static/explorer/vendor/chart.js-LICENSE.md
	cp node_modules/axe-core/axe.min.js explorer/tests/vendor/
	cp node_modules/axe-core/LICENSE explorer/tests/vendor/axe-core-LICENSE
