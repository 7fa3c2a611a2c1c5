"""What the mind's background work reads from the embedded store: a reflection over one
user (the messages since the last one), a spell of thinking (its own thoughts and who it
talked with lately). What either concludes is written as a plan (`commits.py`).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from synthetic_soul.adapters.store.sqlite.base import SQLiteBase
from synthetic_soul.adapters.store.sqlite.records import MESSAGE_COLS, message_of, thought_of
from synthetic_soul.adapters.store.sqlite.statements import (
    find_conversation,
    read_agent,
    read_profile,
)
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.outreach import HISTORY_LIMIT, Contact
from synthetic_soul.domain.outreach import PURPOSE as OUTREACH
from synthetic_soul.ports import Musing, Reflection

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
    return Contact.of_profile(row["user_id"], row["username"], doc, times, outreaches, since)


class MindTables(SQLiteBase):
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
