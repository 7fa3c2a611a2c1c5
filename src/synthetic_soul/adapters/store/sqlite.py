"""The embedded store: one SQLite file in WAL mode, driven from one dedicated thread.

Every method runs as one transaction on that thread, so each is atomic and the event loop
never blocks on disk.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Literal

from synthetic_soul.adapters.store.sqlite_memories import MemoryTables
from synthetic_soul.adapters.store.sqlite_mind import MindTables, insert_snapshot
from synthetic_soul.adapters.store.sqlite_rows import (
    JOB_COLS,
    MESSAGE_COLS,
    find_conversation,
    finish_job,
    insert_job,
    insert_message,
    insert_thought,
    job_of,
    job_to_commit,
    message_of,
    open_conversation,
    read_agent,
    read_job,
    read_profile,
    record_calls,
    record_of,
    save_agent,
    thought_of,
    upsert_profile,
)
from synthetic_soul.adapters.store.sqlite_users import fold_user_names
from synthetic_soul.adapters.store.user_keys import email_key, username_key
from synthetic_soul.domain.agent import AgentState, to_doc
from synthetic_soul.ports import ConflictError, Profile, ReplyCommit, Turn
from synthetic_soul.records import (
    CLIENT_KEY,
    QUEUE_NAMES,
    Conversation,
    Job,
    Message,
    Session,
    Thought,
    User,
    folded,
)


def _user(row: sqlite3.Row) -> User:
    return record_of(User, row, guest=bool(row["guest"]))


class SQLiteStore(MindTables, MemoryTables):
    def _upgrade(self, db: sqlite3.Connection) -> None:
        super()._upgrade(db)
        fold_user_names(db)

    async def _one(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Row | None:
        """The first row of one query, read in a transaction of its own."""
        row: sqlite3.Row | None = await self._read(lambda db: db.execute(sql, params).fetchone())
        return row

    # -- users and sessions ---------------------------------------------------
    async def create_user(self, user: User, session: Session, profile: Profile) -> None:
        def tx(db: sqlite3.Connection) -> None:
            try:
                db.execute(
                    "INSERT INTO users (id, username, email, password_hash, guest, created_at,"
                    " username_key, email_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        user.id,
                        user.username,
                        user.email,
                        user.password_hash,
                        int(user.guest),
                        user.created_at,
                        username_key(user),
                        email_key(user),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise ConflictError("username or email already in use") from exc
            _insert_session(db, session)
            upsert_profile(db, profile)

        await self._run(tx)

    async def get_user(self, user_id: str) -> User | None:
        row = await self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    async def get_user_by_email(self, email: str) -> User | None:
        row = await self._one("SELECT * FROM users WHERE email_key = ?", (folded(email),))
        return _user(row) if row else None

    async def claim_user(
        self, user: User, old_session_id: str, new_session: Session, profile: Profile, now: float
    ) -> bool:
        def tx(db: sqlite3.Connection) -> bool:
            try:
                # Only while still a guest: of claims racing for one guest, one wins.
                claimed = db.execute(
                    "UPDATE users SET username = ?, email = ?, password_hash = ?, guest = 0,"
                    " username_key = ?, email_key = ? WHERE id = ? AND guest = 1",
                    (
                        user.username,
                        user.email,
                        user.password_hash,
                        username_key(user),
                        email_key(user),
                        user.id,
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise ConflictError("username or email already in use") from exc
            if claimed.rowcount != 1:
                return False
            db.execute(
                "UPDATE sessions SET revoked_at = ?, revoke_reason = 'claimed'"
                " WHERE id = ? AND revoked_at IS NULL",
                (now, old_session_id),
            )
            _insert_session(db, new_session)
            upsert_profile(db, profile)
            return True

        return await self._run(tx)

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
        row = await self._one("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return record_of(Session, row) if row else None

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
            agent = read_agent(db, candidate.name, candidate.mode)
            assert agent is not None
            return agent

        return await self._run(tx)

    async def get_agent(self, name: str, mode: str) -> AgentState | None:
        return await self._read(lambda db: read_agent(db, name, mode))

    async def list_agents(self) -> list[tuple[str, str]]:
        rows = await self._read(
            lambda db: db.execute("SELECT name, mode FROM agents ORDER BY name, mode").fetchall()
        )
        return [(r["name"], r["mode"]) for r in rows]

    async def get_profile(self, agent_id: str, user_id: str) -> Profile | None:
        return await self._read(lambda db: read_profile(db, agent_id, user_id))

    # -- conversation and jobs ------------------------------------------------
    async def submit_message(self, job: Job, message: Message, agent_name: str) -> None:
        def tx(db: sqlite3.Connection) -> None:
            conversation_id = open_conversation(db, agent_name, job.owner_id, message.timestamp)
            insert_message(db, message, conversation_id)
            insert_job(db, job)

        await self._run(tx)

    async def create_job(self, job: Job) -> None:
        await self._run(lambda db: insert_job(db, job))

    async def get_conversation(
        self, agent_name: str, user_id: str, now: float, limit: int | None = None
    ) -> Conversation:
        def tx(db: sqlite3.Connection) -> Conversation:
            conversation_id = find_conversation(db, agent_name, user_id)
            if conversation_id is None:
                conversation_id = open_conversation(db, agent_name, user_id, now)
                return Conversation(conversation_id, user_id, agent_name)
            sql = f"SELECT {MESSAGE_COLS} FROM messages WHERE conversation_id = ?"
            if limit is None:
                rows = db.execute(sql + " ORDER BY seq", (conversation_id,)).fetchall()
            else:
                rows = db.execute(
                    sql + " ORDER BY seq DESC LIMIT ?", (conversation_id, limit)
                ).fetchall()[::-1]
            return Conversation(conversation_id, user_id, agent_name, tuple(map(message_of, rows)))

        return await self._read(tx)

    async def load_turn(
        self, message_id: str, agent_name: str, mode: str, user_id: str, history: int
    ) -> Turn | None:
        def tx(db: sqlite3.Connection) -> Turn | None:
            row = db.execute(
                f"SELECT seq, {MESSAGE_COLS} FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            agent = read_agent(db, agent_name, mode)
            if row is None or agent is None:
                return None
            conversation_id = row["conversation_id"]
            pending = db.execute(
                f"SELECT seq, {MESSAGE_COLS} FROM messages WHERE conversation_id = ?"
                " AND from_agent = 0 AND answered_by IS NULL ORDER BY seq",
                (conversation_id,),
            ).fetchall()
            # Everything already answered or said by the agent: a reply committed after later
            # messages arrived still belongs to the history.
            earlier = db.execute(
                f"SELECT {MESSAGE_COLS} FROM messages WHERE conversation_id = ?"
                " AND (from_agent = 1 OR answered_by IS NOT NULL) ORDER BY seq DESC LIMIT ?",
                (conversation_id, history),
            ).fetchall()[::-1]
            group: list[sqlite3.Row] = []
            if row["channel"] is not None:
                # A member of a channel is whoever has posted in it, since their first post
                # there: they read what the group said from then on, nothing earlier.
                (joined,) = db.execute(
                    "SELECT MIN(seq) FROM messages WHERE conversation_id = ? AND channel = ?"
                    " AND from_agent = 0",
                    (conversation_id, row["channel"]),
                ).fetchone()
                # The group's recent messages, anyone's, but for this user's unanswered ones.
                group = db.execute(
                    f"SELECT {MESSAGE_COLS} FROM messages WHERE channel = ? AND seq >= ? AND NOT"
                    " (conversation_id = ? AND from_agent = 0 AND answered_by IS NULL)"
                    " ORDER BY seq DESC LIMIT ?",
                    (
                        row["channel"],
                        row["seq"] if joined is None else joined,
                        conversation_id,
                        history,
                    ),
                ).fetchall()[::-1]
            profile = read_profile(db, agent.id, user_id)
            return Turn(
                message=message_of(row),
                agent=agent,
                profile=profile,
                conversation_id=conversation_id,
                history=tuple(map(message_of, earlier)),
                latest_thought=_latest_thought(db, agent.id, user_id),
                pending=tuple(map(message_of, pending)),
                group=tuple(map(message_of, group)),
            )

        return await self._read(tx)

    async def get_job(self, job_id: str) -> Job | None:
        return await self._read(lambda db: read_job(db, job_id))

    async def start_job(self, job_id: str, now: float) -> Job | None:
        def tx(db: sqlite3.Connection) -> Job | None:
            cur = db.execute(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, progress = 0.0,"
                " updated_at = ? WHERE id = ? AND status = 'queued'",
                (now, job_id),
            )
            if cur.rowcount != 1:
                return None
            return read_job(db, job_id)

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
        return await self._run(lambda db: finish_job(db, job_id, status, result, error, now))

    async def requeue_job(self, job_id: str, now: float) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE jobs SET status = 'queued', attempts = MAX(0, attempts - 1),"
                " progress = NULL, updated_at = ? WHERE id = ? AND status = 'running'",
                (now, job_id),
            )
        )

    async def touch_job(self, job_id: str, now: float) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE jobs SET updated_at = ? WHERE id = ? AND status = 'running'", (now, job_id)
            )
        )

    async def recover_jobs(self, now: float, max_attempts: int, stale_before: float) -> list[Job]:
        def tx(db: sqlite3.Connection) -> list[Job]:
            stale = "status IN ('queued', 'running') AND updated_at <= ?"
            db.execute(
                f"DELETE FROM leases WHERE holder IN (SELECT id FROM jobs WHERE {stale})",
                (stale_before,),
            )
            db.execute(
                "UPDATE jobs SET status = 'failed', error = 'job_failed', progress = 1.0,"
                " updated_at = ? WHERE status = 'running' AND updated_at <= ? AND attempts >= ?",
                (now, stale_before, max_attempts),
            )
            rows = db.execute(
                f"UPDATE jobs SET status = 'queued', progress = NULL, updated_at = ? WHERE {stale}"
                f" RETURNING {JOB_COLS}",
                (now, stale_before),
            ).fetchall()
            return sorted(map(job_of, rows), key=lambda job: (job.created_at, job.id))

        return await self._run(tx)

    async def count_queued(self) -> dict[str, int]:
        rows = await self._read(
            lambda db: db.execute(
                "SELECT queue, COUNT(*) AS n FROM jobs WHERE status = 'queued' GROUP BY queue"
            ).fetchall()
        )
        counts = dict.fromkeys(QUEUE_NAMES, 0)
        counts.update({r["queue"]: r["n"] for r in rows})
        return counts

    async def count_unfinished_jobs(
        self, kind: str, owner_id: str, client: str | None
    ) -> tuple[int, int]:
        def tx(db: sqlite3.Connection) -> tuple[int, int]:
            # Few jobs are ever unfinished (the caps keep it so): the status index narrows
            # the scan to them before the payload is looked at.
            row = db.execute(
                "SELECT COALESCE(SUM(owner_id = ?), 0) AS mine,"
                " COALESCE(SUM(json_extract(payload, ?) = ?), 0) AS client"
                " FROM jobs WHERE status IN ('queued', 'running') AND kind = ?",
                (owner_id, f"$.{CLIENT_KEY}", client, kind),
            ).fetchone()
            return int(row["mine"]), int(row["client"])

        return await self._read(tx)

    async def commit_reply(self, commit: ReplyCommit) -> tuple[Job, ...]:
        def tx(db: sqlite3.Connection) -> tuple[Job, ...]:
            job = job_to_commit(db, commit.job_id)
            if job.finished:
                return (job,)  # a second run of the same job writes nothing
            save_agent(db, commit.agent, commit.expected_version, commit.now)
            upsert_profile(db, commit.profile)
            db.executemany(
                "UPDATE messages SET purpose = ?, tone = ?, answered_by = ?"
                " WHERE id = ? AND answered_by IS NULL",
                [
                    (commit.perceived_purpose, commit.perceived_tone, commit.job_id, message_id)
                    for message_id in commit.answered_ids
                ],
            )
            if commit.reply is not None:
                insert_message(db, commit.reply, commit.reply.conversation_id)
            if commit.thought is not None:
                insert_thought(db, commit.thought)
            record_calls(db, commit.job_id, commit.llm_calls, commit.now)
            if commit.snapshot is not None:
                insert_snapshot(db, commit.snapshot)
            for follow_up in commit.follow_ups:
                insert_job(db, follow_up)
            finished = finish_job(db, commit.job_id, "succeeded", commit.result, None, commit.now)
            assert finished is not None
            folded = [
                finish_job(db, job_id, "succeeded", result, None, commit.now)
                for job_id, result in commit.folded.items()
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
        return await self._read(lambda db: _latest_thought(db, agent_id, user_id))

    async def list_thoughts(
        self, agent_id: str, user_id: str, since: float, until: float, limit: int
    ) -> list[Thought]:
        rows = await self._read(
            lambda db: db.execute(
                "SELECT * FROM thoughts WHERE agent_id = ? AND (user_id IS NULL OR user_id = ?)"
                " AND timestamp >= ? AND timestamp <= ? ORDER BY timestamp DESC LIMIT ?",
                (agent_id, user_id, since, until, limit),
            ).fetchall()
        )
        return [thought_of(r) for r in reversed(rows)]


def _latest_thought(db: sqlite3.Connection, agent_id: str, user_id: str) -> Thought | None:
    row = db.execute(
        "SELECT * FROM thoughts WHERE agent_id = ? AND (user_id IS NULL OR user_id = ?)"
        " ORDER BY timestamp DESC LIMIT 1",
        (agent_id, user_id),
    ).fetchone()
    return thought_of(row) if row else None


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
