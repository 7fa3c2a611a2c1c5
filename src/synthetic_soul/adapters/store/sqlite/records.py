"""Rows of the embedded store as records: one place that knows how each column decodes."""

from __future__ import annotations

import dataclasses
import functools
import json
import sqlite3
from typing import TYPE_CHECKING, Any, TypeVar

from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.domain.thought import Thought
from synthetic_soul.ports import Profile
from synthetic_soul.records import ApiKey, Job, Session, User

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")

MESSAGE_COLS = (
    "id, conversation_id, message, purpose, tone, timestamp, sender_id, sender_username,"
    " from_agent, kind, job_id, answered_by, channel"
)
JOB_COLS = (
    "id, owner_id, kind, queue, payload, status, progress, result, error, attempts,"
    " created_at, updated_at"
)


@functools.cache
def _fields(cls: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def record_of(cls: type[R], row: sqlite3.Row, **decoded: Any) -> R:
    """The record whose fields are the row's columns of the same names; `decoded` overrides."""
    return cls(**{k: row[k] for k in _fields(cls) if k not in decoded}, **decoded)


def message_of(row: sqlite3.Row) -> Message:
    return record_of(Message, row, from_agent=bool(row["from_agent"]))


def job_of(row: sqlite3.Row) -> Job:
    result = json.loads(row["result"]) if row["result"] is not None else None
    return record_of(Job, row, payload=json.loads(row["payload"]), result=result)


def thought_of(row: sqlite3.Row) -> Thought:
    return record_of(Thought, row)


def profile_of(row: sqlite3.Row) -> Profile:
    return record_of(Profile, row, doc=json.loads(row["doc"]))


def user_of(row: sqlite3.Row) -> User:
    return record_of(User, row, guest=bool(row["guest"]))


def session_of(row: sqlite3.Row) -> Session:
    return record_of(Session, row)


def api_key_of(row: sqlite3.Row) -> ApiKey:
    return record_of(ApiKey, row)


def snapshot_of(row: sqlite3.Row) -> AffectSnapshot:
    return AffectSnapshot(
        row["agent_id"], row["at"], json.loads(row["emotions"]), json.loads(row["mood"])
    )
