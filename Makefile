# Braid: `make demo` serves a synthetic community; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
export BRAID_DATA_DIR ?= $(CURDIR)/var
# Where `make demo` serves: `make demo PORT=8011` when 8000 is taken.
PORT ?= 8000

.PHONY: demo test lint check browser clean constraints

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Braid needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	@touch $@

$(DEV): $(RUNTIME) pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

# var/ holds children's names and dates of birth: owner-only, even when an
# older Braid made it readable by others.
demo: $(RUNTIME)
	@if [ -d var ]; then chmod go-rwx var; fi
	$(BIN)/braid demo --address 127.0.0.1:$(PORT)

test: $(DEV) browser
	BRAID_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest $(PYTEST_ARGS)

browser:
	@scripts/ensure-chromium

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy braid
	BRAID_DATA_DIR=$(CURDIR)/var/test $(BIN)/braid makemigrations --check --dry-run

check: lint test

# Re-pin what CI installs to what this virtual environment holds.
constraints: $(DEV)
	$(BIN)/pip freeze --exclude-editable --exclude braid > constraints.txt

clean:
	rm -rf $(VENV) var build *.egg-info
