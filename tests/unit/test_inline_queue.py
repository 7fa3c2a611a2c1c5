"""The in-process queue shares its workers fairly: within a priority, the job of the lane
(client address, else owner) served least recently goes next, not the oldest job."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from synthetic_soul.adapters.queue.inline import InlineJobQueue
from synthetic_soul.records import CLIENT_KEY, Job
from tests.contract.builders import FakeClock, eventually, job_and_message, uid
from tests.support.memory_store import MemoryStore

pytestmark = pytest.mark.anyio


class Recorder:
    """Runs jobs through the store, in the order the queue hands them out; one can be held."""

    def __init__(self, store: MemoryStore, clock: FakeClock) -> None:
        self.store = store
        self.clock = clock
        self.order: list[str] = []
        self.gate = asyncio.Event()
        self.held: str | None = None

    async def __call__(self, job_id: str) -> None:
        if await self.store.start_job(job_id, self.clock.now()) is None:
            return
        self.order.append(job_id)
        if job_id == self.held:
            await self.gate.wait()
        await self.store.finish_job(job_id, "succeeded", {}, None, self.clock.now())


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


async def submitted(
    store: MemoryStore, owner: str, client: str | None = None, queue: str = "default"
) -> Job:
    job, message = job_and_message(owner, queue=queue)
    if client is not None:
        job = replace(job, payload={**job.payload, CLIENT_KEY: client})
    await store.submit_message(job, message, "jasmine")
    return job


Queue = tuple[InlineJobQueue, Recorder]


@pytest.fixture
async def queue(store: MemoryStore) -> AsyncIterator[Queue]:
    """One worker, started before any job is stored (a start queues what the store holds)."""
    clock = FakeClock()
    recorder = Recorder(store, clock)
    started = InlineJobQueue(store, clock, workers=1, max_attempts=3)
    await started.start(recorder)
    try:
        yield started, recorder
    finally:
        await started.stop()


async def run_in_order(queue: Queue, blocker: Job, waiting: list[Job]) -> list[str]:
    """`blocker` holds the worker while `waiting` is enqueued; the order they then ran in."""
    inline, recorder = queue
    recorder.held = blocker.id
    await inline.enqueue(blocker)

    async def blocker_running() -> bool:
        return recorder.order == [blocker.id]

    await eventually(blocker_running)
    for job in waiting:
        await inline.enqueue(job)
    recorder.gate.set()

    async def all_ran() -> bool:
        return len(recorder.order) == len(waiting) + 1

    await eventually(all_ran)
    return recorder.order[1:]


async def test_owners_take_turns_instead_of_first_come_first_served(
    store: MemoryStore, queue: Queue
) -> None:
    flooder, other, third = uid(), uid(), uid()
    blocker = await submitted(store, uid())
    f1, f2, f3 = [await submitted(store, flooder) for _ in range(3)]
    o1 = await submitted(store, other)
    t1 = await submitted(store, third)

    order = await run_in_order(queue, blocker, [f1, f2, f3, o1, t1])

    assert order == [f1.id, o1.id, t1.id, f2.id, f3.id]


async def test_the_owner_served_last_waits_behind_one_not_served_yet(
    store: MemoryStore, queue: Queue
) -> None:
    chatty, newcomer = uid(), uid()
    blocker = await submitted(store, chatty)  # running: `chatty` was served just now
    again = await submitted(store, chatty)
    first_time = await submitted(store, newcomer)

    order = await run_in_order(queue, blocker, [again, first_time])

    assert order == [first_time.id, again.id]


async def test_guests_from_one_address_share_one_turn(store: MemoryStore, queue: Queue) -> None:
    address = "keyed-hash-of-203.0.113.9"
    guests = [await submitted(store, uid(), client=address) for _ in range(3)]
    alone = await submitted(store, uid(), client="keyed-hash-of-198.51.100.4")
    no_address = await submitted(store, uid())  # a job with no address is its owner's lane
    blocker = await submitted(store, uid())

    order = await run_in_order(queue, blocker, [*guests, alone, no_address])

    assert order == [guests[0].id, alone.id, no_address.id, guests[1].id, guests[2].id]


async def test_priority_still_comes_before_taking_turns(store: MemoryStore, queue: Queue) -> None:
    owner, other = uid(), uid()
    blocker = await submitted(store, uid())
    low = await submitted(store, other, queue="low")
    first = await submitted(store, owner)
    second = await submitted(store, owner)
    high = await submitted(store, owner, queue="high")

    order = await run_in_order(queue, blocker, [low, first, second, high])

    assert order == [high.id, first.id, second.id, low.id]
