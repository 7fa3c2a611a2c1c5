"""Reaching the deployment's Redis: plain, over TLS with a CA, and the development escape."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from synthetic_soul.adapters.redis_connection import async_redis, sync_redis
from synthetic_soul.settings import InsecureSettingsError, Settings
from tests.support.server import free_port

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def settings(**env: Any) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """A redis-server speaking only TLS, with a self-signed certificate for 127.0.0.1."""
    for tool in ("openssl", "redis-server"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    make_cert = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    make_cert += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
    make_cert += ["-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(make_cert, check=True, capture_output=True)
    port = free_port()
    command = ["redis-server", "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1"]
    command += ["--tls-cert-file", str(cert), "--tls-key-file", str(key)]
    command += ["--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no", "--save", ""]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        probe = redis.Redis(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=str(cert))
        while True:
            try:
                probe.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield port, cert
    finally:
        server.terminate()
        server.wait(10)


def test_tls_url_wins_and_plain_is_the_default() -> None:
    assert settings().redis_target == "redis://127.0.0.1:6379/0"
    assert settings(REDIS_URL="redis://r:6379/2").redis_target == "redis://r:6379/2"
    both = settings(REDIS_URL="redis://r:6379/2", REDIS_TLS_URL="rediss://r:6380/2")
    assert both.redis_target == "rediss://r:6380/2"


async def test_tls_with_the_ca_certificate(tls_redis: tuple[int, Path]) -> None:
    port, cert = tls_redis
    s = settings(REDIS_TLS_URL=f"rediss://127.0.0.1:{port}/0", REDIS_CA_CERT=str(cert))
    client = async_redis(s.redis)
    try:
        assert await client.ping()
    finally:
        await client.aclose()
    assert sync_redis(s.redis).ping()


async def test_tls_refuses_an_unknown_certificate_unless_told_not_to_check(
    tls_redis: tuple[int, Path],
) -> None:
    port, _ = tls_redis
    url = f"rediss://127.0.0.1:{port}/0"
    with pytest.raises(redis.ConnectionError):
        sync_redis(settings(REDIS_TLS_URL=url).redis).ping()
    s = settings(REDIS_TLS_URL=url, REDIS_TLS_INSECURE_SKIP_VERIFY="true")
    assert sync_redis(s.redis).ping()


def test_skipping_verification_is_refused_outside_development() -> None:
    production = settings(
        APP_ENV="production",
        JWT_SECRET_ENV="j" * 40,
        ARGON2_PEPPER_ENV="p" * 20,
        REDIS_TLS_INSECURE_SKIP_VERIFY="true",
    )
    with pytest.raises(InsecureSettingsError, match="REDIS_TLS_INSECURE_SKIP_VERIFY"):
        production.check_secrets()
    settings(APP_ENV="development", REDIS_TLS_INSECURE_SKIP_VERIFY="true").check_secrets()
