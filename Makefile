# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint typecheck unit e2e bench images clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) ## install into .venv (leaves .venv/bin/soul)

run: setup ## start the service at http://127.0.0.1:8000 on the embedded defaults
	$(BIN)/soul serve

lint: setup
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: setup
	$(BIN)/mypy

test: lint typecheck ## the whole suite: lint, types, unit, contract, end to end
	$(BIN)/python -m pytest

unit: setup
	$(BIN)/python -m pytest tests/unit tests/contract

e2e: setup
	$(BIN)/python -m pytest -m e2e

bench: setup ## measure (never fails on timing); see bench/README.md
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/sse_fanout.py

images: setup ## redraw the default agent's expression images
	$(BIN)/python scripts/draw_expressions.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
