"""Watching a job: polling it, or following its events until it is done.

Only the job's owner may watch it, and each look counts against the watcher's rate limit.
The events are pushed by the bus as they happen, never polled per watcher; how they travel
(Server-Sent Events) is the HTTP layer's business.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from synthetic_soul import ports
from synthetic_soul.auth.ratelimit import enforce
from synthetic_soul.errors import NotFound
from synthetic_soul.job_handlers import job_channel, snapshot
from synthetic_soul.ports import EventBus, RateLimiter
from synthetic_soul.records import Job


@dataclass(frozen=True)
class JobEvent:
    """One event of a job: `status`, `progress`, `token` or `done`, and what it carries."""

    name: str
    data: dict[str, Any]


class Watching:
    def __init__(
        self, store: ports.Jobs, bus: EventBus, limiter: RateLimiter, keepalive_s: float
    ) -> None:
        self._store = store
        self._bus = bus
        self._limiter = limiter
        self._keepalive_s = keepalive_s

    async def poll(self, job_id: str, user_id: str) -> Job:
        await enforce(self._limiter, "job_poll", user_id)
        return await self._owned(job_id, user_id)

    async def follow(self, job_id: str, user_id: str) -> AsyncGenerator[JobEvent | None, None]:
        """The job's events, `status` first and `done` last; None each time `keepalive_s`
        passes without one, so a quiet watcher can tell it is still connected.

        The owner and the limit are checked now, before the first event: a refusal is an
        error the caller answers, not a stream that ends at once.
        """
        await enforce(self._limiter, "job_events", user_id)
        await self._owned(job_id, user_id)
        return self._events(job_id)

    def follow_submitted(self, job: Job) -> AsyncGenerator[JobEvent | None, None]:
        """The events of a job the caller has just submitted, as `follow` gives them.

        The caller owns it by construction and its submit was counted already; counting a
        watch as well could refuse, after the message was kept, the answer it was sent for.
        """
        return self._events(job.id)

    async def _owned(self, job_id: str, user_id: str) -> Job:
        job = await self._store.get_job(job_id)
        if job is None or job.owner_id != user_id:
            raise NotFound("No such job.")
        return job

    async def _events(self, job_id: str) -> AsyncGenerator[JobEvent | None, None]:
        # Every event on the job's channel is passed on as it is: watchers that do not know
        # one (such as `token`) ignore it, as SSE clients do.
        # Subscribe before reading the snapshot, so no event can slip between the two.
        async with self._bus.subscribe(job_channel(job_id)) as events:
            job = await self._store.get_job(job_id)
            if job is None:
                return
            yield JobEvent("status", snapshot(job))
            if job.finished:
                yield JobEvent("done", snapshot(job))
                return
            while True:
                event = await events.next(self._keepalive_s)
                if event is None:
                    yield None
                    continue
                yield JobEvent(str(event["event"]), event["data"])
                if event["event"] == "done":
                    return
