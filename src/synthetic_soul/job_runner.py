"""Running jobs: claim, dispatch to the handler of the job's kind, finish, announce.

The same runner serves both deployments: the embedded one's in-process workers and RQ's
`soul worker` hand it job ids; what a handler is and returns is in `job_handlers`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from synthetic_soul import ports
from synthetic_soul.job_handlers import Busy, Handler, job_channel, snapshot
from synthetic_soul.ports import Clock, EventBus, JobQueue
from synthetic_soul.records import Job

log = logging.getLogger(__name__)


class Jobs:
    def __init__(
        self,
        store: ports.Jobs,
        bus: EventBus,
        queue: JobQueue,
        clock: Clock,
        handlers: dict[str, Handler],
        timeout_s: float,
        *,
        max_attempts: int = 3,
        stale_after_s: float = 30.0,
    ) -> None:
        self._store = store
        self._bus = bus
        self._queue = queue
        self._clock = clock
        self._handlers = handlers
        self._timeout_s = timeout_s
        self._max_attempts = max_attempts
        self._stale_after_s = stale_after_s
        self._waiting: set[asyncio.Task[None]] = set()

    async def announce(self, job: Job) -> None:
        event = "done" if job.finished else "status"
        await self._bus.publish(job_channel(job.id), {"event": event, "data": snapshot(job)})

    async def run(self, job_id: str) -> None:
        """Run one job to its end; a job already taken or finished is left alone."""
        job = await self._store.start_job(job_id, self._clock.now())
        if job is None:
            return
        await self.announce(job)
        handler = self._handlers.get(job.kind)
        heartbeat = asyncio.create_task(self._beat(job.id), name=f"heartbeat:{job.id}")
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            # A job run again after its runner died says so: text shown from the lost run goes.
            report = _Watchers(self._store, self._bus, self._clock, job.id, job.attempts > 1)
            # Not asyncio.wait_for: on 3.11 it can drop a cancellation that arrives as the
            # handler finishes, and a stopping worker then never stops.
            async with asyncio.timeout(self._timeout_s):
                outcome = await handler(job, report)
        except Busy as busy:
            await self._defer(job, busy)
            return
        except Exception:
            log.exception("job %s (%s) failed", job.id, job.kind)
            failed = await self._store.finish_job(
                job.id, "failed", None, "job_failed", self._clock.now()
            )
            if failed is not None:
                await self.announce(failed)
            return
        finally:
            heartbeat.cancel()
        for finished in outcome.finished:
            await self.announce(finished)
        for follow_up in outcome.follow_ups:
            await self._queue.enqueue(follow_up)

    async def _beat(self, job_id: str) -> None:
        """Tell the store this job's runner is alive, well within `stale_after_s`."""
        while True:
            await asyncio.sleep(self._stale_after_s / 3)
            try:
                await self._store.touch_job(job_id, self._clock.now())
            except Exception:  # a missed beat is not the job's failure
                log.warning("heartbeat of job %s failed", job_id, exc_info=True)

    async def recover(self) -> list[Job]:
        """Queue again the jobs whose runner died (no heartbeat for `stale_after_s`) and
        those queued so long that the queue may have lost them (a Redis flush or restart).
        A job delivered twice runs once: `start_job` lets one runner in."""
        now = self._clock.now()
        recovered = await self._store.recover_jobs(
            now, self._max_attempts, now - self._stale_after_s
        )
        for job in recovered:
            await self._queue.enqueue(job)
            await self.announce(job)
        if recovered:
            log.info("recovered %d job(s): %s", len(recovered), [j.id for j in recovered])
        return recovered

    async def _defer(self, job: Job, busy: Busy) -> None:
        await self._store.requeue_job(job.id, self._clock.now())
        requeued = await self._store.get_job(job.id)
        if requeued is not None:
            await self.announce(requeued)

        async def resume() -> None:
            await busy.until()
            await self._queue.enqueue(job)

        task = asyncio.create_task(resume(), name=f"waiting:{job.id}")
        self._waiting.add(task)
        task.add_done_callback(self._waiting.discard)

    async def settle(self) -> None:
        """Wait until every deferred job has been enqueued again (before a process exits)."""
        while self._waiting:
            await asyncio.gather(*tuple(self._waiting), return_exceptions=True)

    async def stop(self) -> None:
        """Stop waiting; deferred jobs stay queued in the store for the next start."""
        tasks, self._waiting = self._waiting, set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class _Watchers:
    """The `Report` a handler gets: progress kept in the store, both pushed on the bus."""

    def __init__(
        self, store: ports.Jobs, bus: EventBus, clock: Clock, job_id: str, rerun: bool
    ) -> None:
        self._store = store
        self._bus = bus
        self._clock = clock
        self._job_id = job_id
        self._reset_first = rerun

    async def progress(self, fraction: float) -> None:
        await self._store.set_job_progress(self._job_id, fraction, self._clock.now())
        data: dict[str, Any] = {"job_id": self._job_id, "progress": fraction, "status": "running"}
        await self._bus.publish(job_channel(self._job_id), {"event": "progress", "data": data})

    async def text(self, text: str, reset: bool = False) -> None:
        # Pushed, never stored: a client that polls, or joins late, reads the job's result.
        data: dict[str, Any] = {"job_id": self._job_id, "text": text}
        if reset or self._reset_first:
            self._reset_first = False
            data["reset"] = True
        await self._bus.publish(job_channel(self._job_id), {"event": "token", "data": data})
