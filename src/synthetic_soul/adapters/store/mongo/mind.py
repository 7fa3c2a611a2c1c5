"""What the mind's background work reads in the MongoDB store: a reflection, a spell of thinking.

Each reads what it needs in one transaction, a snapshot; what it concluded is written in
another (`commit`), guarded by the agent's version like a reply's.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from synthetic_soul.adapters.store.mongo.base import MongoBase, reachable
from synthetic_soul.adapters.store.mongo.records import WITHOUT_VECTOR, Doc, message_of, thought_of
from synthetic_soul.adapters.store.mongo.statements import (
    Db,
    Tx,
    find_conversation,
    read_agent,
    read_profile,
)
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.outreach import HISTORY_LIMIT, Contact
from synthetic_soul.domain.outreach import PURPOSE as OUTREACH
from synthetic_soul.ports import Musing, Reflection

_OWN_THOUGHTS = 3  # thoughts about no one shown to a spell of thinking


async def _unreflected(
    db: Db, s: Tx, conversation_id: str, doc: dict[str, Any], limit: int
) -> tuple[Message, ...]:
    """The latest `limit` messages after the one the last reflection ended with."""
    if limit <= 0:
        return ()
    after = await db["messages"].find_one(
        {"_id": doc.get("reflected_message"), "conversation_id": conversation_id},
        {"seq": 1},
        session=s,
    )
    since: Doc
    if after is not None:
        since = {"seq": {"$gt": after["seq"]}}
    else:  # never reflected, or that message is gone: go by time
        since = {"timestamp": {"$gt": float(doc.get("reflected_upto") or 0.0)}}
    cursor = (
        db["messages"]
        .find({"conversation_id": conversation_id, **since}, WITHOUT_VECTOR, session=s)
        .sort("seq", -1)
        .limit(limit)
    )
    return tuple(message_of(d) for d in reversed([d async for d in cursor]))


async def _last(db: Db, s: Tx, query: Doc) -> tuple[int, float] | None:
    """The seq and time of the latest message matching `query`."""
    doc = await db["messages"].find_one(
        query, {"seq": 1, "timestamp": 1}, sort=[("seq", -1)], session=s
    )
    return (int(doc["seq"]), float(doc["timestamp"])) if doc else None


async def _contact(
    db: Db, s: Tx, conversation_id: str | None, profile: Doc, day_start: float
) -> Contact:
    doc = profile["doc"]
    times: tuple[float, ...] = ()
    outreaches: tuple[float, ...] = ()
    since: float | None = None
    if conversation_id is not None:
        mine = {"conversation_id": conversation_id, "from_agent": False}
        cursor = (
            db["messages"]
            .find(mine, {"timestamp": 1}, session=s)
            .sort("seq", -1)
            .limit(HISTORY_LIMIT)
        )
        times = tuple([d["timestamp"] async for d in cursor])
        sent = {"conversation_id": conversation_id, "from_agent": True, "purpose": OUTREACH}
        cursor = (
            db["messages"]
            .find({**sent, "timestamp": {"$gte": day_start}}, {"timestamp": 1}, session=s)
            .sort("seq", 1)
        )
        outreaches = tuple([d["timestamp"] async for d in cursor])
        outreach, answer = await _last(db, s, sent), await _last(db, s, mine)
        awaiting = outreach is not None and (answer is None or answer[0] < outreach[0])
        since = outreach[1] if outreach is not None and awaiting else None
    return Contact.of_profile(
        profile["user_id"], profile["username"], doc, times, outreaches, since
    )


class MindCollections(MongoBase):
    @reachable
    async def load_reflection(
        self, agent_name: str, mode: str, user_id: str, limit: int
    ) -> Reflection | None:
        async def tx(s: AsyncClientSession) -> Reflection | None:
            agent = await read_agent(self.db, s, agent_name, mode)
            if agent is None:
                return None
            profile = await read_profile(self.db, s, agent.id, user_id)
            if profile is None:
                return None
            conversation_id = await find_conversation(self.db, s, agent_name, user_id)
            messages = (
                await _unreflected(self.db, s, conversation_id, profile.doc, limit)
                if conversation_id
                else ()
            )
            return Reflection(agent, profile, messages)

        return await self._transaction(tx)

    @reachable
    async def load_musing(
        self, agent_name: str, mode: str, active_since: float, day_start: float, contacts: int
    ) -> Musing | None:
        async def tx(s: AsyncClientSession) -> Musing | None:
            db = self.db
            agent = await read_agent(db, s, agent_name, mode)
            if agent is None:
                return None
            cursor = (
                db["thoughts"]
                .find({"agent_id": agent.id, "user_id": None}, session=s)
                .sort("timestamp", -1)
                .limit(_OWN_THOUGHTS)
            )
            thoughts = [thought_of(d) async for d in cursor][::-1]
            recent: list[Doc] = []
            if contacts > 0:
                cursor = (
                    db["profiles"]
                    .find(
                        {"agent_id": agent.id, "doc.last_interaction": {"$gte": active_since}},
                        session=s,
                    )
                    .sort([("doc.last_interaction", -1), ("user_id", 1)])
                    .limit(contacts)
                )
                recent = [d async for d in cursor]
            found = []
            for profile in recent:
                conversation_id = await find_conversation(db, s, agent_name, profile["user_id"])
                found.append(await _contact(db, s, conversation_id, profile, day_start))
            return Musing(agent, tuple(thoughts), tuple(found))

        return await self._transaction(tx)
