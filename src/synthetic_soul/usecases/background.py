"""Work no request waits on, handed to the queue after the request has what it asked for."""

from __future__ import annotations

import logging

from synthetic_soul import ports
from synthetic_soul.errors import QueueUnavailable
from synthetic_soul.ports import JobQueue
from synthetic_soul.records import Job

log = logging.getLogger(__name__)


async def queue_after(store: ports.Jobs, queue: JobQueue | None, job: Job) -> None:
    """Store `job`, then hand it to `queue`. A queue out of reach (Redis down), or none (the
    operator's CLI), leaves it stored as queued: the scheduler's recovery of long-queued jobs
    hands it to the queue later, and the request that asked for it does not fail."""
    await store.create_job(job)
    if queue is None:
        return
    try:
        await queue.enqueue(job)
    except QueueUnavailable as exc:
        log.warning("%s %s stays queued in the store for recovery: %s", job.kind, job.id, exc)
