"""Who uses a one-at-a-time model next: a person waiting on a reply before anything else.

A reply is urgent: someone is watching for it. Reflections and thoughts are not. An urgent
call goes ahead of every waiting non-urgent one, and a non-urgent call already running is
asked to stop (`Run.stop` is set and `Run.preempted` says why) so that it can start again
once the urgent calls are done. Among calls of the same kind, first come, first served.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
from dataclasses import dataclass, field


@dataclass(eq=False)
class Run:
    """One turn at the model."""

    urgent: bool
    stop: threading.Event = field(default_factory=threading.Event)
    preempted: bool = False

    def preempt(self) -> None:
        self.preempted = True
        self.stop.set()


class ModelTurns:
    def __init__(self) -> None:
        self._current: Run | None = None
        self._waiting: list[tuple[int, int, asyncio.Future[None], Run]] = []
        self._order = itertools.count()

    async def take(self, urgent: bool) -> Run:
        """Wait for a turn; the caller must `give_back` it, however its call ends."""
        run = Run(urgent)
        if self._current is None and not self._waiting:
            self._current = run
            return run
        if urgent and self._current is not None and not self._current.urgent:
            self._current.preempt()
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (0 if urgent else 1, next(self._order), granted, run))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self.give_back(run)  # granted as the caller gave up: pass it on
            raise
        return run

    def give_back(self, run: Run) -> None:
        if self._current is not run:
            return
        self._current = None
        while self._waiting:
            _, _, granted, waiting = heapq.heappop(self._waiting)
            if not granted.done():  # not given up on while it waited
                self._current = waiting
                granted.set_result(None)
                return
