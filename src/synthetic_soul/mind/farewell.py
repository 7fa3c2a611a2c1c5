"""Being forgotten: the agent feels the loss of a user who asked to be erased.

The user is gone by the time this runs, so the job carries no trace of them: the agent's
name and mode, and the affinity the agent had for them (read before the erase). What the
agent feels is the occasion `occasions.forgotten`, with a reason that names no one.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Protocol

from synthetic_soul.domain import occasions
from synthetic_soul.domain.affect import feel_potentials
from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.reasons import FORGOTTEN
from synthetic_soul.job_handlers import Outcome, Report
from synthetic_soul.mind.asked import FarewellAsked
from synthetic_soul.mind.history import snapshot_of
from synthetic_soul.mind.writing import CommitFailed, Writer
from synthetic_soul.ports import Agents, Clock, Commits, MindCommit
from synthetic_soul.records import Job


class FarewellStore(Agents, Commits, Protocol):
    """The ports a farewell uses."""


def farewell_job(agent: str, mode: str, affinity: float, now: float) -> Job:
    """The agent's feeling of one user's farewell: anonymous, so owned by the agent."""
    payload = FarewellAsked(agent, mode, affinity).payload()
    return Job.queued(uuid.uuid4().hex, f"agent:{agent}", "farewell", "low", payload, now)


class Farewell:
    def __init__(self, store: FarewellStore, clock: Clock, writer: Writer | None = None) -> None:
        self._store = store
        self._clock = clock
        self._writer = writer or Writer()  # shared by every use case that changes the agent

    async def __call__(self, job: Job, report: Report) -> Outcome:
        asked = FarewellAsked.of(job)
        name, mode = asked.agent, asked.mode
        pots = occasions.forgotten(asked.affinity, mode)

        async def load() -> AgentState:
            agent = await self._store.get_agent(name, mode)
            if agent is None:
                raise CommitFailed(f"job {job.id}: no agent {name!r}")
            return agent

        async def write(agent: AgentState) -> Outcome:
            now = self._clock.now()
            commit = MindCommit(job.id, {"felt": bool(pots)}, (), now)
            if pots:
                affect = feel_potentials(agent.affect, pots, agent.personality, now)
                felt = agent.with_affect(affect, FORGOTTEN)
                snapshot = snapshot_of(felt, now)
                commit = replace(
                    commit, agent=felt, expected_version=agent.version, snapshot=snapshot
                )
            return Outcome(await self._store.commit(commit.plan()))

        # Stale: the agent changed meanwhile: feel it again on the new state.
        return await self._writer.commit(job.id, await load(), write, load)
