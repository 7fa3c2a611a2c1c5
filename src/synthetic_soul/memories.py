"""What the agent remembers about a user: the user may see it and have any of it forgotten."""

from __future__ import annotations

from synthetic_soul.auth.sessions import Principal
from synthetic_soul.errors import NotFound
from synthetic_soul.ports import Store
from synthetic_soul.records import Memory


class Memories:
    def __init__(self, store: Store, agent_name: str, mode: str) -> None:
        self._store = store
        self.agent_name = agent_name
        self._mode = mode

    async def _agent_id(self) -> str:
        agent = await self._store.get_agent(self.agent_name, self._mode)
        if agent is None:
            raise NotFound(f"No agent named {self.agent_name}.", "agent_not_found")
        return agent.id

    async def about(self, who: Principal) -> list[Memory]:
        """The active agent's memories about this user, newest first."""
        return await self._store.list_memories(await self._agent_id(), who.user_id)

    async def forget(self, who: Principal, memory_id: str) -> None:
        """Deletes one memory about this user; another user's memory is as good as absent."""
        if not await self._store.delete_memory(await self._agent_id(), who.user_id, memory_id):
            raise NotFound("No such memory about you.", "memory_not_found")
