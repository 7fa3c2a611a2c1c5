"""Redis for the tests and benchmarks: this machine's, or a redis-server of the caller's own.

`redis_client` is on this machine's Redis, on a database of the tests' own:
`SOUL_TEST_REDIS_URL` points elsewhere (default `redis://127.0.0.1:6379/9`). Tests keep apart
by prefixing every key and channel with a fresh uuid (pub/sub ignores databases).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import redis.asyncio as aioredis

from tests.support.server import free_port, stop_process

REDIS_URL = os.environ.get("SOUL_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def redis_client() -> aioredis.Redis:
    return aioredis.Redis.from_url(REDIS_URL)


def redis_server(port: int) -> subprocess.Popen[bytes]:
    """A redis-server of the caller's own on a loopback port (it keeps nothing on disk)."""
    if shutil.which("redis-server") is None:
        raise RuntimeError("redis-server is not installed (Debian: apt install redis-server)")
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)


@dataclass
class Redis:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        return self.process.pid

    def flush(self) -> None:
        """FLUSHALL: no queue, registry, rate count or lock left from the previous run."""
        self.command(b"FLUSHALL")

    def command(self, *words: bytes) -> bytes:
        """One command in RESP, its first reply line (enough for PING and FLUSHALL)."""
        request = b"*%d\r\n" % len(words) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in words)
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(request)
            return s.makefile("rb").readline().strip()


@contextmanager
def running_redis() -> Iterator[Redis]:
    """A redis-server on a free port, once it answers PING; always stopped."""
    port = free_port()
    redis = Redis(port, redis_server(port))
    try:
        deadline = time.monotonic() + 10
        while True:
            with suppress(OSError):
                if redis.command(b"PING") == b"+PONG":
                    break
            if redis.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {port} did not start")
            time.sleep(0.05)
        yield redis
    finally:
        stop_process(redis.process)


def rq_env(redis_url: str, delay_ms: int) -> dict[str, str]:
    """Env of every API and worker process of the scaled-out service, scripted model."""
    return {
        "QUEUE_BACKEND": "rq",
        "REDIS_URL": redis_url,
        "SCRIPTED_DELAY_MS": str(delay_ms),
        "THINKING_ENABLED": "false",  # no scheduled think jobs among the measured ones
    }
