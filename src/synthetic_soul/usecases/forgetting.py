"""A user asks to be forgotten: they are erased, and each agent that was close to them feels
the loss afterwards, in a job of its own, so that the request does not wait on the mind."""

from __future__ import annotations

from typing import Protocol

from synthetic_soul import ports
from synthetic_soul.auth.sessions import Auth, Principal
from synthetic_soul.domain import occasions
from synthetic_soul.domain.relationship import affinity
from synthetic_soul.mind.farewell import farewell_job
from synthetic_soul.ports import Clock, JobQueue
from synthetic_soul.records import Job
from synthetic_soul.usecases.background import queue_after


class ForgettingStore(ports.Agents, ports.Jobs, Protocol):
    """The ports forgetting a user uses."""


class Forgetting:
    def __init__(self, store: ForgettingStore, queue: JobQueue, clock: Clock, auth: Auth) -> None:
        self._store = store
        self._queue = queue
        self._clock = clock
        self._auth = auth

    async def forget(self, who: Principal) -> None:
        """Erase the user; then queue a farewell for each agent close to them.

        Once the erase is done, the request has what it asked for: a queue out of reach
        (Redis down) leaves a farewell stored as queued, where the scheduler's recovery of
        long-queued jobs hands it to the queue later, and does not fail the request."""
        # Read before the erase: afterwards nothing says how close the agents were.
        farewells = await self._farewells(who.user_id)
        await self._auth.forget(who)
        for job in farewells:
            await queue_after(self._store, self._queue, job)

    async def _farewells(self, user_id: str) -> list[Job]:
        """A job per agent (every agent's profile of the user is erased) that was close to
        them: a stranger or an enemy leaving stirs nothing, so it needs none."""
        now = self._clock.now()
        jobs = []
        for agent in await self._store.all_agents():
            profile = await self._store.get_profile(agent.id, user_id)
            if profile is None:
                continue
            felt = affinity(profile.relationship.sentiments)
            if occasions.closeness(felt) > 0.0:
                jobs.append(farewell_job(agent.name, agent.mode, round(felt, 2), now))
        return jobs
