# Every target creates .venv and installs from pyproject.toml on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo demo-file test lint typecheck unit perf bench soak dist clean messages

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
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy moteur

unit: $(STAMP)
	$(BIN)/pytest -n 2 -m "not soak and not perf"

# The long tests (marker ``perf``): the 100,000-row and 2,000-item ones and each test over about 20 s. Left out of
# `make unit` so that the loop of editing and testing stays short; CI runs them after `make test` (.ci/run).
perf: $(STAMP)
	$(BIN)/pytest -n 2 -m "perf and not soak"

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

# The French catalogue: extract every message of the code (English, the msgids) into build/moteur.pot, merge it
# into moteur/locale/fr/LC_MESSAGES/moteur.po (translate the new entries there: no fuzzy, none empty; the test
# tests/test_i18n_catalogue.py says which), then compile moteur.mo beside it. Commit both.
BABEL_KEYWORDS := -k Phrase -k counted:1,2 -k plural:2,3
LOCALES        := moteur/locale
messages: $(STAMP)
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --add-location=file --sort-output --no-wrap \
		--project=moteur --copyright-holder="moteur's authors" -o build/moteur.pot moteur
	$(BIN)/pybabel update -i build/moteur.pot -d $(LOCALES) -D moteur -l fr --ignore-obsolete --no-wrap
	$(BIN)/pybabel compile -d $(LOCALES) -D moteur -l fr --statistics

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build dist
