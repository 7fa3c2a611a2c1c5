# syntax=docker/dockerfile:1
# Synthetic Soul: one image for `soul serve` (the default command) and `soul worker`.
#
#   docker build -t synthetic-soul .                                  # hosted/remote model
#   docker build -t synthetic-soul --build-arg WITH_EMBEDDED_MODEL=true .  # + llama.cpp
#
# Without the embedded model the image is small and starts in a second; set OPENAI_API_KEY
# (or COMPATIBLE_BASE_URL, OLLAMA_BASE_URL) so replies have a model. With it, llama.cpp is
# compiled here (about 5 minutes on 2 cores) and `soul model pull` fetches the weights into
# SOUL_MODEL_DIR (mount a volume there).

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ARG WITH_EMBEDDED_MODEL=false
# Empty: on x86-64 the Makefile's AVX2 flags (its default -march=native build crashes on
# some server CPUs), elsewhere llama.cpp's own defaults. Set it to build for another CPU.
ARG LLAMA_CMAKE_ARGS=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# Debian's current versions (pinning them would break with each security update).
# hadolint ignore=DL3008
RUN if [ "$WITH_EMBEDDED_MODEL" = "true" ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends build-essential cmake \
        && rm -rf /var/lib/apt/lists/*; \
    fi

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src

# The versions are pyproject.toml's ranges (the project keeps no lock file); pip's cache
# lives in a build cache mount so that a rebuild does not compile llama.cpp again.
# hadolint ignore=DL3013,DL3042
RUN --mount=type=cache,target=/root/.cache/pip \
    set -eu; \
    extras=scale; \
    if [ "$WITH_EMBEDDED_MODEL" = "true" ]; then \
        extras=scale,embedded; \
        if [ -z "$LLAMA_CMAKE_ARGS" ] && [ "$(uname -m)" = "x86_64" ]; then \
            LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"; \
        fi; \
    fi; \
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" pip install ".[$extras]"


FROM ${PYTHON_IMAGE} AS runtime
ARG WITH_EMBEDDED_MODEL=false
# llama.cpp is linked against OpenMP's runtime; nothing else needs a system package.
# hadolint ignore=DL3008
RUN if [ "$WITH_EMBEDDED_MODEL" = "true" ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends libgomp1 \
        && rm -rf /var/lib/apt/lists/*; \
    fi \
    && groupadd --system --gid 10001 soul \
    && useradd --system --uid 10001 --gid soul --create-home --home-dir /home/soul soul \
    && mkdir -p /app/data /app/models \
    && chown -R soul:soul /app

COPY --from=builder /opt/venv /opt/venv

# DATA_DIR holds the SQLite store (STORE_BACKEND=sqlite: mount a volume on /app/data),
# SOUL_MODEL_DIR the embedded model's weights.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATA_DIR=/app/data \
    SOUL_MODEL_DIR=/app/models

WORKDIR /app
# Numeric, so that a runtime checking for a non-root user (runAsNonRoot) can tell.
USER 10001:10001
EXPOSE 8000

# No curl in the slim image: the interpreter asks the liveness endpoint itself.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/v1/meta/ping' % os.environ.get('PORT', '8000'), timeout=4)"]

# The flag wins over a HOST left in an env file: inside a container only 0.0.0.0 is reachable.
# The port is PORT (default 8000), which the health check reads too.
CMD ["soul", "serve", "--host", "0.0.0.0"]
