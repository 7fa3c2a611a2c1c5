# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# llama-cpp-python compiles llama.cpp. Its default -march=native build crashes on the first
# token on some x86-64 server CPUs (ggml's AMX path), so x86-64 builds for AVX2; other
# machines (arm64: NEON, Apple: Metal) build for the host. Override to suit your CPU.
ifeq ($(shell uname -m),x86_64)
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
else
LLAMA_CMAKE_ARGS ?=
endif

.PHONY: setup chromium run test lint typecheck unit e2e bench images clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "installing (the first time compiles llama.cpp: about 5 minutes on 2 cores)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet -e '.[dev,embedded]'
	touch $(STAMP)

setup: $(STAMP) chromium ## install into .venv (leaves .venv/bin/soul)

# The dashboard's browser tests drive Debian's Chromium (never a downloaded browser). Missing
# and not installable (no apt-get, no root), the service still runs; those tests fail and say why.
chromium:
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && \
	  { if [ "$$(id -u)" = 0 ]; then apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; \
	    else sudo -n apt-get install -y chromium; fi; }; } || \
	  echo "note: chromium is not installed (try: sudo apt-get install chromium); the browser tests need it"

run: setup ## start the service at http://127.0.0.1:8000 on the embedded defaults
	$(BIN)/soul model pull
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
