"""The single reads and writes several areas of the MongoDB store share.

Each takes the database and the session of the caller's transaction (None outside one), so a
job's commit writes the same documents the same way the areas do. None of them starts,
commits or aborts a transaction, and none rewrites a whole document it has read: each write
is one conditional operation (`$set`, `$inc`, `$setOnInsert` upserts).
"""

from __future__ import annotations

import uuid
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from synthetic_soul.adapters.store.mongo.records import (
    Doc,
    agent_of,
    call_doc,
    job_doc,
    job_of,
    message_doc,
    profile_of,
    snapshot_doc,
    thought_doc,
    thought_of,
)
from synthetic_soul.domain.agent import AgentState, to_doc
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.domain.thought import Thought
from synthetic_soul.ports import Profile, StaleStateError
from synthetic_soul.records import Job, LLMCall

Db = AsyncDatabase[Doc]
Tx = AsyncClientSession | None
OPEN = ["queued", "running"]  # a job in one of these may still change


# -- reads ----------------------------------------------------------------------------------
async def read_agent(db: Db, s: Tx, name: str, mode: str) -> AgentState | None:
    doc = await db["agents"].find_one({"name": name, "mode": mode}, session=s)
    return agent_of(doc) if doc else None


async def read_profile(db: Db, s: Tx, agent_id: str, user_id: str) -> Profile | None:
    doc = await db["profiles"].find_one({"agent_id": agent_id, "user_id": user_id}, session=s)
    return profile_of(doc) if doc else None


async def read_job(db: Db, s: Tx, job_id: str) -> Job | None:
    doc = await db["jobs"].find_one({"_id": job_id}, session=s)
    return job_of(doc) if doc else None


async def job_to_commit(db: Db, s: Tx, job_id: str) -> Job:
    """The job a commit finishes; the caller writes nothing if it has finished already."""
    job = await read_job(db, s, job_id)
    if job is None:
        raise LookupError(f"no job {job_id}")
    return job


async def find_conversation(db: Db, s: Tx, agent_name: str, user_id: str) -> str | None:
    doc = await db["conversations"].find_one(
        {"agent_name": agent_name, "user_id": user_id}, {"_id": 1}, session=s
    )
    return str(doc["_id"]) if doc else None


async def latest_thought(db: Db, s: Tx, agent_id: str, user_id: str) -> Thought | None:
    """The latest thought the user may see: about them, or about no one."""
    doc = await db["thoughts"].find_one(
        {"agent_id": agent_id, "user_id": {"$in": [None, user_id]}},
        sort=[("timestamp", -1)],
        session=s,
    )
    return thought_of(doc) if doc else None


# -- writes ---------------------------------------------------------------------------------
async def open_conversation(db: Db, s: Tx, agent_name: str, user_id: str, now: float) -> str:
    """The id of the user's conversation with the agent, started at `now` if there is none."""
    key = {"agent_name": agent_name, "user_id": user_id}
    try:
        doc = await db["conversations"].find_one_and_update(
            key,
            {"$setOnInsert": {"_id": uuid.uuid4().hex, "created_at": now}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
            projection={"_id": 1},
            session=s,
        )
    except DuplicateKeyError:
        # Outside a transaction, a concurrent upsert for the same pair made it first.
        doc = await db["conversations"].find_one(key, {"_id": 1}, session=s)
    assert doc is not None
    return str(doc["_id"])


async def insert_message(db: Db, s: Tx, m: Message, conversation_id: str, seq: int) -> None:
    await db["messages"].insert_one(message_doc(m, conversation_id, seq), session=s)


async def insert_job(db: Db, s: Tx, job: Job) -> None:
    await db["jobs"].insert_one(job_doc(job), session=s)


async def finish_job(
    db: Db,
    s: Tx,
    job_id: str,
    status: str,
    result: dict[str, Any] | None,
    error: str | None,
    now: float,
) -> Job | None:
    """Ends the job unless it has ended already; the job as it now stands, None if unknown."""
    doc = await db["jobs"].find_one_and_update(
        {"_id": job_id, "status": {"$in": OPEN}},
        {
            "$set": {
                "status": status,
                "result": result,
                "error": error,
                "progress": 1.0,
                "updated_at": now,
            }
        },
        return_document=ReturnDocument.AFTER,
        session=s,
    )
    if doc is None:  # ended before, or unknown
        doc = await db["jobs"].find_one({"_id": job_id}, session=s)
    return job_of(doc) if doc else None


async def save_agent(db: Db, s: Tx, agent: AgentState, expected_version: int, now: float) -> None:
    """Writes the agent only over `expected_version`; else StaleStateError (the caller's
    transaction then aborts, so nothing else it wrote stays either)."""
    done = await db["agents"].update_one(
        {"_id": agent.id, "version": expected_version},
        {"$set": {"state": to_doc(agent), "updated_at": now}, "$inc": {"version": 1}},
        session=s,
    )
    if done.matched_count != 1:
        raise StaleStateError(agent.id)


async def upsert_profile(db: Db, s: Tx, p: Profile) -> None:
    await db["profiles"].update_one(
        {"agent_id": p.agent_id, "user_id": p.user_id},
        {"$set": {"username": p.username, "doc": p.doc}},
        upsert=True,
        session=s,
    )


async def insert_thought(db: Db, s: Tx, t: Thought) -> None:
    await db["thoughts"].insert_one(thought_doc(t), session=s)


async def record_calls(
    db: Db, s: Tx, job_id: str | None, calls: tuple[LLMCall, ...], now: float
) -> None:
    if calls:
        await db["llm_calls"].insert_many([call_doc(job_id, c, now) for c in calls], session=s)


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
