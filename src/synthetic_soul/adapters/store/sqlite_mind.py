"""The mind's background work in the embedded store: reflections, thinking, affect history.

A reflection or a spell of thinking reads what it needs in one transaction and writes all it
concluded in another (`commit_mind`), guarded by the agent's version like a reply's commit.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any, ClassVar

from synthetic_soul.adapters.store.sqlite_base import SQLiteBase

# The memory area's own writers, so memories join this area's transactions.
from synthetic_soul.adapters.store.sqlite_memories import _insert as _insert_memory
from synthetic_soul.adapters.store.sqlite_memories import _scoped as _scoped_memory
from synthetic_soul.domain import memory as memory_rules
from synthetic_soul.domain.agent import AgentState, from_doc, to_doc
from synthetic_soul.domain.outreach import HISTORY_LIMIT, Contact
from synthetic_soul.domain.outreach import PURPOSE as OUTREACH
from synthetic_soul.ports import MindCommit, Musing, Profile, Reflection, StaleStateError
from synthetic_soul.records import AffectSnapshot, Job, Memory, Message, Thought

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
_MESSAGE_COLS = (
    "id, conversation_id, message, purpose, tone, timestamp, sender_id, sender_username,"
    " from_agent, kind, job_id"
)


def _message(row: sqlite3.Row) -> Message:
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        message=row["message"],
        timestamp=row["timestamp"],
        sender_id=row["sender_id"],
        sender_username=row["sender_username"],
        from_agent=bool(row["from_agent"]),
        purpose=row["purpose"],
        tone=row["tone"],
        job_id=row["job_id"],
        kind=row["kind"],
    )


def _agent(db: sqlite3.Connection, name: str, mode: str) -> AgentState | None:
    row = db.execute(
        "SELECT doc, version FROM agents WHERE name = ? AND mode = ?", (name, mode)
    ).fetchone()
    return from_doc(json.loads(row["doc"]), row["version"]) if row else None


def _conversation(db: sqlite3.Connection, agent_name: str, user_id: str) -> str | None:
    row = db.execute(
        "SELECT id FROM conversations WHERE agent_name = ? AND user_id = ?", (agent_name, user_id)
    ).fetchone()
    return str(row["id"]) if row else None


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
        f"SELECT {_MESSAGE_COLS} FROM messages WHERE conversation_id = ? AND {where}"
        " ORDER BY seq DESC LIMIT ?",
        (conversation_id, arg, limit),
    ).fetchall()
    return tuple(_message(r) for r in reversed(rows))


def _contact(
    db: sqlite3.Connection, conversation_id: str | None, row: sqlite3.Row, day_start: float
) -> Contact:
    doc = json.loads(row["doc"])
    times: tuple[float, ...] = ()
    outreaches: tuple[float, ...] = ()
    awaiting = False
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
            " AS answer",
            (conversation_id, OUTREACH),
        ).fetchone()
        awaiting = last["outreach"] is not None and (
            last["answer"] is None or last["answer"] < last["outreach"]
        )
    return Contact(
        user_id=row["user_id"],
        username=row["username"],
        relationship=str(doc.get("extrinsic_relationship", "stranger")),
        sentiments={k: float(v) for k, v in dict(doc.get("sentiments", {})).items()},
        message_times=times,
        recent_outreaches=outreaches,
        awaiting_answer=awaiting,
    )


def _thought(row: sqlite3.Row) -> Thought:
    return Thought(
        row["id"], row["agent_id"], row["thought"], row["timestamp"], row["user_id"], row["source"]
    )


def _remember(db: sqlite3.Connection, memories: tuple[Memory, ...]) -> None:
    batch: dict[str, Memory] = {}
    for m in memories:  # in order, so an insight may cite episodes earlier in the batch
        scoped = _scoped_memory(db, m, batch)
        batch[m.id] = scoped
        _insert_memory(db, scoped)


def _send_first(db: sqlite3.Connection, agent_name: str, user_id: str, m: Message) -> None:
    db.execute(
        "INSERT INTO conversations (id, agent_name, user_id, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (agent_name, user_id) DO NOTHING",
        (uuid.uuid4().hex, agent_name, user_id, m.timestamp),
    )
    conversation_id = _conversation(db, agent_name, user_id)
    db.execute(
        f"INSERT INTO messages ({_MESSAGE_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            m.id,
            conversation_id,
            m.message,
            m.purpose,
            m.tone,
            m.timestamp,
            m.sender_id,
            m.sender_username,
            int(m.from_agent),
            m.kind,
            m.job_id,
        ),
    )


def _job_row(db: sqlite3.Connection, job_id: str) -> Job | None:
    row = db.execute(
        "SELECT id, owner_id, kind, queue, payload, status, progress, result, error, attempts,"
        " created_at, updated_at FROM jobs WHERE id = ?",
        (job_id,),
    ).fetchone()
    if row is None:
        return None
    return Job(
        id=row["id"],
        owner_id=row["owner_id"],
        kind=row["kind"],
        queue=row["queue"],
        payload=json.loads(row["payload"]),
        status=row["status"],
        progress=row["progress"],
        result=json.loads(row["result"]) if row["result"] is not None else None,
        error=row["error"],
        attempts=row["attempts"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def insert_snapshot(db: sqlite3.Connection, snapshot: AffectSnapshot) -> None:
    db.execute(
        "INSERT INTO snapshots (agent_id, at, emotions, mood) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (agent_id, at) DO NOTHING",
        (snapshot.agent_id, snapshot.at, json.dumps(snapshot.emotions), json.dumps(snapshot.mood)),
    )


def _apply(db: sqlite3.Connection, c: MindCommit) -> Job:
    job = _job_row(db, c.job_id)
    if job is None:
        raise LookupError(f"no job {c.job_id}")
    if job.finished:
        return job  # a second run of the same job writes nothing
    if c.agent is not None:
        cur = db.execute(
            "UPDATE agents SET doc = ?, version = version + 1, updated_at = ?"
            " WHERE id = ? AND version = ?",
            (json.dumps(to_doc(c.agent)), c.now, c.agent.id, c.expected_version),
        )
        if cur.rowcount != 1:
            raise StaleStateError(c.agent.id)
    if c.snapshot is not None:
        insert_snapshot(db, c.snapshot)
    if c.profile is not None:
        db.execute(
            "UPDATE profiles SET doc = ? WHERE agent_id = ? AND user_id = ?",
            (json.dumps(c.profile.doc), c.profile.agent_id, c.profile.user_id),
        )
    _remember(db, c.memories)
    if c.thought is not None:
        t = c.thought
        db.execute(
            "INSERT INTO thoughts (id, agent_id, thought, timestamp, user_id, source)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (t.id, t.agent_id, t.thought, t.timestamp, t.user_id, t.source),
        )
    if c.outreach is not None and c.outreach_to is not None and c.agent is not None:
        _send_first(db, c.agent.name, c.outreach_to, c.outreach)
    db.executemany(
        "INSERT INTO llm_calls (job_id, provider, model, task, prompt_tokens,"
        " completion_tokens, latency_ms, ok, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                c.job_id,
                x.provider,
                x.model,
                x.task,
                x.prompt_tokens,
                x.completion_tokens,
                x.latency_ms,
                int(x.ok),
                c.now,
            )
            for x in c.llm_calls
        ],
    )
    db.execute(
        "UPDATE jobs SET status = 'succeeded', result = ?, error = NULL, progress = 1.0,"
        " updated_at = ? WHERE id = ? AND status IN ('queued', 'running')",
        (json.dumps(c.result), c.now, c.job_id),
    )
    finished = _job_row(db, c.job_id)
    assert finished is not None
    return finished


class MindTables(SQLiteBase):
    SCHEMAS: ClassVar[tuple[str, ...]] = (MIND_SCHEMA,)

    async def load_reflection(
        self, agent_name: str, mode: str, user_id: str, limit: int
    ) -> Reflection | None:
        def tx(db: sqlite3.Connection) -> Reflection | None:
            agent = _agent(db, agent_name, mode)
            if agent is None:
                return None
            row = db.execute(
                "SELECT * FROM profiles WHERE agent_id = ? AND user_id = ?", (agent.id, user_id)
            ).fetchone()
            if row is None:
                return None
            profile = Profile(
                row["agent_id"], row["user_id"], row["username"], json.loads(row["doc"])
            )
            conversation_id = _conversation(db, agent_name, user_id)
            messages = (
                _unreflected(db, conversation_id, profile.doc, limit) if conversation_id else ()
            )
            return Reflection(agent, profile, messages)

        return await self._run(tx)

    async def load_musing(
        self, agent_name: str, mode: str, active_since: float, day_start: float, contacts: int
    ) -> Musing | None:
        def tx(db: sqlite3.Connection) -> Musing | None:
            agent = _agent(db, agent_name, mode)
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
                tuple(_thought(r) for r in reversed(thoughts)),
                tuple(
                    _contact(db, _conversation(db, agent_name, r["user_id"]), r, day_start)
                    for r in recent
                ),
            )

        return await self._run(tx)

    async def commit_mind(self, commit: MindCommit) -> Job:
        for m in commit.memories:
            memory_rules.check(m)
        return await self._run(lambda db: _apply(db, commit))

    async def add_snapshot(self, snapshot: AffectSnapshot) -> None:
        await self._run(lambda db: insert_snapshot(db, snapshot))

    async def list_snapshots(
        self, agent_id: str, since: float, until: float, limit: int
    ) -> list[AffectSnapshot]:
        rows = await self._run(
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
