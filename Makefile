# On a fresh machine with Python 3.11+, these targets do all the set-up themselves.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: test demo run lint catalogs clean bench bench-scale

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "interview-bot needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

## test: lint, types, the dependency rule, then the whole suite (SQLite; PostgreSQL too
## when TEST_DATABASE_URL is set)
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n auto

## demo: play a whole interview against a local Slack stand-in, no Slack or tokens needed
demo: $(STAMP)
	$(VENV)/bin/interview-bot demo

## run: run the app against real Slack (needs a .env; see README)
run: $(STAMP)
	$(VENV)/bin/interview-bot run

## lint: ruff, mypy and the dependency rule, without the suite
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

## catalogs: extract user-facing strings and merge them into the en/et/fi catalogs
catalogs: $(STAMP)
	$(PY) -m bot.catalogs

## bench: bursts of Slack requests at the app and at bare Bolt; writes benchmarks/RESULTS.md
bench: $(STAMP)
	$(PY) -m benchmarks.run

## bench-scale: three years of one busy workspace (100,000 interviews) seeded in bulk into
## SQLite and PostgreSQL; App Home, /interview list, a summary, a 50-reminder sweep, the
## retention scan and the calibration report timed on each; writes benchmarks/RESULTS.md
bench-scale: $(STAMP)
	$(PY) -m benchmarks.scale

clean:
	rm -rf $(VENV) *.egg-info
