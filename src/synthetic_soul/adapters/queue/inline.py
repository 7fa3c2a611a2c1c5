"""In-process job runner: asyncio workers over a priority queue of persisted jobs.

Job records live in the Store, so a job queued or running when the process dies is found
again at the next start (`recover_jobs`) and resumed, or failed once it has used its attempts.
"""

from __future__ import annotations

import asyncio
import itertools
import logging

from synthetic_soul.ports import Clock, JobHandler, Store
from synthetic_soul.records import QUEUE_NAMES, Job, QueueStats, QueueWorker

log = logging.getLogger(__name__)
_PRIORITY = {name: rank for rank, name in enumerate(QUEUE_NAMES)}


class InlineJobQueue:
    def __init__(self, store: Store, clock: Clock, workers: int, max_attempts: int) -> None:
        self._store = store
        self._clock = clock
        self._worker_count = workers
        self._max_attempts = max_attempts
        self._queue: asyncio.PriorityQueue[tuple[int, int, str]] = asyncio.PriorityQueue()
        self._seq = itertools.count()
        self._tasks: list[asyncio.Task[None]] = []
        self._busy: dict[str, str] = {}  # worker name -> job id

    async def start(self, run: JobHandler) -> None:
        # This process is the only runner: whatever the store holds as running died with the last.
        now = self._clock.now()
        for job in await self._store.recover_jobs(now, self._max_attempts, stale_before=now):
            self._put(job)
        if self._tasks:
            return
        for i in range(self._worker_count):
            name = f"inline-{i + 1}"
            self._tasks.append(asyncio.create_task(self._work(name, run), name=name))

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # A job cut off by a clean shutdown goes back to the queue without losing an attempt.
        for job_id in list(self._busy.values()):
            await self._store.requeue_job(job_id, self._clock.now())
        self._busy.clear()

    async def enqueue(self, job: Job) -> None:
        self._put(job)

    def _put(self, job: Job) -> None:
        queue = job.queue if job.queue in _PRIORITY else "default"
        self._queue.put_nowait((_PRIORITY[queue], next(self._seq), job.id))

    async def _work(self, name: str, run: JobHandler) -> None:
        while True:
            _, _, job_id = await self._queue.get()
            self._busy[name] = job_id
            try:
                await run(job_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job %s crashed its runner", job_id)
            finally:
                if not asyncio.current_task().cancelling():  # type: ignore[union-attr]
                    self._busy.pop(name, None)

    async def stats(self) -> QueueStats:
        workers = tuple(
            QueueWorker(
                task.get_name(), "busy" if task.get_name() in self._busy else "idle", QUEUE_NAMES
            )
            for task in self._tasks
        )
        # The store's count: jobs waiting off the workers (a busy turn) are backlog too.
        return QueueStats("inline", False, workers, await self._store.count_queued())
