"""An agent's thoughts in the embedded store."""

from __future__ import annotations

from synthetic_soul.adapters.store.sqlite.base import SQLiteBase
from synthetic_soul.adapters.store.sqlite.records import thought_of
from synthetic_soul.adapters.store.sqlite.statements import read_latest_thought
from synthetic_soul.domain.thought import Thought


class ThoughtTables(SQLiteBase):
    async def latest_thought(self, agent_id: str, user_id: str) -> Thought | None:
        return await self._read(lambda db: read_latest_thought(db, agent_id, user_id))

    async def list_thoughts(
        self, agent_id: str, user_id: str, since: float, until: float, limit: int
    ) -> list[Thought]:
        rows = await self._read(
            lambda db: db.execute(
                "SELECT * FROM thoughts WHERE agent_id = ? AND (user_id IS NULL OR user_id = ?)"
                " AND timestamp >= ? AND timestamp <= ? ORDER BY timestamp DESC LIMIT ?",
                (agent_id, user_id, since, until, limit),
            ).fetchall()
        )
        return [thought_of(r) for r in reversed(rows)]
