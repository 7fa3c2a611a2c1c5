"""What the mind's background work reads: a reflection over one user, a spell of thinking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.outreach import Contact
from synthetic_soul.domain.thought import Thought
from synthetic_soul.ports.agents import Profile


@dataclass(frozen=True)
class Reflection:
    """What a reflection over one user reads, loaded in one go."""

    agent: AgentState
    profile: Profile
    messages: tuple[Message, ...]  # not reflected on yet: the latest of them, oldest first


@dataclass(frozen=True)
class Musing:
    """What a spell of autonomous thinking reads: never a user's words, only who they are."""

    agent: AgentState
    thoughts: tuple[Thought, ...]  # the latest thoughts about no one, oldest first
    contacts: tuple[Contact, ...]  # users who talked with the agent lately, latest first


class MindReads(Protocol):
    async def load_reflection(
        self, agent_name: str, mode: str, user_id: str, limit: int
    ) -> Reflection | None:
        """The agent, the profile and the latest `limit` messages not reflected on yet."""
        ...

    async def load_musing(
        self, agent_name: str, mode: str, active_since: float, day_start: float, contacts: int
    ) -> Musing | None: ...
