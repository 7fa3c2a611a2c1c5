"""Start the real service (`soul serve`) in a subprocess on a free port, for the end-to-end
tests and the benchmarks (bench/benchlib.py gives its own `Launch`); workers.py and redis.py
start the rest of a scaled-out deployment the same way."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

# The secrets and settings every process the harness starts runs on.
SERVICE_ENV = {
    "APP_ENV": "test",
    "JWT_SECRET_ENV": "test-jwt-secret-that-is-long-enough-0123456789",
    "ARGON2_PEPPER_ENV": "test-pepper-0123456789",
    "COOKIE_SECURE": "false",
    "LOG_LEVEL": "warning",
    "LLM_MODE": "scripted",
    # Recall by words alone, unreranked, unless a test asks for more: whether the embedding
    # and reranking models have been pulled into the user's cache (the model tests pull them)
    # must not change a run.
    "EMBEDDER": "off",
    "RERANKER": "off",
}


def lifted_limits(ceiling: int) -> dict[str, str]:
    """The fairness limits at `ceiling`: every client of a test or bench comes from 127.0.0.1
    and makes far more guests and queues more replies than one address should; the limits are
    tested (and measured) where a module sets them low."""
    value = str(ceiling)
    return {
        "GUEST_SIGNUPS_PER_HOUR": value,
        "MAX_PENDING_REPLIES_PER_USER": value,
        "MAX_PENDING_REPLIES_PER_ADDRESS": value,
    }


TEST_ENV = {
    **SERVICE_ENV,
    # The agent's own thoughts would race the tests' expectations; a module that tests
    # thinking turns it on in its SERVER_ENV.
    "THINKING_ENABLED": "false",
    **lifted_limits(100_000),
}


@dataclass(frozen=True)
class Launch:
    """What differs between callers of the harness: the settings beneath each process's own
    env, whether a process runs in its DATA_DIR (a bench's stray files land beside its store)
    or in the caller's working directory, and how long a server has to stop before it is
    killed."""

    settings: Mapping[str, str]
    in_data_dir: bool
    stop_timeout_s: float

    def spawn(
        self, command: Sequence[str], data_dir: Path, env: Mapping[str, str], log_path: Path
    ) -> subprocess.Popen[bytes]:
        """`python [command]` on DATA_DIR=data_dir, stdout and stderr appended to log_path."""
        data_dir.mkdir(parents=True, exist_ok=True)
        full_env = {**os.environ, **self.settings, "DATA_DIR": str(data_dir), **env}
        cwd = data_dir if self.in_data_dir else None
        with log_path.open("ab") as log:
            return subprocess.Popen(
                [sys.executable, *command],
                env=full_env,
                cwd=cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
            )


TESTS = Launch(TEST_ENV, in_data_dir=False, stop_timeout_s=15.0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def stop_process(
    process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout_s: float = 20.0
) -> None:
    """`sig` (SIGTERM: a server drains, a worker finishes its current job first), SIGKILL if
    the process lingers past `timeout_s`."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    data_dir: Path
    log_path: Path
    launch: Launch
    profiled: bool = False

    host: ClassVar[str] = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start(
    data_dir: Path,
    env: Mapping[str, str] | None = None,
    port: int | None = None,
    *,
    launch: Launch = TESTS,
    profile_to: Path | None = None,
) -> Server:
    """`soul serve` on a free loopback port (optionally under cProfile, writing `profile_to`);
    returns once it answers /v1/meta/ping."""
    port = port or free_port()
    log_path = data_dir / f"server-{port}.log"
    profiler = [] if profile_to is None else ["-m", "cProfile", "-o", str(profile_to)]
    command = [*profiler, "-m", "synthetic_soul.cli", "serve", "--host", Server.host]
    process = launch.spawn([*command, "--port", str(port)], data_dir, env or {}, log_path)
    server = Server(port, process, data_dir, log_path, launch, profiled=profile_to is not None)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/v1/meta/ping", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError(f"server did not answer in time:\n{server.log()}")


def stop(server: Server, sig: int | None = None) -> None:
    """SIGTERM by default; a profiled server gets SIGINT, which uvicorn re-raises as a
    KeyboardInterrupt that lets cProfile write its file on the way out (SIGTERM would not)."""
    if sig is None:
        sig = signal.SIGINT if server.profiled else signal.SIGTERM
    stop_process(server.process, sig, server.launch.stop_timeout_s)


@contextmanager
def running(
    data_dir: Path,
    env: Mapping[str, str] | None = None,
    *,
    launch: Launch = TESTS,
    profile_to: Path | None = None,
) -> Iterator[Server]:
    """A server on data_dir (several may share one store), always stopped."""
    server = start(data_dir, env, launch=launch, profile_to=profile_to)
    try:
        yield server
    finally:
        stop(server)


def for_module(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The server of one test module (its `SERVER_ENV`, if any, added to the settings), in a
    data folder of its own; what a module-scoped `server` fixture yields from."""
    env: dict[str, str] = dict(getattr(request.module, "SERVER_ENV", {}))
    name = request.module.__name__.rsplit(".", 1)[-1]
    with running(tmp_path_factory.mktemp(f"data-{name}"), env) as server:
        yield server
