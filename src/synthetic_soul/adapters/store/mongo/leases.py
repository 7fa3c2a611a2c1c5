"""Leases in the MongoDB store: an expiring hold on a key (e.g. "turn:<agent>:<user>"), so
only one holder does that thing at a time.

A lease is taken by a conditional upsert: a lease someone else holds makes it insert a second
document with the same `_id`, which the server refuses.
"""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from synthetic_soul.adapters.store.mongo.base import MongoBase, reachable


class LeaseCollections(MongoBase):
    @reachable
    async def acquire_lease(self, key: str, holder: str, now: float, ttl_s: float) -> bool:
        try:
            # Matches only a lease this holder has or one that has run out; a lease someone
            # else holds makes the upsert try to insert a second `_id`, which is refused.
            await self.db["leases"].update_one(
                {"_id": key, "$or": [{"holder": holder}, {"expires_at": {"$lte": now}}]},
                {"$set": {"holder": holder, "expires_at": now + ttl_s}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return True

    @reachable
    async def release_lease(self, key: str, holder: str) -> None:
        await self.db["leases"].delete_one({"_id": key, "holder": holder})
