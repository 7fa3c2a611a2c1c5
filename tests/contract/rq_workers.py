"""RQ's running side for the job queue contract suite: real RQ workers in the test's process.

`soul worker` hands each job id to the service's `Jobs.run`; a contract test hands it to a
handler of its own, on its own event loop, to count and hold what runs. So the suite's RQ
workers are rq `SimpleWorker`s, each in a thread, taking jobs from the queues `RQJobQueue`
fills (queues named as `soul worker` listens, highest priority first) and calling `run_job`
here, the function the suite's queues name, which gives the id to the handler of the worker
that took the job.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import redis
from rq import SimpleWorker, Worker, get_current_job
from rq.serializers import JSONSerializer
from rq.timeouts import TimerDeathPenalty

from synthetic_soul.adapters.queue.rq import rq_queues
from synthetic_soul.ports import JobHandler

RUN_JOB = f"{__name__}.run_job"
# How long an idle worker listens before it looks whether it was asked to stop.
_LISTEN_S = 0.25


@dataclass
class _Serving:
    """Where a worker's jobs go: a handler on the loop of the test that started it."""

    loop: asyncio.AbstractEventLoop
    run: JobHandler
    running: set[Future[None]] = field(default_factory=set)


_serving: dict[str, _Serving] = {}  # worker name -> its handler


def run_job(job_id: str) -> None:
    """What the suite's RQ workers run: the id to the test's handler, waited for here."""
    job = get_current_job()
    assert job is not None and job.worker_name, "run_job runs only inside an RQ worker"
    serving = _serving[job.worker_name]
    done = asyncio.run_coroutine_threadsafe(serving.run(job_id), serving.loop)
    serving.running.add(done)
    try:
        done.result()
    finally:
        serving.running.discard(done)


class _ThreadWorker(SimpleWorker):
    """A SimpleWorker off the main thread: no signal handlers and no SIGALRM timeout (only the
    main thread may set them), and a stop asked from another thread heard while idle."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        """Signals belong to the main thread; `RQWorkers.stop` asks instead."""

    def dequeue_job_and_maintain_ttl(
        self, timeout: int | None, max_idle_time: int | None = None
    ) -> Any:
        # Short listens, each ending idle (None), until a job comes or a stop is asked.
        while not self._stop_requested:
            found = super().dequeue_job_and_maintain_ttl(timeout, _LISTEN_S)  # type: ignore[arg-type]
            if found is not None:
                return found
        return None


class RQWorkers:
    """`count` RQ workers on the Redis at `url`, in threads: the suite's `Workers` for RQ."""

    def __init__(self, url: str, count: int) -> None:
        self._url = url
        self._count = count
        self._workers: list[_ThreadWorker] = []
        self._threads: list[threading.Thread] = []

    async def start(self, run: JobHandler) -> None:
        serving = _Serving(asyncio.get_running_loop(), run)
        for _ in range(self._count):
            connection = redis.Redis.from_url(self._url)
            worker = _ThreadWorker(
                list(rq_queues(connection).values()),
                name=f"contract-{uuid.uuid4().hex}",
                connection=connection,
                serializer=JSONSerializer,
            )
            _serving[worker.name] = serving
            thread = threading.Thread(target=worker.work, name=worker.name, daemon=True)
            thread.start()
            self._workers.append(worker)
            self._threads.append(thread)
        await asyncio.to_thread(self._wait_until_listening)

    def _wait_until_listening(self) -> None:
        """Until every worker is registered and idle, as `stats` would then list it."""
        names = {worker.name for worker in self._workers}
        connection = redis.Redis.from_url(self._url)
        try:
            while True:
                listed = Worker.all(connection=connection)
                if names <= {w.name for w in listed if w.get_state() == "idle"}:
                    return
                time.sleep(0.01)
        finally:
            connection.close()

    async def stop(self) -> None:
        """Stop listening; a job still held by the test is cancelled, so no thread waits on."""
        workers, self._workers = self._workers, []
        threads, self._threads = self._threads, []
        for worker in workers:
            worker._stop_requested = True
            for running in list(_serving[worker.name].running):
                running.cancel()
        await asyncio.to_thread(_join, threads)
        for worker in workers:
            _serving.pop(worker.name, None)
            worker.connection.close()


def _join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive(), f"RQ worker {thread.name} did not stop"
