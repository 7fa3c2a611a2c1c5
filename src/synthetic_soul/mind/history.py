"""The agent's feelings over time: snapshots for charts, and the history a user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from synthetic_soul.domain.agent import ActiveAgent, AgentState
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.domain.thought import Thought
from synthetic_soul.errors import NotFound
from synthetic_soul.ports import Agents, Clock, Conversations, Snapshots, Thoughts

MAX_POINTS = 2000
MAX_MARKS = 500


class HistoryStore(Agents, Conversations, Snapshots, Thoughts, Protocol):
    """The ports the agent's history reads."""


def snapshot_of(agent: AgentState, now: float) -> AffectSnapshot:
    """The agent's emotions and mood at `now`, as a chart point."""
    mood = agent.mood_at(now)
    return AffectSnapshot(
        agent.id,
        now,
        agent.emotions_at(now),
        {"pleasure": mood.pleasure, "arousal": mood.arousal, "dominance": mood.dominance},
    )


@dataclass(frozen=True)
class History:
    points: tuple[AffectSnapshot, ...]  # oldest first, the last one taken now
    messages: tuple[Message, ...]  # the user's conversation within the window
    thoughts: tuple[Thought, ...]  # thoughts the user may see within the window


class Histories:
    def __init__(self, store: HistoryStore, clock: Clock, agent: ActiveAgent) -> None:
        self._store = store
        self._clock = clock
        self._agent = agent

    async def of(
        self, user_id: str, since: float | None, limit: int, speaking: ActiveAgent | None = None
    ) -> History:
        speaking = speaking or self._agent
        agent = await self._store.get_agent(speaking.name, speaking.mode)
        if agent is None:
            raise NotFound(f"No agent named {speaking.name}.", "agent_not_found")
        now = self._clock.now()
        start = since if since is not None else now - 86400
        limit = max(1, min(limit, MAX_POINTS))
        points = await self._store.list_snapshots(agent.id, start, now, limit - 1)
        conversation = await self._store.get_conversation(agent.name, user_id, now)
        thoughts = await self._store.list_thoughts(agent.id, user_id, start, now, MAX_MARKS)
        return History(
            points=(*points, snapshot_of(agent, now)),
            messages=tuple(m for m in conversation.messages if m.timestamp >= start)[-MAX_MARKS:],
            thoughts=tuple(thoughts),
        )
