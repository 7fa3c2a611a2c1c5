"""An agent's thoughts in the MongoDB store: about one user, or about no one.

A user may see the thoughts about them and those about no one, never another user's; every
query below says so in its filter.
"""

from __future__ import annotations

from synthetic_soul.adapters.store.mongo.base import MongoBase, reachable
from synthetic_soul.adapters.store.mongo.records import thought_of
from synthetic_soul.adapters.store.mongo.statements import latest_thought
from synthetic_soul.domain.thought import Thought


class ThoughtCollections(MongoBase):
    @reachable
    async def latest_thought(self, agent_id: str, user_id: str) -> Thought | None:
        return await latest_thought(self.db, None, agent_id, user_id)

    @reachable
    async def list_thoughts(
        self, agent_id: str, user_id: str, since: float, until: float, limit: int
    ) -> list[Thought]:
        if limit <= 0:
            return []
        cursor = (
            self.db["thoughts"]
            .find(
                {
                    "agent_id": agent_id,
                    "user_id": {"$in": [None, user_id]},
                    "timestamp": {"$gte": since, "$lte": until},
                }
            )
            .sort("timestamp", -1)
            .limit(limit)
        )
        return [thought_of(d) async for d in cursor][::-1]
