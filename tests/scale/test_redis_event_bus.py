"""The Redis event bus beyond the port's contract: across processes, one connection, outages."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as aioredis

from synthetic_soul.adapters.events.redis import RedisEventBus
from tests.support.redis import redis_client, redis_server
from tests.support.server import free_port

pytestmark = pytest.mark.anyio

WAIT = 3.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def two_buses() -> AsyncIterator[tuple[RedisEventBus, RedisEventBus, aioredis.Redis]]:
    """Two buses on two connections, as two API processes would have them."""
    prefix = f"test:{uuid.uuid4().hex}:"
    a_client, b_client = redis_client(), redis_client()
    a, b = RedisEventBus(a_client, prefix), RedisEventBus(b_client, prefix)
    try:
        yield a, b, a_client
    finally:
        for bus in (a, b):
            await bus.close()
        for client in (a_client, b_client):
            await client.aclose()


async def test_an_event_published_by_one_process_reaches_a_stream_on_another(
    two_buses: tuple[RedisEventBus, RedisEventBus, aioredis.Redis],
) -> None:
    worker, api, _ = two_buses
    async with api.subscribe("job:7") as sub:
        await worker.publish("job:7", {"event": "done", "job_id": "7"})
        assert await sub.next(WAIT) == {"event": "done", "job_id": "7"}


async def test_many_local_streams_share_one_redis_subscription(
    two_buses: tuple[RedisEventBus, RedisEventBus, aioredis.Redis],
) -> None:
    worker, api, client = two_buses
    async with api.subscribe("job:1") as s1, api.subscribe("job:1") as s2:
        async with api.subscribe("job:1") as s3:
            channel = next(c for c in await client.pubsub_channels() if c.endswith(b"job:1"))
            assert dict(await client.pubsub_numsub(channel))[channel] == 1
            await worker.publish("job:1", {"n": 1})
            assert [await s.next(WAIT) for s in (s1, s2, s3)] == [{"n": 1}] * 3
        assert api.subscriber_count() == 2
    assert api.subscriber_count() == 0
    # The last one out unsubscribed in Redis too.
    assert not [c for c in await client.pubsub_channels() if c.endswith(b"job:1")]


@pytest.fixture
def own_redis() -> Iterator[int]:
    """The port of a Redis the test may stop; whatever runs there is stopped at the end."""
    port = free_port()
    first = redis_server(port)
    try:
        yield port
    finally:
        first.terminate()
        first.wait(10)


async def test_the_bus_comes_back_after_redis_restarts(own_redis: int) -> None:
    port = own_redis
    url = f"redis://127.0.0.1:{port}/0"
    await _until_up(url)
    sub_client, pub_client = aioredis.Redis.from_url(url), aioredis.Redis.from_url(url)
    bus, publisher = RedisEventBus(sub_client), RedisEventBus(pub_client)
    try:
        async with bus.subscribe("job:9") as sub:
            await publisher.publish("job:9", {"n": 1})
            assert await sub.next(WAIT) == {"n": 1}

            await pub_client.shutdown(nosave=True)  # Redis goes away...
            await asyncio.sleep(0.3)
            restarted = redis_server(port)
            try:
                await _until_up(url)  # ...and comes back, empty
                # The reader reconnects and subscribes again; then events flow once more.
                async with asyncio.timeout(10):
                    while True:
                        await publisher.publish("job:9", {"n": 2})
                        if await sub.next(0.2) == {"n": 2}:
                            break
            finally:
                restarted.terminate()
                restarted.wait(10)
    finally:
        await bus.close()
        await publisher.close()
        await sub_client.aclose()
        await pub_client.aclose()


async def _until_up(url: str) -> None:
    client = aioredis.Redis.from_url(url)
    try:
        async with asyncio.timeout(10):
            while True:
                try:
                    if await client.ping():
                        return
                except (OSError, aioredis.ConnectionError):
                    await asyncio.sleep(0.05)
    finally:
        await client.aclose()
