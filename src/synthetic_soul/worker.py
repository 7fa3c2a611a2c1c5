"""`soul worker`: runs jobs from Redis (RQ) for API processes (QUEUE_BACKEND=rq).

The worker builds the service once, on an event loop of its own in a background thread,
and keeps it: store, Redis, the model. RQ's loop runs in the main thread and calls `run_job`
for each job, which hands the id to that loop and waits. So a job costs its own work and
nothing more: no import, no connection, no model load per job (the reference design forked
per job and set everything up again, ~0.7 s each).

It listens on `high`, `default` and `low`, in that order (`--queues` picks others: a worker
with `low` first lets reflection and thinking go on while replies queue up).
`RQ_USE_FORK_WORKER=true` makes it fork a child per job instead (isolation over speed): the
child sets up its own service.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from collections.abc import Coroutine, Sequence
from concurrent.futures import Future
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, TypeVar

from redis.exceptions import RedisError
from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from synthetic_soul.bootstrap import Container, running
from synthetic_soul.records import QUEUE_NAMES
from synthetic_soul.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


# How long a worker stays listed (GET /v1/meta/queue) after it was last heard from: it
# speaks up every third of this, while idle (RQ's own beat) and while running a job (ours).
# RQ's defaults (420 s idle, the job's timeout + 60 s busy) kept a killed worker listed for
# minutes.
WORKER_TTL_S = 30


@dataclass
class _Runtime:
    pid: int
    loop: asyncio.AbstractEventLoop
    container: Container
    worker: SimpleWorker


_runtime: _Runtime | None = None


def run_job(job_id: str) -> None:
    """What RQ runs: one job of this service, to its end."""
    runtime = _runtime
    if runtime is None or runtime.pid != os.getpid():
        # A forked child (or a process that never started the service): its own, once.
        asyncio.run(_run_alone(job_id))
        return
    done = asyncio.run_coroutine_threadsafe(runtime.container.jobs.run(job_id), runtime.loop)
    while True:
        with contextlib.suppress(RedisError):  # a missed beat is not the job's failure
            runtime.worker.heartbeat(WORKER_TTL_S)
        try:
            return done.result(timeout=WORKER_TTL_S / 3)
        except TimeoutError:
            continue


async def _run_alone(job_id: str) -> None:
    # The model's look ahead at the next reply (`mind.ahead`) stops with this loop: its
    # context would go with the process anyway.
    async with running(Settings(), background=False) as soul:
        await soul.jobs.run(job_id)
        await soul.jobs.settle()  # a job deferred for a busy turn is enqueued again first


def work(settings: Settings, queue_names: Sequence[str] = QUEUE_NAMES) -> int:
    """Serve jobs from `queue_names`, first listed first, until told to stop (SIGINT/SIGTERM:
    the current job finishes first)."""
    global _runtime
    from synthetic_soul.adapters.queue.rq import rq_queues
    from synthetic_soul.adapters.redis_connection import sync_redis

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="soul-loop", daemon=True)
    thread.start()
    stack = AsyncExitStack()

    def on_loop(coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, loop)

    container = on_loop(stack.enter_async_context(running(settings))).result()
    connection = sync_redis(settings.redis)
    every = rq_queues(connection)
    queues = [every[name] for name in queue_names]
    kind = Worker if settings.rq_use_fork_worker else SimpleWorker
    name = f"soul-{socket.gethostname()}-{os.getpid()}"
    worker = kind(
        queues,
        name=name,
        connection=connection,
        serializer=JSONSerializer,
        worker_ttl=WORKER_TTL_S,
    )
    if isinstance(worker, SimpleWorker):  # a forking worker's parent beats for its child
        _runtime = _Runtime(os.getpid(), loop, container, worker)
    log.info("worker %s (%s) listening on %s", name, kind.__name__, [q.name for q in queues])
    try:
        worker.work(with_scheduler=False, logging_level=settings.log_level.upper())
    finally:
        _runtime = None
        with contextlib.suppress(Exception):
            on_loop(stack.aclose()).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        connection.close()
    return 0
