"""EventBus contract: channel fan-out, timeouts, and subscriptions scoped to their block."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest

from synthetic_soul.ports import EventBus

pytestmark = pytest.mark.anyio

WAIT = 2.0  # generous: an event that should arrive does so at once
SHORT = 0.05  # an event that should not arrive is given this long to prove it


async def test_publish_reaches_every_subscriber_of_the_channel_only(bus: EventBus) -> None:
    async with (
        bus.subscribe("job:1") as first,
        bus.subscribe("job:1") as second,
        bus.subscribe("job:2") as other,
    ):
        await bus.publish("job:1", {"event": "status", "n": 1})
        assert await first.next(WAIT) == {"event": "status", "n": 1}
        assert await second.next(WAIT) == {"event": "status", "n": 1}
        assert await other.next(SHORT) is None


async def test_events_arrive_in_publish_order(bus: EventBus) -> None:
    async with bus.subscribe("job:1") as sub:
        for n in range(5):
            await bus.publish("job:1", {"n": n})
        assert [await sub.next(WAIT) for _ in range(5)] == [{"n": n} for n in range(5)]


async def test_next_returns_none_on_timeout(bus: EventBus) -> None:
    async with bus.subscribe("quiet") as sub:
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await sub.next(0.1) is None
        assert loop.time() - started >= 0.09


async def test_next_wakes_as_soon_as_an_event_is_published(bus: EventBus) -> None:
    async with bus.subscribe("job:1") as sub:

        async def later() -> None:
            await asyncio.sleep(0.05)
            await bus.publish("job:1", {"event": "done"})

        task = asyncio.create_task(later())
        assert await sub.next(WAIT) == {"event": "done"}
        await task


async def test_events_before_subscribing_are_not_delivered(bus: EventBus) -> None:
    await bus.publish("job:1", {"n": "early"})
    async with bus.subscribe("job:1") as sub:
        assert await sub.next(SHORT) is None
        await bus.publish("job:1", {"n": "late"})
        assert await sub.next(WAIT) == {"n": "late"}


async def test_leaving_the_block_unsubscribes(bus: EventBus) -> None:
    async with bus.subscribe("job:1") as sub:
        pass
    await bus.publish("job:1", {"n": 1})  # nobody listens: must not fail
    assert await sub.next(SHORT) is None
    async with bus.subscribe("job:1") as again:
        await bus.publish("job:1", {"n": 2})
        assert await again.next(WAIT) == {"n": 2}


async def test_unsubscribes_when_the_block_raises(bus: EventBus) -> None:
    with pytest.raises(RuntimeError):
        async with bus.subscribe("job:1") as sub:
            raise RuntimeError("client went away")
    await bus.publish("job:1", {"n": 1})
    assert await sub.next(SHORT) is None


async def test_a_thousand_subscribers_all_get_the_event(bus: EventBus) -> None:
    async with AsyncExitStack() as stack:
        subs = [await stack.enter_async_context(bus.subscribe("crowd")) for _ in range(1000)]
        await bus.publish("crowd", {"event": "done"})
        got = await asyncio.gather(*(s.next(WAIT) for s in subs))
    assert got == [{"event": "done"}] * 1000
