"""The mind's background work in the MongoDB store: reflections, thinking, affect history.

A reflection or a spell of thinking reads what it needs in one transaction and writes all it
concluded in another (`commit_mind`), guarded by the agent's version like a reply's commit.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from synthetic_soul.adapters.store.mongo_base import MongoBase, reachable
from synthetic_soul.adapters.store.mongo_docs import (
    Doc,
    message_of,
    snapshot_doc,
    snapshot_of,
    thought_of,
)
from synthetic_soul.adapters.store.mongo_memories import insert_memories
from synthetic_soul.adapters.store.mongo_records import (
    Db,
    Tx,
    find_conversation,
    finish_job,
    insert_message,
    insert_thought,
    job_to_commit,
    open_conversation,
    read_agent,
    read_profile,
    record_calls,
    save_agent,
)
from synthetic_soul.domain import memory as memory_rules
from synthetic_soul.domain.outreach import HISTORY_LIMIT, Contact
from synthetic_soul.domain.outreach import PURPOSE as OUTREACH
from synthetic_soul.ports import MindCommit, Musing, Reflection
from synthetic_soul.records import AffectSnapshot, Job, Message

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
        .find({"conversation_id": conversation_id, **since}, session=s)
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
    awaiting = False
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
    return Contact(
        user_id=profile["user_id"],
        username=profile["username"],
        relationship=str(doc.get("extrinsic_relationship", "stranger")),
        sentiments={k: float(v) for k, v in dict(doc.get("sentiments", {})).items()},
        message_times=times,
        recent_outreaches=outreaches,
        awaiting_answer=awaiting,
        awaiting_since=since,
        doc=dict(doc),
    )


async def insert_snapshot(db: Db, s: Tx, snapshot: AffectSnapshot) -> None:
    """Keeps the first snapshot taken at one instant; a second one changes nothing."""
    key = {"agent_id": snapshot.agent_id, "at": snapshot.at}
    try:
        await db["snapshots"].update_one(
            key, {"$setOnInsert": snapshot_doc(snapshot)}, upsert=True, session=s
        )
    except DuplicateKeyError:
        if s is not None:
            raise  # the transaction is void; it runs again and then finds the snapshot
        # Outside a transaction, a concurrent writer took the same instant first.


async def _apply(db: Db, s: AsyncClientSession, c: MindCommit, seqs: tuple[int, int]) -> Job:
    job = await job_to_commit(db, s, c.job_id)
    if job.finished:
        return job  # a second run of the same job writes nothing
    if c.agent is not None:
        await save_agent(db, s, c.agent, c.expected_version, c.now)
    if c.snapshot is not None:
        await insert_snapshot(db, s, c.snapshot)
    if c.profile is not None:
        await db["profiles"].update_one(
            {"agent_id": c.profile.agent_id, "user_id": c.profile.user_id},
            {"$set": {"doc": c.profile.doc}},
            session=s,
        )
    message_seq, memory_seq = seqs
    await insert_memories(db, s, c.memories, memory_seq)
    if c.thought is not None:
        await insert_thought(db, s, c.thought)
    if c.outreach is not None and c.outreach_to is not None and c.agent is not None:
        # The first message of a conversation the user may not have started yet.
        conversation_id = await open_conversation(
            db, s, c.agent.name, c.outreach_to, c.outreach.timestamp
        )
        await insert_message(db, s, c.outreach, conversation_id, message_seq)
    await record_calls(db, s, c.job_id, c.llm_calls, c.now)
    finished = await finish_job(db, s, c.job_id, "succeeded", c.result, None, c.now)
    assert finished is not None
    return finished


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

    @reachable
    async def commit_mind(self, commit: MindCommit) -> Job:
        for m in commit.memories:
            memory_rules.check(m)
        message_seq = await self._next_seqs("messages", 1) if commit.outreach is not None else 0
        memory_seq = (
            await self._next_seqs("memories", len(commit.memories)) if commit.memories else 0
        )

        async def tx(s: AsyncClientSession) -> Job:
            return await _apply(self.db, s, commit, (message_seq, memory_seq))

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
