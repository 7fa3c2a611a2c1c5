"""Server-sent events: a job's events as bytes on the wire, keep-alives as comments."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Any

from synthetic_soul.usecases.watching import JobEvent

KEEPALIVE = b": keep-alive\n\n"


def frame(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def framed(events: AsyncGenerator[JobEvent | None, None]) -> AsyncIterator[bytes]:
    """Each event as an SSE message; each quiet spell (None) as a keep-alive comment.

    `events` is closed with this stream, so the bus subscription ends when the client goes.
    """
    async with aclosing(events):
        async for event in events:
            yield KEEPALIVE if event is None else frame(event.name, event.data)
