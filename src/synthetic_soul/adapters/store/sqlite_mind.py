"""The mind's background work in the embedded store: reflections, thinking, affect history.

A reflection or a spell of thinking reads what it needs in one transaction and writes all it
concluded in another (`commit_mind`), guarded by the agent's version like a reply's commit.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, ClassVar

from synthetic_soul.adapters.store.sqlite_base import SQLiteBase
from synthetic_soul.adapters.store.sqlite_memories import insert_memories
from synthetic_soul.adapters.store.sqlite_rows import (
    MESSAGE_COLS,
    find_conversation,
    finish_job,
    insert_message,
    insert_thought,
    job_to_commit,
    message_of,
    open_conversation,
    read_agent,
    read_profile,
    record_calls,
    save_agent,
    thought_of,
)
from synthetic_soul.domain import memory as memory_rules
from synthetic_soul.domain.outreach import HISTORY_LIMIT, Contact
from synthetic_soul.domain.outreach import PURPOSE as OUTREACH
from synthetic_soul.ports import MindCommit, Musing, Reflection
from synthetic_soul.records import AffectSnapshot, Job, Message

MIND_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    agent_id TEXT NOT NULL,
    at REAL NOT NULL,
    emotions TEXT NOT NULL,
    mood TEXT NOT NULL,
    PRIMARY KEY (agent_id, at)
);
"""

_OWN_THOUGHTS = 3  # thoughts about no one shown to a spell of thinking


def _unreflected(
    db: sqlite3.Connection, conversation_id: str, doc: dict[str, Any], limit: int
) -> tuple[Message, ...]:
    """The latest `limit` messages after the one the last reflection ended with."""
    after = db.execute(
        "SELECT seq FROM messages WHERE id = ? AND conversation_id = ?",
        (doc.get("reflected_message"), conversation_id),
    ).fetchone()
    if after is not None:
        where, arg = "seq > ?", after["seq"]
    else:  # never reflected, or that message is gone: go by time
        where, arg = "timestamp > ?", float(doc.get("reflected_upto") or 0.0)
    rows = db.execute(
        f"SELECT {MESSAGE_COLS} FROM messages WHERE conversation_id = ? AND {where}"
        " ORDER BY seq DESC LIMIT ?",
        (conversation_id, arg, limit),
    ).fetchall()
    return tuple(message_of(r) for r in reversed(rows))


def _contact(
    db: sqlite3.Connection, conversation_id: str | None, row: sqlite3.Row, day_start: float
) -> Contact:
    doc = json.loads(row["doc"])
    times: tuple[float, ...] = ()
    outreaches: tuple[float, ...] = ()
    awaiting = False
    since: float | None = None
    if conversation_id is not None:
        times = tuple(
            r[0]
            for r in db.execute(
                "SELECT timestamp FROM messages WHERE conversation_id = ? AND from_agent = 0"
                " ORDER BY seq DESC LIMIT ?",
                (conversation_id, HISTORY_LIMIT),
            )
        )
        outreaches = tuple(
            r[0]
            for r in db.execute(
                "SELECT timestamp FROM messages WHERE conversation_id = ? AND from_agent = 1"
                " AND purpose = ? AND timestamp >= ?",
                (conversation_id, OUTREACH, day_start),
            )
        )
        last = db.execute(
            "SELECT (SELECT MAX(seq) FROM messages WHERE conversation_id = ?1 AND from_agent = 1"
            " AND purpose = ?2) AS outreach,"
            " (SELECT MAX(seq) FROM messages WHERE conversation_id = ?1 AND from_agent = 0)"
            " AS answer,"
            " (SELECT timestamp FROM messages WHERE conversation_id = ?1 AND from_agent = 1"
            " AND purpose = ?2 ORDER BY seq DESC LIMIT 1) AS outreach_at",
            (conversation_id, OUTREACH),
        ).fetchone()
        awaiting = last["outreach"] is not None and (
            last["answer"] is None or last["answer"] < last["outreach"]
        )
        since = float(last["outreach_at"]) if awaiting else None
    return Contact(
        user_id=row["user_id"],
        username=row["username"],
        relationship=str(doc.get("extrinsic_relationship", "stranger")),
        sentiments={k: float(v) for k, v in dict(doc.get("sentiments", {})).items()},
        message_times=times,
        recent_outreaches=outreaches,
        awaiting_answer=awaiting,
        awaiting_since=since,
        doc=doc,
    )


