"""Adapter fixtures for the port contract suites.

Each port has one parametrised fixture. A new adapter (MongoDB store, RQ queue, Redis bus,
Redis limiter) joins every contract test by adding its name to `params` and one branch that
builds it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis

from synthetic_soul.adapters.events.memory import MemoryEventBus
from synthetic_soul.adapters.events.redis import RedisEventBus
from synthetic_soul.adapters.limits.memory import MemoryRateLimiter
from synthetic_soul.adapters.limits.redis import RedisRateLimiter
from synthetic_soul.adapters.queue.inline import InlineJobQueue
from synthetic_soul.adapters.queue.rq import RQJobQueue
from synthetic_soul.adapters.store.mongo import MongoStore
from synthetic_soul.adapters.store.sqlite import SQLiteStore
from synthetic_soul.ports import Clock, EventBus, Store
from tests.contract.builders import (
    Deployment,
    FakeClock,
    LimiterHarness,
    QueueFactory,
    StoreFactory,
)
from tests.contract.rq_workers import RUN_JOB, RQWorkers
from tests.support import mongo
from tests.support.memory_store import MemoryData, MemoryStore
from tests.support.redis import Redis, redis_client, running_redis


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- Store ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    """One MongoDB for the session (SecantusDB in this process unless SOUL_TEST_MONGO_URL)."""
    if mongo.EXTERNAL_URL:
        yield mongo.EXTERNAL_URL
        return
    server = mongo.in_process()
    try:
        yield server.uri
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "mongo", "memory"])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Makes (unopened) stores that all see the same data: a reopen sees earlier writes."""
    if request.param == "sqlite":
        path = tmp_path / "soul.sqlite3"
        yield lambda: SQLiteStore(path)
    elif request.param == "mongo":
        uri: str = request.getfixturevalue("mongo_uri")  # started only if a test needs it
        database = mongo.database_name()  # a database of this test's own
        yield lambda: MongoStore(uri, database)
        mongo.drop_database(uri, database)
    elif request.param == "memory":
        data = MemoryData()  # what the test's stores share, as they would share one file
        yield lambda: MemoryStore(data)
    else:  # pragma: no cover - a param without a branch is a mistake in this file
        raise AssertionError(f"no store backend {request.param!r}")


@pytest.fixture
async def store(store_factory: StoreFactory) -> AsyncIterator[Store]:
    opened = store_factory()
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


# -- EventBus ------------------------------------------------------------------------------
@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[EventBus]:
    client = None
    if request.param == "memory":
        made: EventBus = MemoryEventBus()
    elif request.param == "redis":
        client = redis_client()
        made = RedisEventBus(client, prefix=f"test:{uuid.uuid4().hex}:")
    else:  # pragma: no cover
        raise AssertionError(f"no event bus backend {request.param!r}")
    try:
        yield made
    finally:
        await made.close()
        if client is not None:
            await client.aclose()


# -- RateLimiter ---------------------------------------------------------------------------
@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[LimiterHarness]:
    clock = FakeClock()

    async def advance(seconds: float) -> None:
        clock.advance(seconds)

    if request.param == "memory":
        yield LimiterHarness(MemoryRateLimiter(clock), advance)
    elif request.param == "redis":
        client = redis_client()
        try:
            prefix = f"test:{uuid.uuid4().hex}:"
            yield LimiterHarness(RedisRateLimiter(client, clock, prefix), advance)
        finally:
            await client.aclose()
    else:  # pragma: no cover
        raise AssertionError(f"no rate limiter backend {request.param!r}")


# -- JobQueue ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def rq_redis() -> Iterator[Redis]:
    """One redis-server of the suite's own for the RQ queue (its queue names are fixed)."""
    with running_redis() as server:
        yield server


@pytest.fixture(params=["inline", "rq"])
async def queue_factory(request: pytest.FixtureRequest) -> AsyncIterator[QueueFactory]:
    """Makes queues and their workers over a given store; every deployment made has its workers
    stopped at the end of the test. RQ: an empty Redis, real RQ workers in threads (rq_workers)."""
    made: list[Deployment] = []
    connections: list[redis.Redis] = []
    if request.param == "rq":
        server: Redis = request.getfixturevalue("rq_redis")
        server.flush()

    def make(store: Store, clock: Clock, workers: int, max_attempts: int) -> Deployment:
        if request.param == "inline":
            inline = InlineJobQueue(store, clock, workers, max_attempts)
            deployment = Deployment(inline, inline)
        elif request.param == "rq":
            connection = redis.Redis.from_url(server.url)
            connections.append(connection)
            queue = RQJobQueue(connection, job_timeout_s=60, function=RUN_JOB)
            deployment = Deployment(queue, RQWorkers(server.url, workers))
        else:  # pragma: no cover
            raise AssertionError(f"no job queue backend {request.param!r}")
        made.append(deployment)
        return deployment

    try:
        yield make
    finally:
        for deployment in made:
            await deployment.workers.stop()
        for connection in connections:
            connection.close()
