"""Memories: a user's prompts and views see only memories about them or about no one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from synthetic_soul.domain.memory import Memory


class Memories(Protocol):
    async def add_memories(self, memories: Sequence[Memory]) -> None: ...
    async def recall_memories(
        self, agent_id: str, user_id: str | None, query: str, now: float, k: int, mark: bool = True
    ) -> list[Memory]:
        """The k best by recency, importance and relevance; marks them recalled at `now`
        unless `mark` is False (a look ahead, which must leave the ranking as it found it)."""
        ...

    async def list_memories(self, agent_id: str, user_id: str) -> list[Memory]: ...
    async def delete_memory(self, agent_id: str, user_id: str, memory_id: str) -> bool: ...
