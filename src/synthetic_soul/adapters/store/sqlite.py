"""The embedded store: one SQLite file in WAL mode, driven from one dedicated thread.

Every method runs as one transaction on that thread, so each is atomic and the event loop
never blocks on disk.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any, Literal

from synthetic_soul.adapters.store.sqlite_memories import MemoryTables
from synthetic_soul.adapters.store.sqlite_mind import MindTables, insert_snapshot
from synthetic_soul.domain.agent import AgentState, from_doc, to_doc
from synthetic_soul.ports import ConflictError, Profile, ReplyCommit, StaleStateError, Turn
from synthetic_soul.records import (
    QUEUE_NAMES,
    Conversation,
    Job,
    LLMCall,
    Message,
    Session,
    Thought,
    User,
)

_MESSAGE_COLS = (
    "id, conversation_id, message, purpose, tone, timestamp, sender_id, sender_username,"
    " from_agent, kind, job_id, answered_by"
)
_JOB_COLS = (
    "id, owner_id, kind, queue, payload, status, progress, result, error, attempts,"
    " created_at, updated_at"
)


def _user(row: sqlite3.Row) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        guest=bool(row["guest"]),
        created_at=row["created_at"],
        email=row["email"],
        password_hash=row["password_hash"],
    )


def _session(row: sqlite3.Row) -> Session:
    return Session(**{k: row[k] for k in row.keys()})  # noqa: SIM118 - Row has no iterator of keys


def _message(row: sqlite3.Row) -> Message:
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        message=row["message"],
        purpose=row["purpose"],
        tone=row["tone"],
        timestamp=row["timestamp"],
        sender_id=row["sender_id"],
        sender_username=row["sender_username"],
        from_agent=bool(row["from_agent"]),
        kind=row["kind"],
        job_id=row["job_id"],
        answered_by=row["answered_by"],
    )


def _job(row: sqlite3.Row) -> Job:
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


def _profile(row: sqlite3.Row) -> Profile:
    return Profile(row["agent_id"], row["user_id"], row["username"], json.loads(row["doc"]))


class SQLiteStore(MindTables, MemoryTables):
    # -- users and sessions ---------------------------------------------------
    async def create_user(self, user: User, session: Session, profile: Profile) -> None:
        def tx(db: sqlite3.Connection) -> None:
            try:
                db.execute(
                    "INSERT INTO users (id, username, email, password_hash, guest, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        user.id,
                        user.username,
                        user.email,
                        user.password_hash,
                        int(user.guest),
                        user.created_at,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise ConflictError("username or email already in use") from exc
            _insert_session(db, session)
            _upsert_profile(db, profile)

        await self._run(tx)

    async def get_user(self, user_id: str) -> User | None:
        row = await self._run(
            lambda db: db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        )
        return _user(row) if row else None

    async def get_user_by_email(self, email: str) -> User | None:
        row = await self._run(
            lambda db: db.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone()
        )
        return _user(row) if row else None

    async def claim_user(
        self, user: User, old_session_id: str, new_session: Session, profile: Profile, now: float
    ) -> None:
        def tx(db: sqlite3.Connection) -> None:
            try:
                db.execute(
                    "UPDATE users SET username = ?, email = ?, password_hash = ?, guest = 0"
                    " WHERE id = ?",
                    (user.username, user.email, user.password_hash, user.id),
                )
            except sqlite3.IntegrityError as exc:
                raise ConflictError("username or email already in use") from exc
            db.execute(
                "UPDATE sessions SET revoked_at = ?, revoke_reason = 'claimed'"
                " WHERE id = ? AND revoked_at IS NULL",
                (now, old_session_id),
            )
            _insert_session(db, new_session)
            _upsert_profile(db, profile)

        await self._run(tx)

    async def forget_user(self, user_id: str) -> None:
        """Erase the user and everything held about them, in one transaction."""

        def tx(db: sqlite3.Connection) -> None:
            conversations = "SELECT id FROM conversations WHERE user_id = ?"
            db.execute(
                f"DELETE FROM messages WHERE conversation_id IN ({conversations})", (user_id,)
            )
            for sql in (
                "DELETE FROM conversations WHERE user_id = ?",
                "DELETE FROM profiles WHERE user_id = ?",
                "DELETE FROM thoughts WHERE user_id = ?",
                "DELETE FROM memories WHERE user_id = ?",
                "DELETE FROM jobs WHERE owner_id = ?",
                "DELETE FROM sessions WHERE user_id = ?",
                "DELETE FROM users WHERE id = ?",
            ):
                db.execute(sql, (user_id,))
            db.execute("DELETE FROM leases WHERE key LIKE ?", (f"%:{user_id}",))

        await self._run(tx)

    async def get_session(self, session_id: str) -> Session | None:
        row = await self._run(
            lambda db: db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        )
        return _session(row) if row else None

    async def create_session(self, session: Session) -> None:
        await self._run(lambda db: _insert_session(db, session))

    async def revoke_session(self, session_id: str, reason: str, now: float) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE sessions SET revoked_at = ?, revoke_reason = ?"
                " WHERE id = ? AND revoked_at IS NULL",
                (now, reason, session_id),
            )
        )

    async def rotate_session(self, old_id: str, new_session: Session, now: float) -> bool:
        def tx(db: sqlite3.Connection) -> bool:
            cur = db.execute(
                "UPDATE sessions SET revoked_at = ?, revoke_reason = 'rotated'"
                " WHERE id = ? AND revoked_at IS NULL",
                (now, old_id),
            )
            if cur.rowcount != 1:
                return False
            _insert_session(db, new_session)
            return True

        return await self._run(tx)

    async def revoke_user_sessions(self, user_id: str, reason: str, now: float) -> int:
        return await self._run(
            lambda db: (
                db.execute(
                    "UPDATE sessions SET revoked_at = ?, revoke_reason = ?"
                    " WHERE user_id = ? AND revoked_at IS NULL",
                    (now, reason, user_id),
                ).rowcount
            )
        )

    # -- agents and profiles --------------------------------------------------
    async def ensure_agent(self, candidate: AgentState) -> AgentState:
        def tx(db: sqlite3.Connection) -> AgentState:
            db.execute(
                "INSERT INTO agents (id, name, mode, doc, version, updated_at)"
                " VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (name, mode) DO NOTHING",
                (
                    candidate.id,
                    candidate.name,
                    candidate.mode,
                    json.dumps(to_doc(candidate)),
                    candidate.birthdate,
                ),
            )
            row = db.execute(
                "SELECT doc, version FROM agents WHERE name = ? AND mode = ?",
                (candidate.name, candidate.mode),
            ).fetchone()
            return from_doc(json.loads(row["doc"]), row["version"])

        return await self._run(tx)

    async def get_agent(self, name: str, mode: str) -> AgentState | None:
        row = await self._run(
            lambda db: db.execute(
                "SELECT doc, version FROM agents WHERE name = ? AND mode = ?", (name, mode)
            ).fetchone()
        )
        return from_doc(json.loads(row["doc"]), row["version"]) if row else None

    async def list_agents(self) -> list[tuple[str, str]]:
        rows = await self._run(
            lambda db: db.execute("SELECT name, mode FROM agents ORDER BY name, mode").fetchall()
        )
        return [(r["name"], r["mode"]) for r in rows]

    async def get_profile(self, agent_id: str, user_id: str) -> Profile | None:
        row = await self._run(
            lambda db: db.execute(
                "SELECT * FROM profiles WHERE agent_id = ? AND user_id = ?", (agent_id, user_id)
            ).fetchone()
        )
        return _profile(row) if row else None

    # -- conversation and jobs ------------------------------------------------
    async def submit_message(self, job: Job, message: Message, agent_name: str) -> None:
        def tx(db: sqlite3.Connection) -> None:
            conversation_id = _conversation_id(db, agent_name, job.owner_id, message.timestamp)
            _insert_message(db, message, conversation_id)
            _insert_job(db, job)

        await self._run(tx)

    async def create_job(self, job: Job) -> None:
        await self._run(lambda db: _insert_job(db, job))

    async def get_conversation(
        self, agent_name: str, user_id: str, now: float, limit: int | None = None
    ) -> Conversation:
        def tx(db: sqlite3.Connection) -> Conversation:
            row = db.execute(
                "SELECT id, created_at FROM conversations WHERE agent_name = ? AND user_id = ?",
                (agent_name, user_id),
            ).fetchone()
            if row is None:
                conversation_id = _conversation_id(db, agent_name, user_id, now)
                return Conversation(conversation_id, user_id, agent_name)
            sql = f"SELECT {_MESSAGE_COLS} FROM messages WHERE conversation_id = ?"
            if limit is None:
                rows = db.execute(sql + " ORDER BY seq", (row["id"],)).fetchall()
            else:
                rows = db.execute(
                    sql + " ORDER BY seq DESC LIMIT ?", (row["id"], limit)
                ).fetchall()[::-1]
            return Conversation(row["id"], user_id, agent_name, tuple(map(_message, rows)))

        return await self._run(tx)

    async def get_message(self, message_id: str) -> Message | None:
        row = await self._run(
            lambda db: db.execute(
                f"SELECT {_MESSAGE_COLS} FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
        )
        return _message(row) if row else None

    async def load_turn(
        self, message_id: str, agent_name: str, mode: str, user_id: str, history: int
    ) -> Turn | None:
        def tx(db: sqlite3.Connection) -> Turn | None:
            row = db.execute(
                f"SELECT seq, {_MESSAGE_COLS} FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            agent_row = db.execute(
                "SELECT doc, version FROM agents WHERE name = ? AND mode = ?", (agent_name, mode)
            ).fetchone()
            if row is None or agent_row is None:
                return None
            agent = from_doc(json.loads(agent_row["doc"]), agent_row["version"])
            conversation_id = row["conversation_id"]
            pending = db.execute(
                f"SELECT seq, {_MESSAGE_COLS} FROM messages WHERE conversation_id = ?"
                " AND from_agent = 0 AND answered_by IS NULL ORDER BY seq",
                (conversation_id,),
            ).fetchall()
            # Everything already answered or said by the agent: a reply committed after later
            # messages arrived still belongs to the history.
            earlier = db.execute(
                f"SELECT {_MESSAGE_COLS} FROM messages WHERE conversation_id = ?"
                " AND (from_agent = 1 OR answered_by IS NOT NULL) ORDER BY seq DESC LIMIT ?",
                (conversation_id, history),
            ).fetchall()[::-1]
            profile = db.execute(
                "SELECT * FROM profiles WHERE agent_id = ? AND user_id = ?", (agent.id, user_id)
            ).fetchone()
            return Turn(
                message=_message(row),
                agent=agent,
                profile=_profile(profile) if profile else None,
                conversation_id=conversation_id,
                history=tuple(map(_message, earlier)),
                latest_thought=_latest_thought(db, agent.id, user_id),
                pending=tuple(map(_message, pending)),
            )

        return await self._run(tx)

    async def get_job(self, job_id: str) -> Job | None:
        row = await self._run(
            lambda db: db.execute(
                f"SELECT {_JOB_COLS} FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
        )
        return _job(row) if row else None

    async def start_job(self, job_id: str, now: float) -> Job | None:
        def tx(db: sqlite3.Connection) -> Job | None:
            cur = db.execute(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, progress = 0.0,"
                " updated_at = ? WHERE id = ? AND status = 'queued'",
                (now, job_id),
            )
            if cur.rowcount != 1:
                return None
            return _job(
                db.execute(f"SELECT {_JOB_COLS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
            )

        return await self._run(tx)

    async def set_job_progress(self, job_id: str, progress: float, now: float) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND status = 'running'",
                (progress, now, job_id),
            )
        )

    async def finish_job(
        self,
        job_id: str,
        status: Literal["succeeded", "failed"],
        result: dict[str, Any] | None,
        error: str | None,
        now: float,
    ) -> Job | None:
        def tx(db: sqlite3.Connection) -> Job | None:
            return _finish(db, job_id, status, result, error, now)

        return await self._run(tx)

    async def requeue_job(self, job_id: str, now: float) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE jobs SET status = 'queued', attempts = MAX(0, attempts - 1),"
                " progress = NULL, updated_at = ? WHERE id = ? AND status = 'running'",
                (now, job_id),
            )
        )

    async def recover_jobs(self, now: float, max_attempts: int) -> list[Job]:
        def tx(db: sqlite3.Connection) -> list[Job]:
            db.execute(
                "UPDATE jobs SET status = 'failed', error = 'job_failed', progress = 1.0,"
                " updated_at = ? WHERE status = 'running' AND attempts >= ?",
                (now, max_attempts),
            )
            db.execute(
                "UPDATE jobs SET status = 'queued', progress = NULL, updated_at = ?"
                " WHERE status = 'running'",
                (now,),
            )
            # Every holder of a lease ran in this process, which is starting anew.
            db.execute("DELETE FROM leases")
            rows = db.execute(
                f"SELECT {_JOB_COLS} FROM jobs WHERE status = 'queued' ORDER BY created_at"
            ).fetchall()
            return list(map(_job, rows))

        return await self._run(tx)

    async def count_queued(self) -> dict[str, int]:
        rows = await self._run(
            lambda db: db.execute(
                "SELECT queue, COUNT(*) AS n FROM jobs WHERE status = 'queued' GROUP BY queue"
            ).fetchall()
        )
        counts = dict.fromkeys(QUEUE_NAMES, 0)
        counts.update({r["queue"]: r["n"] for r in rows})
        return counts

    async def commit_reply(self, commit: ReplyCommit) -> tuple[Job, ...]:
        def tx(db: sqlite3.Connection) -> tuple[Job, ...]:
            row = db.execute(
                f"SELECT {_JOB_COLS} FROM jobs WHERE id = ?", (commit.job_id,)
            ).fetchone()
            if row is None:
                raise LookupError(f"no job {commit.job_id}")
            job = _job(row)
            if job.finished:
                return (job,)  # a second run of the same job writes nothing
            cur = db.execute(
                "UPDATE agents SET doc = ?, version = version + 1, updated_at = ?"
                " WHERE id = ? AND version = ?",
                (
                    json.dumps(to_doc(commit.agent)),
                    commit.now,
                    commit.agent.id,
                    commit.expected_version,
                ),
            )
            if cur.rowcount != 1:
                raise StaleStateError(commit.agent.id)
            _upsert_profile(db, commit.profile)
            db.executemany(
                "UPDATE messages SET purpose = ?, tone = ?, answered_by = ?"
                " WHERE id = ? AND answered_by IS NULL",
                [
                    (commit.perceived_purpose, commit.perceived_tone, commit.job_id, message_id)
                    for message_id in commit.answered_ids
                ],
            )
            if commit.reply is not None:
                _insert_message(db, commit.reply, commit.reply.conversation_id)
            if commit.thought is not None:
                t = commit.thought
                db.execute(
                    "INSERT INTO thoughts (id, agent_id, thought, timestamp, user_id, source)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (t.id, t.agent_id, t.thought, t.timestamp, t.user_id, t.source),
                )
            _record_calls(db, commit.job_id, commit.llm_calls, commit.now)
            if commit.snapshot is not None:
                insert_snapshot(db, commit.snapshot)
            for follow_up in commit.follow_ups:
                _insert_job(db, follow_up)
            finished = _finish(db, commit.job_id, "succeeded", commit.result, None, commit.now)
            assert finished is not None
            folded = [
                _finish(db, job_id, "succeeded", commit.folded_result, None, commit.now)
                for job_id in commit.folded_job_ids
            ]
            return (finished, *(j for j in folded if j is not None))

        return await self._run(tx)

    async def acquire_lease(self, key: str, holder: str, now: float, ttl_s: float) -> bool:
        def tx(db: sqlite3.Connection) -> bool:
            db.execute(
                "INSERT INTO leases (key, holder, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET holder = excluded.holder,"
                " expires_at = excluded.expires_at"
                " WHERE leases.holder = excluded.holder OR leases.expires_at <= ?",
                (key, holder, now + ttl_s, now),
            )
            row = db.execute("SELECT holder FROM leases WHERE key = ?", (key,)).fetchone()
            return bool(row["holder"] == holder)

        return await self._run(tx)

    async def release_lease(self, key: str, holder: str) -> None:
        await self._run(
            lambda db: db.execute("DELETE FROM leases WHERE key = ? AND holder = ?", (key, holder))
        )

    async def latest_thought(self, agent_id: str, user_id: str) -> Thought | None:
        return await self._run(lambda db: _latest_thought(db, agent_id, user_id))

    async def list_thoughts(
        self, agent_id: str, user_id: str, since: float, until: float, limit: int
    ) -> list[Thought]:
        rows = await self._run(
            lambda db: db.execute(
                "SELECT * FROM thoughts WHERE agent_id = ? AND (user_id IS NULL OR user_id = ?)"
                " AND timestamp >= ? AND timestamp <= ? ORDER BY timestamp DESC LIMIT ?",
                (agent_id, user_id, since, until, limit),
            ).fetchall()
        )
        return [_thought(r) for r in reversed(rows)]


def _record_calls(
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


def _latest_thought(db: sqlite3.Connection, agent_id: str, user_id: str) -> Thought | None:
    row = db.execute(
        "SELECT * FROM thoughts WHERE agent_id = ? AND (user_id IS NULL OR user_id = ?)"
        " ORDER BY timestamp DESC LIMIT 1",
        (agent_id, user_id),
    ).fetchone()
    return _thought(row) if row else None


def _thought(row: sqlite3.Row) -> Thought:
    return Thought(
        row["id"], row["agent_id"], row["thought"], row["timestamp"], row["user_id"], row["source"]
    )


def _conversation_id(db: sqlite3.Connection, agent_name: str, user_id: str, now: float) -> str:
    db.execute(
        "INSERT INTO conversations (id, agent_name, user_id, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (agent_name, user_id) DO NOTHING",
        (uuid.uuid4().hex, agent_name, user_id, now),
    )
    row = db.execute(
        "SELECT id FROM conversations WHERE agent_name = ? AND user_id = ?",
        (agent_name, user_id),
    ).fetchone()
    return str(row["id"])


def _insert_message(db: sqlite3.Connection, m: Message, conversation_id: str) -> None:
    db.execute(
        f"INSERT INTO messages ({_MESSAGE_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        ),
    )


def _insert_job(db: sqlite3.Connection, job: Job) -> None:
    db.execute(
        f"INSERT INTO jobs ({_JOB_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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


def _insert_session(db: sqlite3.Connection, s: Session) -> None:
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


def _upsert_profile(db: sqlite3.Connection, p: Profile) -> None:
    db.execute(
        "INSERT INTO profiles (agent_id, user_id, username, doc) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (agent_id, user_id) DO UPDATE SET username = excluded.username,"
        " doc = excluded.doc",
        (p.agent_id, p.user_id, p.username, json.dumps(p.doc)),
    )


def _finish(
    db: sqlite3.Connection,
    job_id: str,
    status: str,
    result: dict[str, Any] | None,
    error: str | None,
    now: float,
) -> Job | None:
    db.execute(
        "UPDATE jobs SET status = ?, result = ?, error = ?, progress = 1.0, updated_at = ?"
        " WHERE id = ? AND status IN ('queued', 'running')",
        (status, json.dumps(result) if result is not None else None, error, now, job_id),
    )
    row = db.execute(f"SELECT {_JOB_COLS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return _job(row) if row else None
