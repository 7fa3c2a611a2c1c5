"""Server-sent events for one job: pushed by the event bus, never polled per stream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from synthetic_soul.jobs import job_channel, snapshot
from synthetic_soul.ports import EventBus, Jobs

KEEPALIVE = b": keep-alive\n\n"


def frame(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def job_events(
    job_id: str, store: Jobs, bus: EventBus, keepalive_s: float
) -> AsyncIterator[bytes]:
    """`status` first, then `progress`/`status`/`token` as they happen, `done` last.

    Every event on the job's channel is forwarded as it is: clients that do not know an event
    (such as `token`) ignore it, as SSE clients do.
    """
    # Subscribe before reading the snapshot, so no event can slip between the two.
    async with bus.subscribe(job_channel(job_id)) as events:
        job = await store.get_job(job_id)
        if job is None:
            return
        yield frame("status", snapshot(job))
        if job.finished:
            yield frame("done", snapshot(job))
            return
        while True:
            event = await events.next(keepalive_s)
            if event is None:
                yield KEEPALIVE
                continue
            yield frame(str(event["event"]), event["data"])
            if event["event"] == "done":
                return
