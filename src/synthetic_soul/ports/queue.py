"""Carrying job ids to whoever runs them, and running them in this process.

Two ports, because the two deployments split them: a use case only ever hands a job over
(`JobQueue`), while who runs it differs. The embedded deployment runs jobs in this process
(`Workers`, started by the composition root); with RQ, `soul worker` processes run them and
the API process starts no workers at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from synthetic_soul.records import Job, QueueStats

JobHandler = Callable[[str], Awaitable[None]]


class JobQueue(Protocol):
    """Carries job ids to workers; job records themselves live in the Store."""

    async def enqueue(self, job: Job) -> None: ...
    async def stats(self) -> QueueStats: ...


class Workers(Protocol):
    """Runs the jobs a queue carries, in this process, from `start` until `stop`."""

    async def start(self, run: JobHandler) -> None: ...
    async def stop(self) -> None: ...
