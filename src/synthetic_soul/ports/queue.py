"""Carrying job ids to whoever runs them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from synthetic_soul.records import Job, QueueStats

JobHandler = Callable[[str], Awaitable[None]]


class JobQueue(Protocol):
    """Carries job ids to workers; job records themselves live in the Store."""

    async def start(self, run: JobHandler) -> None: ...
    async def stop(self) -> None: ...
    async def enqueue(self, job: Job) -> None: ...
    async def stats(self) -> QueueStats: ...
