# Every target creates .venv and installs from pyproject.toml on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo demo-file test lint typecheck unit bench soak dist clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The sandbox's demo boards on Trello, Asana and monday.com: matrix, plan, dry-run, sync, no-op dry-run.
demo: $(STAMP)
	$(BIN)/moteur demo

# The same engine on a plain CSV action plan.
demo-file: $(STAMP)
	$(BIN)/moteur plan file:examples/marketing-plan.csv --config examples/moteur.toml

lint: $(STAMP)
	$(BIN)/ruff check moteur tests benchmarks
	$(BIN)/ruff format --check moteur tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy moteur

unit: $(STAMP)
	$(BIN)/pytest -n 2 -m "not soak"

# The long fault soak: every connector, many fault seeds; prints one line of figures per seed.
soak: $(STAMP)
	$(BIN)/pytest -m soak -s tests/soak

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The sdist and the wheel in dist/, the wheel built from the sdist in an isolated environment with the
# [build-system] requirements (setuptools from PyPI); tests/test_wheel.py builds them the same way.
dist: $(STAMP)
	$(BIN)/pip install --quiet build
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build dist