def insert_snapshot(db: sqlite3.Connection, snapshot: AffectSnapshot) -> None:
    db.execute(
        "INSERT INTO snapshots (agent_id, at, emotions, mood) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (agent_id, at) DO NOTHING",
        (snapshot.agent_id, snapshot.at, json.dumps(snapshot.emotions), json.dumps(snapshot.mood)),
    )


def _apply(db: sqlite3.Connection, c: MindCommit) -> Job:
    job = job_to_commit(db, c.job_id)
    if job.finished:
        return job  # a second run of the same job writes nothing
    if c.agent is not None:
        save_agent(db, c.agent, c.expected_version, c.now)
    if c.snapshot is not None:
        insert_snapshot(db, c.snapshot)
    if c.profile is not None:
        db.execute(
            "UPDATE profiles SET doc = ? WHERE agent_id = ? AND user_id = ?",
            (json.dumps(c.profile.doc), c.profile.agent_id, c.profile.user_id),
        )
    insert_memories(db, c.memories)
    if c.thought is not None:
        insert_thought(db, c.thought)
    if c.outreach is not None and c.outreach_to is not None and c.agent is not None:
        # The first message of a conversation the user may not have started yet.
        conversation_id = open_conversation(db, c.agent.name, c.outreach_to, c.outreach.timestamp)
        insert_message(db, c.outreach, conversation_id)
    record_calls(db, c.job_id, c.llm_calls, c.now)
    finished = finish_job(db, c.job_id, "succeeded", c.result, None, c.now)
    assert finished is not None
    return finished


class MindTables(SQLiteBase):
    SCHEMAS: ClassVar[tuple[str, ...]] = (MIND_SCHEMA,)

    async def load_reflection(
        self, agent_name: str, mode: str, user_id: str, limit: int
    ) -> Reflection | None:
        def tx(db: sqlite3.Connection) -> Reflection | None:
            agent = read_agent(db, agent_name, mode)
            if agent is None:
                return None
            profile = read_profile(db, agent.id, user_id)
            if profile is None:
                return None
            conversation_id = find_conversation(db, agent_name, user_id)
            messages = (
                _unreflected(db, conversation_id, profile.doc, limit) if conversation_id else ()
            )
            return Reflection(agent, profile, messages)

        return await self._read(tx)

    async def load_musing(
        self, agent_name: str, mode: str, active_since: float, day_start: float, contacts: int
    ) -> Musing | None:
        def tx(db: sqlite3.Connection) -> Musing | None:
            agent = read_agent(db, agent_name, mode)
            if agent is None:
                return None
            thoughts = db.execute(
                "SELECT * FROM thoughts WHERE agent_id = ? AND user_id IS NULL"
                " ORDER BY timestamp DESC LIMIT ?",
                (agent.id, _OWN_THOUGHTS),
            ).fetchall()
            recent = db.execute(
                "SELECT user_id, username, doc FROM profiles WHERE agent_id = ?"
                " AND json_extract(doc, '$.last_interaction') >= ?"
                " ORDER BY json_extract(doc, '$.last_interaction') DESC, user_id LIMIT ?",
                (agent.id, active_since, contacts),
            ).fetchall()
            return Musing(
                agent,
                tuple(thought_of(r) for r in reversed(thoughts)),
                tuple(
                    _contact(db, find_conversation(db, agent_name, r["user_id"]), r, day_start)
                    for r in recent
                ),
            )

        return await self._read(tx)

    async def commit_mind(self, commit: MindCommit) -> Job:
        for m in commit.memories:
            memory_rules.check(m)
        return await self._run(lambda db: _apply(db, commit))

    async def add_snapshot(self, snapshot: AffectSnapshot) -> None:
        await self._run(lambda db: insert_snapshot(db, snapshot))

    async def list_snapshots(
        self, agent_id: str, since: float, until: float, limit: int
    ) -> list[AffectSnapshot]:
        rows = await self._read(
            lambda db: db.execute(
                "SELECT * FROM snapshots WHERE agent_id = ? AND at >= ? AND at <= ?"
                " ORDER BY at DESC LIMIT ?",
                (agent_id, since, until, limit),
            ).fetchall()
        )
        return [
            AffectSnapshot(r["agent_id"], r["at"], json.loads(r["emotions"]), json.loads(r["mood"]))
            for r in reversed(rows)
        ]
