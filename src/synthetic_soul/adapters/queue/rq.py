"""Job queue over Redis with RQ: API processes enqueue, `soul worker` processes run.

Job records stay in the Store (owner, status, result, attempts); RQ only carries a job's id
to a worker, on the queue the job names (`high`, `default`, `low`), serialized as JSON. A
worker runs `synthetic_soul.worker.run_job(job_id)`, which hands the id to the same
`Jobs.run` the in-process workers use; an API process only carries, it starts no `Workers`.
RQ's own retries (with backoff) cover a worker that could not run the job at all; RQ's
timeout is a little longer than the service's own, so the service's fires first and records
the failure itself.
"""

from __future__ import annotations

import asyncio
from functools import partial

import redis
from redis.exceptions import RedisError
from rq import Queue, Retry, Worker
from rq.serializers import JSONSerializer

from synthetic_soul.errors import QueueUnavailable
from synthetic_soul.records import QUEUE_NAMES, Job, QueueStats, QueueWorker

JOB_FUNCTION = "synthetic_soul.worker.run_job"
_RETRY = Retry(max=3, interval=[2, 10, 30])
_GRACE_S = 30  # RQ's timeout beyond the service's own
_FAILURE_TTL_S = 7 * 86400


def rq_queues(connection: redis.Redis) -> dict[str, Queue]:
    """The three queues, highest priority first (the order a worker listens in)."""
    return {
        name: Queue(name, connection=connection, serializer=JSONSerializer) for name in QUEUE_NAMES
    }


class RQJobQueue:
    """`function`: what a worker calls with the job's id, by its dotted path (`soul worker`'s
    `run_job`; the contract suite names a handler of its own)."""

    def __init__(
        self, connection: redis.Redis, job_timeout_s: int, function: str = JOB_FUNCTION
    ) -> None:
        self._connection = connection
        self._queues = rq_queues(connection)
        self._timeout_s = job_timeout_s + _GRACE_S
        self._function = function

    async def enqueue(self, job: Job) -> None:
        queue = self._queues.get(job.queue, self._queues["default"])
        put = partial(
            queue.enqueue_call,
            self._function,
            args=(job.id,),
            timeout=self._timeout_s,
            result_ttl=0,
            failure_ttl=_FAILURE_TTL_S,
            retry=_RETRY,
            description=f"{job.kind} {job.id}",
        )
        try:
            await asyncio.to_thread(put)
        except RedisError as exc:
            raise QueueUnavailable("The job queue is unreachable; try again shortly.") from exc

    async def stats(self) -> QueueStats:
        try:
            return await asyncio.to_thread(self._stats)
        except RedisError as exc:
            raise QueueUnavailable("The job queue is unreachable.") from exc

    def _stats(self) -> QueueStats:
        workers = tuple(
            QueueWorker(w.name, str(w.get_state()), tuple(q.name for q in w.queues))
            for w in Worker.all(connection=self._connection)
        )
        backlog = {name: queue.count for name, queue in self._queues.items()}
        return QueueStats("rq", True, workers, backlog)
