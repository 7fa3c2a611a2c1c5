"""The single reads and writes several areas of the embedded store share.

Each runs inside its caller's transaction, so a reply's commit and a reflection's commit write
the same rows the same way. None of them opens, commits or rolls back a transaction.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from synthetic_soul.adapters.store.sqlite.records import (
    JOB_COLS,
    MESSAGE_COLS,
    job_of,
    profile_of,
    thought_of,
)
from synthetic_soul.domain.agent import AgentState, from_doc, to_doc
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.domain.thought import Thought
from synthetic_soul.ports import Profile, StaleStateError
from synthetic_soul.records import Job, LLMCall, Session


# -- reads --------------------------------------------------------------------
def read_agent(db: sqlite3.Connection, name: str, mode: str) -> AgentState | None:
    row = db.execute(
        "SELECT doc, version FROM agents WHERE name = ? AND mode = ?", (name, mode)
    ).fetchone()
    return from_doc(json.loads(row["doc"]), row["version"]) if row else None


def read_profile(db: sqlite3.Connection, agent_id: str, user_id: str) -> Profile | None:
    row = db.execute(
        "SELECT * FROM profiles WHERE agent_id = ? AND user_id = ?", (agent_id, user_id)
    ).fetchone()
    return profile_of(row) if row else None


def read_job(db: sqlite3.Connection, job_id: str) -> Job | None:
    row = db.execute(f"SELECT {JOB_COLS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return job_of(row) if row else None


def job_to_commit(db: sqlite3.Connection, job_id: str) -> Job:
    """The job a commit finishes; the caller writes nothing if it has finished already."""
    job = read_job(db, job_id)
    if job is None:
        raise LookupError(f"no job {job_id}")
    return job


def find_conversation(db: sqlite3.Connection, agent_name: str, user_id: str) -> str | None:
    row = db.execute(
        "SELECT id FROM conversations WHERE agent_name = ? AND user_id = ?", (agent_name, user_id)
    ).fetchone()
    return str(row["id"]) if row else None


def open_conversation(db: sqlite3.Connection, agent_name: str, user_id: str, now: float) -> str:
    """The id of the user's conversation with the agent, started at `now` if there is none."""
    db.execute(
        "INSERT INTO conversations (id, agent_name, user_id, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (agent_name, user_id) DO NOTHING",
        (uuid.uuid4().hex, agent_name, user_id, now),
    )
    conversation_id = find_conversation(db, agent_name, user_id)
    assert conversation_id is not None
    return conversation_id


# -- writes -------------------------------------------------------------------
def insert_message(db: sqlite3.Connection, m: Message, conversation_id: str) -> None:
    db.execute(
        f"INSERT INTO messages ({MESSAGE_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            m.answered_by,
            m.channel,
        ),
    )


def insert_job(db: sqlite3.Connection, job: Job) -> None:
    db.execute(
        f"INSERT INTO jobs ({JOB_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            job.id,
            job.owner_id,
            job.kind,
            job.queue,
            json.dumps(job.payload),
            job.status,
            job.progress,
            json.dumps(job.result) if job.result is not None else None,
            job.error,
            job.attempts,
            job.created_at,
            job.updated_at,
        ),
    )


def finish_job(
    db: sqlite3.Connection,
    job_id: str,
    status: str,
    result: dict[str, Any] | None,
    error: str | None,
    now: float,
) -> Job | None:
    """Ends the job unless it has ended already; the job as it now stands, None if unknown."""
    db.execute(
        "UPDATE jobs SET status = ?, result = ?, error = ?, progress = 1.0, updated_at = ?"
        " WHERE id = ? AND status IN ('queued', 'running')",
        (status, json.dumps(result) if result is not None else None, error, now, job_id),
    )
    return read_job(db, job_id)


def save_agent(
    db: sqlite3.Connection, agent: AgentState, expected_version: int, now: float
) -> None:
    """Writes the agent only over `expected_version`; else StaleStateError rolls all back."""
    cur = db.execute(
        "UPDATE agents SET doc = ?, version = version + 1, updated_at = ?"
        " WHERE id = ? AND version = ?",
        (json.dumps(to_doc(agent)), now, agent.id, expected_version),
    )
    if cur.rowcount != 1:
        raise StaleStateError(agent.id)


def upsert_profile(db: sqlite3.Connection, p: Profile) -> None:
    db.execute(
        "INSERT INTO profiles (agent_id, user_id, username, doc) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (agent_id, user_id) DO UPDATE SET username = excluded.username,"
        " doc = excluded.doc",
        (p.agent_id, p.user_id, p.username, json.dumps(p.doc)),
    )


def insert_thought(db: sqlite3.Connection, t: Thought) -> None:
    db.execute(
        "INSERT INTO thoughts (id, agent_id, thought, timestamp, user_id, source)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (t.id, t.agent_id, t.thought, t.timestamp, t.user_id, t.source),
    )


def record_calls(
    db: sqlite3.Connection, job_id: str | None, calls: tuple[LLMCall, ...], now: float
) -> None:
    db.executemany(
        "INSERT INTO llm_calls (job_id, provider, model, task, prompt_tokens,"
        " completion_tokens, latency_ms, ok, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                job_id,
                c.provider,
                c.model,
                c.task,
                c.prompt_tokens,
                c.completion_tokens,
                c.latency_ms,
                int(c.ok),
                now,
            )
            for c in calls
        ],
    )


def read_latest_thought(db: sqlite3.Connection, agent_id: str, user_id: str) -> Thought | None:
    row = db.execute(
        "SELECT * FROM thoughts WHERE agent_id = ? AND (user_id IS NULL OR user_id = ?)"
        " ORDER BY timestamp DESC LIMIT 1",
        (agent_id, user_id),
    ).fetchone()
    return thought_of(row) if row else None


def insert_session(db: sqlite3.Connection, s: Session) -> None:
    db.execute(
        "INSERT INTO sessions (id, user_id, refresh_hash, csrf_hash, created_at, expires_at,"
        " revoked_at, revoke_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            s.id,
            s.user_id,
            s.refresh_hash,
            s.csrf_hash,
            s.created_at,
            s.expires_at,
            s.revoked_at,
            s.revoke_reason,
        ),
    )


def insert_snapshot(db: sqlite3.Connection, snapshot: AffectSnapshot) -> None:
    db.execute(
        "INSERT INTO snapshots (agent_id, at, emotions, mood) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (agent_id, at) DO NOTHING",
        (snapshot.agent_id, snapshot.at, json.dumps(snapshot.emotions), json.dumps(snapshot.mood)),
    )
