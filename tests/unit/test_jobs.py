"""Jobs.run: claim, dispatch by kind, finish, and announce on the job's channel."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

from synthetic_soul.adapters.events.memory import MemoryEventBus
from synthetic_soul.adapters.queue.inline import InlineJobQueue
from synthetic_soul.domain.conversation import Message
from synthetic_soul.job_handlers import Busy, Handler, Outcome, Report, job_channel
from synthetic_soul.job_runner import Jobs
from synthetic_soul.records import Job
from tests.support.memory_store import MemoryStore
from tests.unit.fakes import FakeClock

pytestmark = pytest.mark.anyio


@dataclass
class World:
    store: MemoryStore
    bus: MemoryEventBus
    clock: FakeClock

    def jobs(
        self, handlers: dict[str, Handler], timeout_s: float = 5.0, stale_after_s: float = 30.0
    ) -> Jobs:
        queue = InlineJobQueue(self.store, self.clock, 1, 3)  # not started: holds follow-ups
        return Jobs(
            self.store,
            self.bus,
            queue,
            self.clock,
            handlers,
            timeout_s,
            max_attempts=2,
            stale_after_s=stale_after_s,
        )

    async def submit(self, kind: str = "reply") -> Job:
        now = self.clock.now()
        job = Job("job-" + kind, "owner-1", kind, "default", {}, "queued", now, now)
        message = Message("msg-" + kind, "", "hi", now, "owner-1", "ada", False, job_id=job.id)
        await self.store.submit_message(job, message, "jasmine")
        return job

    async def run_and_listen(self, jobs: Jobs, job_id: str) -> list[dict[str, Any]]:
        async with self.bus.subscribe(job_channel(job_id)) as sub:
            await jobs.run(job_id)
            events = []
            while (event := await sub.next(0.01)) is not None:
                events.append(event)
        return events


@pytest.fixture
def world() -> World:
    return World(MemoryStore(), MemoryEventBus(), FakeClock())


def kinds(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["event"], e["data"]["status"]) for e in events]


async def test_a_successful_job(world: World) -> None:
    async def handler(job: Job, report: Report) -> Outcome:
        await report.progress(0.5)
        done = await world.store.finish_job(job.id, "succeeded", {"n": 1}, None, 0.0)
        assert done is not None
        return Outcome((done,))

    job = await world.submit()
    events = await world.run_and_listen(world.jobs({"reply": handler}), job.id)

    assert kinds(events) == [("status", "running"), ("progress", "running"), ("done", "succeeded")]
    assert events[1]["data"]["progress"] == 0.5
    assert events[-1]["data"] == {
        "job_id": job.id,
        "status": "succeeded",
        "progress": 1.0,
        "result": {"n": 1},
        "error": None,
    }


async def test_reply_text_is_pushed_as_token_events_and_never_stored(world: World) -> None:
    async def handler(job: Job, report: Report) -> Outcome:
        await report.text("Hel")
        await report.text("lo")
        await report.text("Hi there", reset=True)
        done = await world.store.finish_job(job.id, "succeeded", {"response": "Hi there"}, None, 0)
        assert done is not None
        return Outcome((done,))

    job = await world.submit()
    events = await world.run_and_listen(world.jobs({"reply": handler}), job.id)

    assert [e["event"] for e in events] == ["status", "token", "token", "token", "done"]
    assert [e["data"] for e in events[1:4]] == [
        {"job_id": job.id, "text": "Hel"},
        {"job_id": job.id, "text": "lo"},
        {"job_id": job.id, "text": "Hi there", "reset": True},
    ]
    stored = await world.store.get_job(job.id)
    assert stored is not None and stored.result == {"response": "Hi there"}


async def test_a_raising_handler_fails_the_job(world: World) -> None:
    async def handler(job: Job, report: Report) -> Outcome:
        raise ValueError("boom")

    job = await world.submit()
    events = await world.run_and_listen(world.jobs({"reply": handler}), job.id)

    failed = await world.store.get_job(job.id)
    assert failed is not None
    assert (failed.status, failed.error, failed.owner_id) == ("failed", "job_failed", "owner-1")
    assert kinds(events) == [("status", "running"), ("done", "failed")]
    assert events[-1]["data"]["error"] == "job_failed"


async def test_an_unknown_kind_fails_the_job(world: World) -> None:
    job = await world.submit("mystery")
    events = await world.run_and_listen(world.jobs({}), job.id)

    failed = await world.store.get_job(job.id)
    assert failed is not None
    assert (failed.status, failed.error) == ("failed", "job_failed")
    assert kinds(events) == [("status", "running"), ("done", "failed")]


async def test_a_handler_that_overruns_is_failed(world: World) -> None:
    async def handler(job: Job, report: Report) -> Outcome:
        await asyncio.sleep(10)
        raise AssertionError("not reached")

    job = await world.submit()
    await world.run_and_listen(world.jobs({"reply": handler}, timeout_s=0.05), job.id)
    failed = await world.store.get_job(job.id)
    assert failed is not None
    assert (failed.status, failed.error) == ("failed", "job_failed")


async def test_a_job_already_taken_is_left_alone(world: World) -> None:
    calls = 0

    async def handler(job: Job, report: Report) -> Outcome:
        nonlocal calls
        calls += 1
        return Outcome((job,))

    job = await world.submit()
    await world.store.start_job(job.id, world.clock.now())
    events = await world.run_and_listen(world.jobs({"reply": handler}), job.id)
    assert (calls, events) == (0, [])
    await world.jobs({"reply": handler}).run("no-such-job")
    assert calls == 0


async def test_a_busy_job_waits_off_the_workers_and_runs_when_free(world: World) -> None:
    """A job that cannot run yet goes back to the queue; no worker waits for it."""
    free = asyncio.Event()
    runs = 0

    async def handler(job: Job, report: Report) -> Outcome:
        nonlocal runs
        runs += 1
        if not free.is_set():
            raise Busy(free.wait)
        done = await world.store.finish_job(job.id, "succeeded", {"runs": runs}, None, 0.0)
        assert done is not None
        return Outcome((done,))

    queue = InlineJobQueue(world.store, world.clock, 1, 3)
    jobs = Jobs(world.store, world.bus, queue, world.clock, {"reply": handler}, 5.0)
    await queue.start(jobs.run)
    try:
        job = await world.submit()
        await queue.enqueue(job)
        async with asyncio.timeout(5):
            while runs == 0:  # noqa: ASYNC110 - waiting on a counter the handler bumps
                await asyncio.sleep(0.005)
        waiting = await world.store.get_job(job.id)
        assert waiting is not None
        assert (waiting.status, waiting.attempts) == ("queued", 0)
        stats = await queue.stats()
        assert [w.state for w in stats.workers] == ["idle"]

        free.set()
        async with asyncio.timeout(5):
            while not (done := await world.store.get_job(job.id)) or not done.finished:  # noqa: ASYNC110
                await asyncio.sleep(0.005)
        assert (done.status, done.result) == ("succeeded", {"runs": 2})
    finally:
        await jobs.stop()
        await queue.stop()


async def test_a_running_job_beats_while_its_handler_works(world: World) -> None:
    beats: list[float] = []

    async def handler(job: Job, report: Report) -> Outcome:
        for _ in range(3):
            world.clock.advance(10)
            await asyncio.sleep(0.1)  # a beat every 0.02 s (a third of the stale period)
            running = await world.store.get_job(job.id)
            assert running is not None
            beats.append(running.updated_at)
        done = await world.store.finish_job(job.id, "succeeded", {}, None, world.clock.now())
        assert done is not None
        return Outcome((done,))

    job = await world.submit()
    started_at = world.clock.now()
    await world.jobs({"reply": handler}, stale_after_s=0.06).run(job.id)
    assert beats == [started_at + 10, started_at + 20, started_at + 30]


async def test_recover_queues_again_a_job_whose_runner_died(world: World) -> None:
    job = await world.submit()
    await world.store.start_job(job.id, world.clock.now())  # a runner took it, then died
    jobs = world.jobs({}, stale_after_s=30)
    world.clock.advance(29)
    assert await jobs.recover() == []  # not silent long enough yet

    world.clock.advance(2)
    async with world.bus.subscribe(job_channel(job.id)) as sub:
        [recovered] = await jobs.recover()
        event = await sub.next(1)
    assert (recovered.id, recovered.status, recovered.attempts) == (job.id, "queued", 1)
    assert event is not None and (event["event"], event["data"]["status"]) == ("status", "queued")

    # Its second run is told it is a rerun: the first text it shows replaces the lost run's.
    async def handler(job: Job, report: Report) -> Outcome:
        await report.text("Again")
        await report.text("Again, and more")
        done = await world.store.finish_job(job.id, "succeeded", {}, None, world.clock.now())
        assert done is not None
        return Outcome((done,))

    events = await world.run_and_listen(world.jobs({"reply": handler}), job.id)
    tokens = [e["data"] for e in events if e["event"] == "token"]
    assert tokens == [
        {"job_id": job.id, "text": "Again", "reset": True},
        {"job_id": job.id, "text": "Again, and more"},
    ]


async def test_recover_fails_a_job_that_used_its_attempts(world: World) -> None:
    job = await world.submit()
    jobs = world.jobs({}, stale_after_s=30)
    for _ in range(2):  # max_attempts=2: two runners died holding it
        await world.store.start_job(job.id, world.clock.now())
        world.clock.advance(31)
        await jobs.recover()
    failed = await world.store.get_job(job.id)
    assert failed is not None
    assert (failed.status, failed.error, failed.attempts) == ("failed", "job_failed", 2)
