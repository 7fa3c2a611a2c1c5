"""The agent a user talks to, as they may see it: its state, how it sees them, its thoughts."""

from __future__ import annotations

from typing import Protocol

from synthetic_soul import ports
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.domain.agent import ActiveAgent, AgentState
from synthetic_soul.domain.relationship import new_profile_doc
from synthetic_soul.domain.thought import Thought
from synthetic_soul.errors import NotFound
from synthetic_soul.ports import Clock, Profile


class AgentStore(ports.Agents, ports.Thoughts, Protocol):
    """The ports reading the agent uses."""


class Agents:
    def __init__(self, store: AgentStore, clock: Clock, agent: ActiveAgent) -> None:
        self._store = store
        self._clock = clock
        self.agent = agent

    async def active(self) -> tuple[AgentState, float]:
        """The active agent and the instant its emotions should be read at."""
        agent = await self._store.get_agent(self.agent.name, self.agent.mode)
        if agent is None:
            raise NotFound(f"No agent named {self.agent.name}.", "agent_not_found")
        return agent, self._clock.now()

    async def relationship(self, who: Principal) -> tuple[Profile, float]:
        """How the active agent sees this user, and the instant it was read."""
        agent, now = await self.active()
        profile = await self._store.get_profile(agent.id, who.user_id)
        if profile is None:
            profile = Profile(agent.id, who.user_id, who.username, new_profile_doc(agent.mode, now))
        return profile, now

    async def all(self) -> list[tuple[str, str]]:
        return await self._store.list_agents()

    async def latest_thought(self, who: Principal) -> Thought:
        """The latest thought this user may see: about them, or about no one in particular."""
        agent, _ = await self.active()
        thought = await self._store.latest_thought(agent.id, who.user_id)
        if thought is None:
            raise NotFound(
                "The agent has had no thought it can share with you yet.", "thought_not_found"
            )
        return thought
