# Two commands for a newcomer: `make outlook` (the quarterly outlook on the bundled data, in
# reports/<quarter>/) and `make test` (the test suite). Both create .venv from requirements.lock
# on first use. `make forecast` prints the headline forecast of every model.

PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: outlook forecast test test-fast lint venv clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "datawall needs Python >= 3.12 (see .python-version)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

outlook: $(STAMP)
	$(BIN)/datawall outlook

forecast: $(STAMP)
	$(BIN)/datawall forecast all

test: $(STAMP)
	$(BIN)/ruff check forecast tests benchmarks
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check forecast tests benchmarks
	$(BIN)/ruff format --check forecast tests benchmarks

clean:
	rm -rf $(VENV) runs
