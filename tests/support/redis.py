"""The real Redis the tests use: this machine's, on a database of the tests' own.

`SOUL_TEST_REDIS_URL` points elsewhere (default `redis://127.0.0.1:6379/9`). Tests keep
apart by prefixing every key and channel with a fresh uuid (pub/sub ignores databases).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import redis.asyncio as aioredis

REDIS_URL = os.environ.get("SOUL_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def redis_client() -> aioredis.Redis:
    return aioredis.Redis.from_url(REDIS_URL)


def redis_server(port: int) -> subprocess.Popen[bytes]:
    """A redis-server of the test's own (it keeps nothing on disk)."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (Debian: apt install redis-server)")
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)
