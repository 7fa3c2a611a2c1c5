"""What the agent remembers about a user: the user may see it and have any of it forgotten."""

from __future__ import annotations

from synthetic_soul import ports
from synthetic_soul.auth.sessions import Principal
from synthetic_soul.domain.agent import ActiveAgent
from synthetic_soul.domain.memory import Memory
from synthetic_soul.errors import NotFound


class Memories:
    def __init__(self, store: ports.Memories, agent: ActiveAgent) -> None:
        self._store = store
        self._agent = agent

    async def about(self, who: Principal, agent: ActiveAgent | None = None) -> list[Memory]:
        """The agent's memories about this user, newest first."""
        return await self._store.list_memories((agent or self._agent).id, who.user_id)

    async def forget(
        self, who: Principal, memory_id: str, agent: ActiveAgent | None = None
    ) -> None:
        """Deletes one memory about this user; another user's memory, or another agent's, is
        as good as absent."""
        agent_id = (agent or self._agent).id
        if not await self._store.delete_memory(agent_id, who.user_id, memory_id):
            raise NotFound("No such memory about you.", "memory_not_found")
