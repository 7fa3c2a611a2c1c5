"""Watching a job: only its owner may, each look counts, and its events arrive as pushed."""

from __future__ import annotations

import asyncio

import pytest

from synthetic_soul.adapters.events.memory import MemoryEventBus
from synthetic_soul.adapters.limits.memory import MemoryRateLimiter
from synthetic_soul.auth.ratelimit import LIMITS
from synthetic_soul.domain.conversation import Message
from synthetic_soul.errors import NotFound, RateLimited
from synthetic_soul.job_handlers import job_channel
from synthetic_soul.records import Job
from synthetic_soul.usecases.watching import JobEvent, Watching
from tests.support.memory_store import MemoryStore
from tests.unit.fakes import FakeClock

pytestmark = pytest.mark.anyio

OWNER = "owner-1"


class World:
    def __init__(self, keepalive_s: float = 5.0) -> None:
        self.clock = FakeClock()
        self.store = MemoryStore()
        self.bus = MemoryEventBus()
        self.watching = Watching(self.store, self.bus, MemoryRateLimiter(self.clock), keepalive_s)

    async def submit(self) -> Job:
        now = self.clock.now()
        job = Job.queued("job-1", OWNER, "reply", "default", {}, now)
        message = Message("msg-1", "", "hi", now, OWNER, "ada", False, job_id=job.id)
        await self.store.submit_message(job, message, "jasmine")
        return job


async def test_only_the_owner_may_poll_a_job() -> None:
    world = World()
    job = await world.submit()

    assert (await world.watching.poll(job.id, OWNER)).id == job.id
    with pytest.raises(NotFound):
        await world.watching.poll(job.id, "someone-else")
    with pytest.raises(NotFound):
        await world.watching.poll("no-such-job", OWNER)


async def test_polling_past_the_limit_is_refused() -> None:
    world = World()
    job = await world.submit()
    for _ in range(LIMITS["job_poll"]):
        await world.watching.poll(job.id, OWNER)

    with pytest.raises(RateLimited):
        await world.watching.poll(job.id, OWNER)


async def test_a_stranger_is_refused_before_any_event() -> None:
    world = World()
    job = await world.submit()

    with pytest.raises(NotFound):
        await world.watching.follow(job.id, "someone-else")


async def test_a_finished_job_gives_its_status_and_done_at_once() -> None:
    world = World()
    job = await world.submit()
    await world.store.start_job(job.id, world.clock.now())
    await world.store.finish_job(job.id, "succeeded", {"ok": True}, None, world.clock.now())

    events = [e async for e in await world.watching.follow(job.id, OWNER)]

    assert [e.name for e in events if e is not None] == ["status", "done"]
    assert events[-1] is not None and events[-1].data["result"] == {"ok": True}


async def test_events_pushed_while_watching_arrive_in_order_until_done() -> None:
    world = World(keepalive_s=0.05)
    job = await world.submit()
    stream = await world.watching.follow(job.id, OWNER)
    seen: list[JobEvent | None] = [await anext(stream)]  # subscribed: the status came

    await asyncio.sleep(0.12)  # quiet: keep-alive ticks
    seen.append(await anext(stream))
    await world.bus.publish(job_channel(job.id), {"event": "progress", "data": {"p": 0.5}})
    await world.bus.publish(job_channel(job.id), {"event": "done", "data": {"status": "ok"}})
    seen += [e async for e in stream]

    named = [e for e in seen if e is not None]
    assert [e.name for e in named] == ["status", "progress", "done"]
    assert named[1].data == {"p": 0.5}
    assert seen[1] is None  # a quiet spell is a keep-alive, not an event
    assert world.bus.subscriber_count() == 0  # the subscription ended with the stream
