"""Turns: one holder per user; a waiter hears the release, never sleeps out the lease."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from synthetic_soul.adapters.events.memory import MemoryEventBus
from synthetic_soul.job_handlers import Busy
from synthetic_soul.mind.turns import Turns
from tests.support.memory_store import MemoryStore
from tests.unit.fakes import FakeClock

pytestmark = pytest.mark.anyio
KEY = "turn:jasmine:ada"


@pytest.fixture
async def turns() -> AsyncIterator[Turns]:
    yield Turns(MemoryStore(), MemoryEventBus(), FakeClock(), ttl_s=60.0)


async def test_a_second_holder_is_told_busy(turns: Turns) -> None:
    async with turns.hold(KEY, "job-a"):
        with pytest.raises(Busy):
            async with turns.hold(KEY, "job-b"):
                pytest.fail("two holders at once")
    async with turns.hold(KEY, "job-b"):
        pass


async def test_every_waiter_hears_the_turn_come_free(turns: Turns) -> None:
    """Many waiters check at once; each must return soon after the holder lets go, not
    after the lease's half-life of waiting (30 s here)."""
    async with turns.hold(KEY, "job-a"):
        waiters = [asyncio.create_task(turns.free(KEY, f"job-{i}")) for i in range(8)]
        await asyncio.sleep(0.05)
        assert not any(w.done() for w in waiters)
    async with asyncio.timeout(2):
        await asyncio.gather(*waiters)
    async with turns.hold(KEY, "job-z"):  # and nobody kept the turn
        pass
