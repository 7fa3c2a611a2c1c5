"""The one scheduler of a deployment: a spell of thinking every period and affect snapshots,
for each agent, and (where workers are other processes) the recovery of jobs whose worker
died. One tick goes over every agent; each thinks (and so reaches out) on its own.

Exactly one may tick per deployment. In the embedded deployment the serving process is the
whole deployment, so `leader` defaults to always; a deployment of several processes passes a
lock (a Redis lock, a store lease) as `leader`, and only its holder ticks. Thinking runs as a
job ("think", queue "low") whose id is fixed by the tick, so a tick never thinks twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from synthetic_soul.domain.agent import ActiveAgent, AgentState
from synthetic_soul.mind.history import snapshot_of
from synthetic_soul.mind.think import think_job
from synthetic_soul.ports import Agents, Clock, JobQueue, Jobs, Snapshots

log = logging.getLogger(__name__)

Leader = Callable[[], Awaitable[bool]]
Recovery = Callable[[], Awaitable[object]]
MAX_PAUSE_S = 30.0  # a pause between ticks never exceeds this, so leadership changes show
MIN_PAUSE_S = 0.05


async def always_leader() -> bool:
    """One process is the whole deployment: it always leads."""
    return True


class SchedulerStore(Agents, Jobs, Snapshots, Protocol):
    """The ports the scheduler uses."""


class Scheduler:
    def __init__(
        self,
        store: SchedulerStore,
        queue: JobQueue,
        clock: Clock,
        agent: ActiveAgent,
        thinking_period_s: float,
        snapshot_period_s: float,
        *,
        thinking: bool = True,
        leader: Leader = always_leader,
        recover: Recovery | None = None,
        recovery_period_s: float = 15.0,
    ) -> None:
        self._store = store
        self._queue = queue
        self._clock = clock
        self._agent = agent
        self._thinking_period = thinking_period_s
        self._snapshot_period = snapshot_period_s
        self._thinking = thinking
        self._leader = leader
        self._recover = recover
        self._recovery_period = recovery_period_s
        self._last_recovery: float | None = None
        self._last_tick: int | None = None
        self._last_snapshot: dict[str, float] = {}  # by agent id
        self._task: asyncio.Task[None] | None = None

    def tick_of(self, now: float) -> int:
        return int(now // self._thinking_period)

    async def tick(self) -> None:
        """One pass: the current tick's spell of thinking, a snapshot, a recovery, each when due."""
        if not await self._leader():
            return
        now = self._clock.now()
        if self._thinking:
            await self._think(now)
        await self._snapshot(now)
        await self._recovery(now)

    async def _recovery(self, now: float) -> None:
        if self._recover is None:
            return
        if self._last_recovery is not None and now - self._last_recovery < self._recovery_period:
            return
        self._last_recovery = now
        await self._recover()

    async def _think(self, now: float) -> None:
        tick = self.tick_of(now)
        if tick == self._last_tick:
            return
        for name, mode in await self._store.list_agents():
            await self.spell(now, name, mode)
        self._last_tick = tick

    async def spell(self, now: float, name: str = "", mode: str = "") -> bool:
        """Queue an agent's spell of thinking (by default the default agent's) of the tick
        `now` falls in, unless it was made already (before a restart, or asked for twice);
        whether it was queued now."""
        if not name:
            name, mode = self._agent.name, self._agent.mode
        job = think_job(name, mode, self.tick_of(now), now)
        if await self._store.get_job(job.id) is not None:
            return False
        await self._store.create_job(job)
        await self._queue.enqueue(job)
        return True

    async def _snapshot(self, now: float) -> None:
        due = self._snapshot_due()
        if due is not None and now < due:
            return
        for agent in await self._store.all_agents():
            await self._snapshot_of(agent, now)

    async def _snapshot_of(self, agent: AgentState, now: float) -> None:
        last = self._last_snapshot.get(agent.id)
        if last is not None and now - last < self._snapshot_period:
            return
        if last is None:  # first pass of this process for this agent: ask the store
            latest = await self._store.list_snapshots(agent.id, now - self._snapshot_period, now, 1)
            if latest:
                self._last_snapshot[agent.id] = latest[-1].at
                return
        await self._store.add_snapshot(snapshot_of(agent, now))
        self._last_snapshot[agent.id] = now

    def _snapshot_due(self) -> float | None:
        """When the next agent's snapshot falls due (None: one has never been looked at)."""
        if not self._last_snapshot:
            return None
        return min(self._last_snapshot.values()) + self._snapshot_period

    def pause(self) -> float:
        """Seconds until the next thing falls due (bounded)."""
        now = self._clock.now()
        due = [self._thinking_period - now % self._thinking_period] if self._thinking else []
        snapshot_due = self._snapshot_due()
        if snapshot_due is not None:
            due.append(snapshot_due - now)
        if self._recover is not None and self._last_recovery is not None:
            due.append(self._last_recovery + self._recovery_period - now)
        return max(MIN_PAUSE_S, min(MAX_PAUSE_S, *due)) if due else MAX_PAUSE_S

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            await asyncio.sleep(self.pause())

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="scheduler")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
