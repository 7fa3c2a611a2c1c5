"""JobQueue contract: each job runs once, by priority, and survives a restart of its workers;
on the in-process queue and on RQ with real RQ workers (`rq_workers`)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from synthetic_soul.ports import Store
from synthetic_soul.records import Job
from tests.contract.builders import FakeClock, QueueFactory, eventually, job_and_message, uid

pytestmark = pytest.mark.anyio


class Worker:
    """A job handler that claims through the store, records what it ran, and can be held."""

    def __init__(self, store: Store, clock: FakeClock) -> None:
        self.store = store
        self.clock = clock
        self.started: list[str] = []
        self.runs: Counter[str] = Counter()
        self.gates: dict[str, asyncio.Event] = {}

    async def __call__(self, job_id: str) -> None:
        job = await self.store.start_job(job_id, self.clock.now())
        if job is None:
            return
        self.started.append(job_id)
        gate = self.gates.get(job_id)
        if gate is not None:
            await gate.wait()
        self.runs[job_id] += 1
        await self.store.finish_job(job_id, "succeeded", {"ok": True}, None, self.clock.now())


async def submit(store: Store, queue: str = "default") -> Job:
    job, message = job_and_message(uid(), queue=queue)
    await store.submit_message(job, message, "jasmine")
    return job


async def status_of(store: Store, job_id: str) -> str | None:
    job = await store.get_job(job_id)
    return job.status if job else None


async def all_succeeded(store: Store, jobs: list[Job]) -> bool:
    return [await status_of(store, j.id) for j in jobs] == ["succeeded"] * len(jobs)


async def test_every_job_runs_exactly_once(store: Store, queue_factory: QueueFactory) -> None:
    clock = FakeClock()
    worker = Worker(store, clock)
    deployment = queue_factory(store, clock, 3, 3)
    await deployment.workers.start(worker)
    queue = deployment.queue
    jobs = [await submit(store) for _ in range(20)]
    for job in jobs:
        await queue.enqueue(job)
    await queue.enqueue(jobs[0])  # handed over twice: still runs once

    await eventually(lambda: all_succeeded(store, jobs))
    assert worker.runs == Counter({j.id: 1 for j in jobs})


async def test_priority_high_then_default_then_low(
    store: Store, queue_factory: QueueFactory
) -> None:
    clock = FakeClock()
    worker = Worker(store, clock)
    deployment = queue_factory(store, clock, 1, 3)
    await deployment.workers.start(worker)
    queue = deployment.queue
    blocker = await submit(store)
    worker.gates[blocker.id] = asyncio.Event()
    await queue.enqueue(blocker)
    await eventually(lambda: _started(worker, blocker.id))

    low, default, high, low2, high2 = [
        await submit(store, q) for q in ("low", "default", "high", "low", "high")
    ]
    for job in (low, default, high, low2, high2):
        await queue.enqueue(job)
    worker.gates[blocker.id].set()

    async def all_done() -> bool:
        return len(worker.runs) == 6

    await eventually(all_done)
    assert worker.started == [blocker.id, high.id, high2.id, default.id, low.id, low2.id]


async def _started(worker: Worker, job_id: str) -> bool:
    return job_id in worker.started


# In process, the workers are the only runners: at `stop` they hand back what they cut off and
# at `start` they take up what the store holds. With RQ that is the scheduler leader's
# recovery sweep (`Jobs.recover`, tests/scale/test_rq_recovery.py), not the queue's.
inline_only = pytest.mark.parametrize("queue_factory", ["inline"], indirect=True)


@inline_only
async def test_stop_requeues_a_running_job_and_a_new_queue_resumes_it(
    store: Store, queue_factory: QueueFactory
) -> None:
    clock = FakeClock()
    first_worker = Worker(store, clock)
    first = queue_factory(store, clock, 1, 3)
    await first.workers.start(first_worker)
    job = await submit(store)
    first_worker.gates[job.id] = asyncio.Event()  # never set: the job is cut off mid-run
    await first.queue.enqueue(job)
    await eventually(lambda: _started(first_worker, job.id))
    assert await status_of(store, job.id) == "running"

    await first.workers.stop()

    requeued = await store.get_job(job.id)
    assert requeued is not None
    assert (requeued.status, requeued.attempts) == ("queued", 0)
    assert first_worker.runs[job.id] == 0

    second_worker = Worker(store, clock)
    second = queue_factory(store, clock, 1, 3)
    await second.workers.start(second_worker)

    async def resumed() -> bool:
        return await status_of(store, job.id) == "succeeded"

    await eventually(resumed)
    assert second_worker.runs[job.id] == 1
    done = await store.get_job(job.id)
    assert done is not None
    assert done.attempts == 1


@inline_only
async def test_start_resumes_jobs_left_queued(store: Store, queue_factory: QueueFactory) -> None:
    clock = FakeClock()
    left = [await submit(store) for _ in range(3)]  # persisted, never handed to a worker
    worker = Worker(store, clock)
    await queue_factory(store, clock, 2, 3).workers.start(worker)

    await eventually(lambda: all_succeeded(store, left))
    assert worker.runs == Counter({j.id: 1 for j in left})


async def test_jobs_enqueued_while_no_worker_runs_wait_for_the_next_ones(
    store: Store, queue_factory: QueueFactory
) -> None:
    clock = FakeClock()
    first = queue_factory(store, clock, 1, 3)
    await first.workers.start(Worker(store, clock))
    await first.workers.stop()
    waiting = [await submit(store, q) for q in ("low", "default", "high")]
    for job in waiting:
        await first.queue.enqueue(job)  # handed over while no worker runs

    worker = Worker(store, clock)
    await queue_factory(store, clock, 1, 3).workers.start(worker)

    await eventually(lambda: all_succeeded(store, waiting))
    assert worker.runs == Counter({j.id: 1 for j in waiting})


async def test_stats_reports_workers_and_backlog(store: Store, queue_factory: QueueFactory) -> None:
    clock = FakeClock()
    worker = Worker(store, clock)
    deployment = queue_factory(store, clock, 2, 3)
    await deployment.workers.start(worker)
    queue = deployment.queue
    idle = await queue.stats()
    assert len(idle.workers) == 2
    assert all(w.state == "idle" for w in idle.workers)
    assert sum(idle.backlog.values()) == 0

    busy = [await submit(store) for _ in range(2)]
    for job in busy:
        worker.gates[job.id] = asyncio.Event()
        await queue.enqueue(job)

    async def both_started() -> bool:
        return len(worker.started) == 2

    await eventually(both_started)
    waiting = [await submit(store, q) for q in ("high", "low", "low")]
    for job in waiting:
        await queue.enqueue(job)

    stats = await queue.stats()
    assert [w.state for w in stats.workers] == ["busy", "busy"]
    assert stats.backlog == {"high": 1, "default": 0, "low": 2}

    for job in busy:
        worker.gates[job.id].set()

    async def drained() -> bool:
        return len(worker.runs) == 5

    await eventually(drained)
    assert sum((await queue.stats()).backlog.values()) == 0
