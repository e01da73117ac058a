# The portal's two everyday commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The embedded default: an SQLite file and tasks run in-process, unless the environment says otherwise.
RUN_ENV := DEBUG=$${DEBUG:-true}

.PHONY: run setup test lint format bench backup-check frontend fixture second-system clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

## setup: install, migrate, load the facts and illustrative series, demo users, snapshots
setup: $(BIN)/.installed
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py load_cw_ics
	$(RUN_ENV) $(BIN)/python manage.py generate_synthetic
	$(RUN_ENV) $(BIN)/python manage.py create_demo_users
	$(RUN_ENV) $(BIN)/python manage.py recompute_snapshots

## run: set up, then serve the portal on http://127.0.0.1:$(PORT)
run: setup
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: the whole suite (PostgreSQL and Redis when DATABASE_URL / CELERY_BROKER_URL are set)
test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -r . -q --severity-level medium
	$(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=icsportal.test_settings $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -r . -q --severity-level medium
	$(BIN)/lint-imports --no-cache

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: England-scale benchmarks; results are appended to bench/RESULTS.md
bench: $(BIN)/.installed
	@# Every benchmark runs and records its verdicts in bench/RESULTS.md; the target fails at
	@# the end if a script exited non-zero (the import benchmark does when it misses its targets).
	@missed=""; for b in spc recompute import pages api load; do \
		echo "== bench_$$b"; $(BIN)/python bench/bench_$$b.py || missed="$$missed $$b"; \
	done; if [ -n "$$missed" ]; then echo "benchmarks that exited non-zero:$$missed (every verdict is in bench/RESULTS.md)"; exit 1; fi

## backup-check: dump the database, restore it into a scratch database and verify it
backup-check: $(BIN)/.installed
	$(BIN)/python manage.py backup_check

## frontend: rebuild the vendored NHS.UK frontend under static/ (needs Node and npm)
frontend:
	cd static/build && ./build.sh

## fixture: rebuild the system fixture from an extraction of the source documents
fixture: $(BIN)/.installed
	$(BIN)/python manage.py build_system_fixture $(EXTRACTION) places/fixtures/cw_ics.editorial.json places/fixtures/cw_ics.json --documents places/fixtures/documents

## second-system: rebuild the second (synthetic) system from C&W's data files, renamed
second-system: $(BIN)/.installed
	$(BIN)/python manage.py build_renamed_system $(EXTRACTION) places/fixtures/cw_ics.editorial.json places/fixtures/second_system/rename.json places/fixtures/second_system/en_ics.json --documents places/fixtures/documents

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
