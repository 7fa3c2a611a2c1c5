"""An agent's thoughts, each about one user or about no one."""

from __future__ import annotations

from typing import Protocol

from synthetic_soul.domain.thought import Thought


class Thoughts(Protocol):
    async def latest_thought(self, agent_id: str, user_id: str) -> Thought | None: ...
    async def list_thoughts(
        self, agent_id: str, user_id: str, since: float, until: float, limit: int
    ) -> list[Thought]:
        """Thoughts the user may see (theirs or no one's) in [since, until], oldest first."""
        ...
