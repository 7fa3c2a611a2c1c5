# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# llama-cpp-python compiles llama.cpp. On x86-64 it is built for the instruction sets this
# host's CPU reports (/proc/cpuinfo: AVX2, AVX-512, VNNI, ...) and no others: llama.cpp's own
# default, -march=native, once crashed at the first token in ggml's AMX path on a server CPU,
# so AMX stays off. Other machines (arm64: NEON, Apple: Metal) build for the host.
# LLAMA_CPU_ARGS replaces the detected set; LLAMA_CMAKE_ARGS adds to it, and wins where they
# overlap (a GPU: -DGGML_CUDA=on, -DGGML_VULKAN=on; all layers then go to it). See
# docs/operations.md#the-embedded-models-build.
# For a build that runs on other x86-64 machines than this one (the Dockerfile's default).
LLAMA_PORTABLE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
ifeq ($(shell uname -m),x86_64)
HOST_CPU_FLAGS := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2)
# cpuinfo flags (all of those joined by +) : the ggml option they allow
LLAMA_ISA := sse4_2:SSE42 avx:AVX avx2:AVX2 fma:FMA f16c:F16C bmi2:BMI2 avx_vnni:AVX_VNNI \
  avx512f+avx512cd+avx512vl+avx512dq+avx512bw:AVX512 avx512vbmi:AVX512_VBMI \
  avx512_vnni:AVX512_VNNI avx512_bf16:AVX512_BF16
isa_option = -DGGML_$(2)=$(if $(filter-out $(HOST_CPU_FLAGS),$(subst +, ,$(1))),OFF,ON)
# Every option stated, ON or OFF: with GGML_NATIVE off, ggml turns the AVX2 set on by default.
LLAMA_CPU_ARGS ?= -DGGML_NATIVE=OFF $(foreach pair,$(LLAMA_ISA),$(call isa_option,$(word \
  1,$(subst :, ,$(pair))),$(word 2,$(subst :, ,$(pair))))) \
  -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
else
LLAMA_CPU_ARGS ?=
endif
LLAMA_CMAKE_ARGS ?=
LLAMA_BUILD_ARGS := $(strip $(LLAMA_CPU_ARGS) $(LLAMA_CMAKE_ARGS))

.PHONY: setup chromium run test lint typecheck unit e2e bench images clean llama-cmake-args

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "installing (the first time compiles llama.cpp: about 5 minutes on 2 cores)"
	CMAKE_ARGS="$(LLAMA_BUILD_ARGS)" $(BIN)/python -m pip install --quiet -e '.[dev,embedded]'
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

llama-cmake-args: ## print the llama.cpp build flags (bench/llama_ceiling.py builds llama-bench with them)
	@echo '$(LLAMA_BUILD_ARGS)'

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
