"""The store: every port a backend offers over one database, opened and closed as one."""

from __future__ import annotations

from typing import Protocol

from synthetic_soul.ports.accounts import Accounts, ApiKeys, Sessions
from synthetic_soul.ports.agents import Agents, Snapshots
from synthetic_soul.ports.commits import Commits
from synthetic_soul.ports.conversations import Conversations
from synthetic_soul.ports.faces import AgentFaces
from synthetic_soul.ports.jobs import Jobs
from synthetic_soul.ports.leases import Leases
from synthetic_soul.ports.memories import Memories
from synthetic_soul.ports.mind import MindReads
from synthetic_soul.ports.thoughts import Thoughts


class Lifecycle(Protocol):
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> bool: ...


class Store(
    Lifecycle,
    Accounts,
    Sessions,
    ApiKeys,
    Agents,
    AgentFaces,
    Snapshots,
    Conversations,
    Jobs,
    Leases,
    Thoughts,
    Memories,
    MindReads,
    Commits,
    Protocol,
):
    """What the composition root opens; a use case asks only for the ports it uses."""
