"""What the service says about itself: whether its jobs are being run, which model it asks."""

from __future__ import annotations

from dataclasses import dataclass

from synthetic_soul.ports import LLM, Clock, JobQueue, LLMInfo
from synthetic_soul.records import QueueStats


@dataclass(frozen=True)
class QueueHealth:
    """The queue as read at `at`; healthy when some worker runs jobs and its broker answers."""

    healthy: bool
    at: float
    stats: QueueStats


class ServiceStatus:
    def __init__(self, queue: JobQueue, clock: Clock, llm: LLM) -> None:
        self._queue = queue
        self._clock = clock
        self._llm = llm

    async def queue(self) -> QueueHealth:
        stats = await self._queue.stats()
        # The inline queue has no broker: its workers are this process's own.
        healthy = bool(stats.workers) and (stats.broker_ok or stats.backend == "inline")
        return QueueHealth(healthy, self._clock.now(), stats)

    def model(self) -> LLMInfo:
        return self._llm.info
