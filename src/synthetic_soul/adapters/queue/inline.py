"""In-process jobs: a priority queue of persisted jobs and the asyncio workers that run them.

One object is both ports here (`JobQueue` and `Workers`): in one process, carrying a job id
to a worker is putting it where the workers take from. Use cases see only the queue; the
composition root starts and stops the workers.

Job records live in the Store, so a job queued or running when the process dies is found
again at the next start (`recover_jobs`) and resumed, or failed once it has used its attempts.

Within a priority the workers take turns between lanes, not jobs: a lane is the client address
a job came from (its keyed hash), else the job's owner, and the next job is the oldest of the
lane served least recently. Many guests made from one address are one lane, so a flood from
there gets one turn in each round while everyone else gets theirs. The RQ deployment has no
such turns (RQ hands out jobs first in, first out); there the caps on unfinished replies per
user and per address (`Conversations.submit`) bound how many replies one client can put
ahead of anyone else's.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import OrderedDict, deque

from synthetic_soul.ports import Clock, JobHandler, Jobs
from synthetic_soul.records import CLIENT_KEY, QUEUE_NAMES, Job, QueueStats, QueueWorker

log = logging.getLogger(__name__)
_PRIORITY = {name: rank for rank, name in enumerate(QUEUE_NAMES)}
# Lanes served longer ago than the latest this many are forgotten, which ranks them as never
# served: right, since every lane still remembered was served after them.
_REMEMBERED_LANES = 10_000


def lane_of(job: Job) -> str:
    client = job.payload.get(CLIENT_KEY)
    return f"client:{client}" if isinstance(client, str) and client else f"owner:{job.owner_id}"


class FairLanes:
    """Waiting job ids by priority, then by lane; `take` gives the next one fairly."""

    def __init__(self) -> None:
        # Per priority: lane -> (arrival, job id) in arrival order.
        self._waiting: list[dict[str, deque[tuple[int, str]]]] = [{} for _ in QUEUE_NAMES]
        self._served: OrderedDict[str, int] = OrderedDict()  # lane -> turn, oldest first
        self._arrivals = itertools.count()
        self._turns = itertools.count(1)

    def put(self, priority: int, lane: str, job_id: str) -> None:
        self._waiting[priority].setdefault(lane, deque()).append((next(self._arrivals), job_id))

    def take(self) -> str:
        """The next job id; called only when one waits."""
        lanes = next(waiting for waiting in self._waiting if waiting)
        # Least recently served first (0: never, or forgotten); among equals, the oldest job.
        lane = min(lanes, key=lambda name: (self._served.get(name, 0), lanes[name][0][0]))
        _, job_id = lanes[lane].popleft()
        if not lanes[lane]:
            del lanes[lane]
        self._served[lane] = next(self._turns)
        self._served.move_to_end(lane)
        if len(self._served) > _REMEMBERED_LANES:
            self._served.popitem(last=False)
        return job_id


class InlineJobQueue:
    """Fair lanes carried to `workers` asyncio tasks; what is running is requeued at `stop`."""

    def __init__(self, store: Jobs, clock: Clock, workers: int, max_attempts: int) -> None:
        self._store = store
        self._clock = clock
        self._worker_count = workers
        self._max_attempts = max_attempts
        self._lanes = FairLanes()
        self._ready = asyncio.Semaphore(0)  # one release per job waiting in `_lanes`
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
        self._lanes.put(_PRIORITY[queue], lane_of(job), job.id)
        self._ready.release()

    async def _work(self, name: str, run: JobHandler) -> None:
        while True:
            await self._ready.acquire()
            job_id = self._lanes.take()  # no await in between: no other worker takes it first
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
