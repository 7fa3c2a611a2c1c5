"""Personal API keys in the MongoDB store: one document a key, found by its keyed hash
(a unique index), each change one operation."""

from __future__ import annotations

from pymongo import ASCENDING

from synthetic_soul.adapters.store.mongo.base import MongoBase, reachable
from synthetic_soul.adapters.store.mongo.records import api_key_doc, api_key_of
from synthetic_soul.records import ApiKey


class KeyCollections(MongoBase):
    @reachable
    async def add_api_key(self, key: ApiKey) -> None:
        await self.db["api_keys"].insert_one(api_key_doc(key))

    @reachable
    async def api_key_by_hash(self, key_hash: str) -> ApiKey | None:
        doc = await self.db["api_keys"].find_one({"key_hash": key_hash})
        return api_key_of(doc) if doc else None

    @reachable
    async def list_api_keys(self, user_id: str) -> list[ApiKey]:
        found = self.db["api_keys"].find(
            {"user_id": user_id}, sort=[("created_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [api_key_of(doc) async for doc in found]

    @reachable
    async def delete_api_key(self, user_id: str, key_id: str) -> bool:
        done = await self.db["api_keys"].delete_one({"_id": key_id, "user_id": user_id})
        return done.deleted_count == 1

    @reachable
    async def delete_user_api_keys(self, user_id: str) -> int:
        done = await self.db["api_keys"].delete_many({"user_id": user_id})
        return done.deleted_count

    @reachable
    async def touch_api_key(self, key_id: str, now: float) -> None:
        await self.db["api_keys"].update_one({"_id": key_id}, {"$set": {"last_used_at": now}})
