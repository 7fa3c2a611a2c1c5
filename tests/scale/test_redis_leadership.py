"""One scheduler across processes: a Redis key with expiry names the leader."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from synthetic_soul.adapters.locks.redis import RedisLeadership
from tests.support.redis import redis_client

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client() -> AsyncIterator[aioredis.Redis]:
    c = redis_client()
    try:
        yield c
    finally:
        await c.aclose()


async def test_one_process_leads_and_keeps_leading(client: aioredis.Redis) -> None:
    key = f"test:{uuid.uuid4().hex}:leader"
    a, b = RedisLeadership(client, key), RedisLeadership(client, key)
    assert await a() is True
    assert await b() is False
    assert await a() is True  # renewed, still the leader
    assert await b() is False


async def test_a_clean_stop_hands_over_at_once(client: aioredis.Redis) -> None:
    key = f"test:{uuid.uuid4().hex}:leader"
    a, b = RedisLeadership(client, key), RedisLeadership(client, key)
    assert await a()
    await b.release()  # not the holder: changes nothing
    assert not await b()
    await a.release()
    assert await b()


async def test_the_lead_passes_on_when_the_leader_dies(client: aioredis.Redis) -> None:
    key = f"test:{uuid.uuid4().hex}:leader"
    dead, survivor = RedisLeadership(client, key, ttl_s=0.3), RedisLeadership(client, key)
    assert await dead()
    assert not await survivor()
    await asyncio.sleep(0.4)  # the leader stopped renewing (it died): the key expires
    assert await survivor()
    assert not await dead()


async def test_without_redis_nobody_leads() -> None:
    unreachable = aioredis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    try:
        assert await RedisLeadership(unreachable)() is False
    finally:
        await unreachable.aclose()
