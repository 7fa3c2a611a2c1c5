"""In-process event bus: each subscriber gets its own queue; publishing pushes, nobody polls."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

_MAX_PENDING = 256


class _Subscription:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(_MAX_PENDING)

    async def next(self, within: float) -> dict[str, Any] | None:
        try:
            return await asyncio.wait_for(self.queue.get(), within)
        except TimeoutError:
            return None


class MemoryEventBus:
    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[_Subscription]] = defaultdict(set)

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        for sub in tuple(self._subscribers.get(channel, ())):
            if sub.queue.full():
                # A stalled reader loses its oldest event, never blocks the publisher.
                sub.queue.get_nowait()
            sub.queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[_Subscription]:
        sub = _Subscription()
        self._subscribers[channel].add(sub)
        try:
            yield sub
        finally:
            subs = self._subscribers.get(channel)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subscribers[channel]

    async def close(self) -> None:
        self._subscribers.clear()

    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())
