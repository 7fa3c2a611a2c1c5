"""Start the real service (`soul serve`) in a subprocess on a free port, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

TEST_ENV = {
    "APP_ENV": "test",
    "JWT_SECRET_ENV": "test-jwt-secret-that-is-long-enough-0123456789",
    "ARGON2_PEPPER_ENV": "test-pepper-0123456789",
    "COOKIE_SECURE": "false",
    "LOG_LEVEL": "warning",
    "LLM_MODE": "scripted",
    # The agent's own thoughts would race the tests' expectations; a module that tests
    # thinking turns it on in its SERVER_ENV.
    "THINKING_ENABLED": "false",
    # Every test client comes from 127.0.0.1 and the suites make far more guests and queue
    # more replies than one address should: the fairness limits are tested where set low.
    "GUEST_SIGNUPS_PER_HOUR": "100000",
    "MAX_PENDING_REPLIES_PER_USER": "100000",
    "MAX_PENDING_REPLIES_PER_ADDRESS": "100000",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start(data_dir: Path, env: dict[str, str] | None = None, port: int | None = None) -> Server:
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / f"server-{port}.log"
    full_env = {**os.environ, **TEST_ENV, "DATA_DIR": str(data_dir), **(env or {})}
    log_file = log_path.open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "synthetic_soul.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=full_env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}/v1/meta/ping", timeout=1).status_code == 200:
                return Server(url, process, data_dir, log_path)
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not answer in time:\n{log_path.read_text()}")


def stop(server: Server, sig: int = signal.SIGTERM) -> None:
    if server.process.poll() is None:
        server.process.send_signal(sig)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextmanager
def running(data_dir: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    server = start(data_dir, env)
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
