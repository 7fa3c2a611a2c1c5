"""In-process event bus: each subscriber gets its own queue; publishing pushes, nobody polls."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

MAX_PENDING = 256


class LocalSubscription:
    """One reader's queue of events, also used by the Redis bus for its local readers."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(MAX_PENDING)

    async def next(self, within: float) -> dict[str, Any] | None:
        try:
            return await asyncio.wait_for(self.queue.get(), within)
        except TimeoutError:
            return None

    def put(self, event: dict[str, Any]) -> None:
        """Never blocks: a stalled reader loses its oldest event instead."""
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(event)


class MemoryEventBus:
    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[LocalSubscription]] = defaultdict(set)

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        for sub in tuple(self._subscribers.get(channel, ())):
            sub.put(event)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[LocalSubscription]:
        sub = LocalSubscription()
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
