"""Applying a plan of writes (`ports.commits`) in one transaction of the embedded store."""

from __future__ import annotations

import json
import sqlite3
from typing import assert_never

from synthetic_soul.adapters.store.sqlite.base import SQLiteBase
from synthetic_soul.adapters.store.sqlite.memories import insert_memories
from synthetic_soul.adapters.store.sqlite.statements import (
    finish_job,
    insert_job,
    insert_message,
    insert_snapshot,
    insert_thought,
    job_to_commit,
    open_conversation,
    record_calls,
    save_agent,
    upsert_profile,
)
from synthetic_soul.ports.commits import (
    AddJob,
    AddMemories,
    AddMessage,
    AddSnapshot,
    AddThought,
    FinishJob,
    MarkAnswered,
    Plan,
    PutProfile,
    RecordCalls,
    SaveAgent,
    UpdateProfile,
    Write,
)
from synthetic_soul.records import Job


def _write(db: sqlite3.Connection, w: Write, now: float) -> Job | None:
    """Makes one write; a `FinishJob` gives the job as it now stands."""
    match w:
        case SaveAgent(agent, expected_version):
            save_agent(db, agent, expected_version, now)
        case PutProfile(profile):
            upsert_profile(db, profile)
        case UpdateProfile(p):  # no upsert: a user forgotten meanwhile stays forgotten
            db.execute(
                "UPDATE profiles SET doc = ? WHERE agent_id = ? AND user_id = ?",
                (json.dumps(p.doc), p.agent_id, p.user_id),
            )
        case MarkAnswered(message_ids, purpose, tone, job_id):
            db.executemany(
                "UPDATE messages SET purpose = ?, tone = ?, answered_by = ?"
                " WHERE id = ? AND answered_by IS NULL",
                [(purpose, tone, job_id, message_id) for message_id in message_ids],
            )
        case AddMessage(message, opens):
            conversation_id = message.conversation_id
            if opens is not None:
                # The first message of a conversation the user may not have started yet.
                agent_name, user_id = opens
                conversation_id = open_conversation(db, agent_name, user_id, message.timestamp)
            insert_message(db, message, conversation_id)
        case AddThought(thought):
            insert_thought(db, thought)
        case AddMemories(memories):
            insert_memories(db, memories)
        case AddSnapshot(snapshot):
            insert_snapshot(db, snapshot)
        case AddJob(job):
            insert_job(db, job)
        case RecordCalls(job_id, calls):
            record_calls(db, job_id, calls, now)
        case FinishJob(job_id, result):
            return finish_job(db, job_id, "succeeded", result, None, now)
        case _:
            assert_never(w)
    return None


def _apply(db: sqlite3.Connection, plan: Plan) -> tuple[Job, ...]:
    job = job_to_commit(db, plan.job_id)
    if job.finished:
        return (job,)  # a second run of the same job writes nothing
    finished = (_write(db, w, plan.now) for w in plan.writes)
    return tuple(j for j in finished if j is not None)


class CommitTables(SQLiteBase):
    async def commit(self, plan: Plan) -> tuple[Job, ...]:
        return await self._run(lambda db: _apply(db, plan))
