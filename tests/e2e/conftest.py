"""Fixtures for the end-to-end suite: the real service in a subprocess, one per test module.

A module may set `SERVER_ENV = {...}` to start its server with extra environment variables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.helpers import client
from tests.support.server import Server, for_module, start, stop


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    yield from for_module(request, tmp_path_factory)


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with client(server.url) as c:
        yield c


Spawn = Callable[..., Server]


@pytest.fixture
def spawn() -> Iterator[Spawn]:
    """Start extra servers inside one test (e.g. to restart on the same DATA_DIR)."""
    started: list[Server] = []

    def _spawn(data_dir: Path, env: dict[str, str] | None = None) -> Server:
        s = start(data_dir, env)
        started.append(s)
        return s

    yield _spawn
    for s in started:
        stop(s)
