"""Agents, how each sees its users, and the history of its feelings."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Protocol

from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.relationship import Relationship
from synthetic_soul.domain.snapshot import AffectSnapshot


@dataclass(frozen=True)
class Profile:
    """How an agent sees one user."""

    agent_id: str
    user_id: str
    username: str
    doc: dict[str, Any]  # the stored form; read it through `relationship`

    @functools.cached_property
    def relationship(self) -> Relationship:
        """Read once a profile: replies and reflections look at it several times."""
        return Relationship.of(self.doc)


class Agents(Protocol):
    async def ensure_agent(self, candidate: AgentState) -> AgentState:
        """The agent of the candidate's name, whatever its mode (a name is one agent): the one
        stored, else the candidate, made now."""
        ...

    async def get_agent(self, name: str, mode: str) -> AgentState | None:
        """The agent of this name, if it is in this mode."""
        ...

    async def list_agents(self) -> list[tuple[str, str]]: ...
    async def all_agents(self) -> list[AgentState]:
        """Every agent, by name, in one read."""
        ...

    async def get_profile(self, agent_id: str, user_id: str) -> Profile | None: ...
    async def set_visibility(self, agent_id: str, visibility: str) -> bool:
        """Who may talk to the agent; a new version, so a job holding the old state retries
        rather than writing it back. False: no such agent."""
        ...

    async def delete_agent(self, agent_id: str) -> bool:
        """The agent and everything of it (profiles, conversations and their messages,
        thoughts, memories, snapshots), in one transaction; False: no such agent."""
        ...


class Snapshots(Protocol):
    async def add_snapshot(self, snapshot: AffectSnapshot) -> None: ...
    async def list_snapshots(
        self, agent_id: str, since: float, until: float, limit: int
    ) -> list[AffectSnapshot]:
        """The latest `limit` snapshots taken in [since, until], oldest first."""
        ...
