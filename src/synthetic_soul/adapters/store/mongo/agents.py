"""Agents in the MongoDB store, with their profile of each user and their affect history.

An agent is made once per name, whatever its mode, by a `$setOnInsert` upsert on the name (its
unique index), so processes starting together agree on one; it changes only in a job's commit,
over its version (see `statements.save_agent`).
"""

from __future__ import annotations

import contextlib

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from synthetic_soul.adapters.store.mongo.base import MongoBase, reachable
from synthetic_soul.adapters.store.mongo.records import agent_doc, agent_of, snapshot_of
from synthetic_soul.adapters.store.mongo.statements import (
    insert_snapshot,
    read_agent,
    read_profile,
)
from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.ports import Profile


class AgentCollections(MongoBase):
    @reachable
    async def ensure_agent(self, candidate: AgentState) -> AgentState:
        key = {"name": candidate.name}
        # A concurrent candidate may be made first (a duplicate key here); it is the agent.
        with contextlib.suppress(DuplicateKeyError):
            await self.db["agents"].update_one(
                key, {"$setOnInsert": agent_doc(candidate)}, upsert=True
            )
        found = await self.db["agents"].find_one(key)
        assert found is not None
        return agent_of(found)

    @reachable
    async def get_agent(self, name: str, mode: str) -> AgentState | None:
        return await read_agent(self.db, None, name, mode)

    @reachable
    async def list_agents(self) -> list[tuple[str, str]]:
        cursor = self.db["agents"].find({}, {"name": 1, "mode": 1}).sort([("name", 1), ("mode", 1)])
        return [(d["name"], d["mode"]) async for d in cursor]

    @reachable
    async def all_agents(self) -> list[AgentState]:
        return [agent_of(d) async for d in self.db["agents"].find({}).sort("name", 1)]

    @reachable
    async def get_profile(self, agent_id: str, user_id: str) -> Profile | None:
        return await read_profile(self.db, None, agent_id, user_id)

    @reachable
    async def set_visibility(self, agent_id: str, visibility: str) -> bool:
        result = await self.db["agents"].update_one(
            {"_id": agent_id},
            {"$set": {"state.visibility": visibility}, "$inc": {"version": 1}},
        )
        return result.matched_count == 1

    @reachable
    async def delete_agent(self, agent_id: str) -> bool:
        async def tx(s: AsyncClientSession) -> bool:
            db = self.db
            agent = await db["agents"].find_one({"_id": agent_id}, {"name": 1}, session=s)
            if agent is None:
                return False
            conversations = [
                d["_id"]
                async for d in db["conversations"].find(
                    {"agent_name": agent["name"]}, {"_id": 1}, session=s
                )
            ]
            await db["messages"].delete_many({"conversation_id": {"$in": conversations}}, session=s)
            await db["conversations"].delete_many({"agent_name": agent["name"]}, session=s)
            for name in ("profiles", "snapshots", "thoughts", "memories", "faces"):
                await db[name].delete_many({"agent_id": agent_id}, session=s)
            # Its jobs too: a reply's result holds what it said.
            await db["jobs"].delete_many({"payload.agent": agent["name"]}, session=s)
            await db["agents"].delete_one({"_id": agent_id}, session=s)
            return True

        return await self._transaction(tx)

    @reachable
    async def add_snapshot(self, snapshot: AffectSnapshot) -> None:
        await insert_snapshot(self.db, None, snapshot)

    @reachable
    async def list_snapshots(
        self, agent_id: str, since: float, until: float, limit: int
    ) -> list[AffectSnapshot]:
        if limit <= 0:
            return []
        cursor = (
            self.db["snapshots"]
            .find({"agent_id": agent_id, "at": {"$gte": since, "$lte": until}})
            .sort("at", -1)
            .limit(limit)
        )
        return [snapshot_of(d) async for d in cursor][::-1]
