"""Events pushed to whoever watches a channel (a job's progress, a reply's words)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol


class Subscription(Protocol):
    async def next(self, within: float) -> dict[str, Any] | None:
        """The next event, or None when `within` seconds pass without one."""
        ...


class EventBus(Protocol):
    async def publish(self, channel: str, event: dict[str, Any]) -> None: ...
    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]: ...
    async def close(self) -> None: ...
