"""Agents, how each sees its users, and the history of its feelings, in the embedded store."""

from __future__ import annotations

import json
import sqlite3
from typing import ClassVar

from synthetic_soul.adapters.store.sqlite.agent_names import one_agent_a_name
from synthetic_soul.adapters.store.sqlite.base import SQLiteBase
from synthetic_soul.adapters.store.sqlite.faces import FACE_SCHEMA
from synthetic_soul.adapters.store.sqlite.records import snapshot_of
from synthetic_soul.adapters.store.sqlite.statements import (
    insert_snapshot,
    read_agent,
    read_profile,
)
from synthetic_soul.domain.agent import AgentState, from_doc, to_doc
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.ports import Profile

SNAPSHOT_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    agent_id TEXT NOT NULL,
    at REAL NOT NULL,
    emotions TEXT NOT NULL,
    mood TEXT NOT NULL,
    PRIMARY KEY (agent_id, at)
);
"""


class AgentTables(SQLiteBase):
    SCHEMAS: ClassVar[tuple[str, ...]] = (SNAPSHOT_SCHEMA, FACE_SCHEMA)

    def _upgrade(self, db: sqlite3.Connection) -> None:
        super()._upgrade(db)
        one_agent_a_name(db)

    async def ensure_agent(self, candidate: AgentState) -> AgentState:
        def tx(db: sqlite3.Connection) -> AgentState:
            # The name taken (in any mode): nothing is written, and the agent holding it is
            # the answer.
            db.execute(
                "INSERT INTO agents (id, name, mode, doc, version, updated_at)"
                " VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING",
                (
                    candidate.id,
                    candidate.name,
                    candidate.mode,
                    json.dumps(to_doc(candidate)),
                    candidate.birthdate,
                ),
            )
            row = db.execute(
                "SELECT doc, version FROM agents WHERE name = ?", (candidate.name,)
            ).fetchone()
            return from_doc(json.loads(row["doc"]), row["version"])

        return await self._run(tx)

    async def get_agent(self, name: str, mode: str) -> AgentState | None:
        return await self._read(lambda db: read_agent(db, name, mode))

    async def list_agents(self) -> list[tuple[str, str]]:
        rows = await self._read(
            lambda db: db.execute("SELECT name, mode FROM agents ORDER BY name, mode").fetchall()
        )
        return [(r["name"], r["mode"]) for r in rows]

    async def all_agents(self) -> list[AgentState]:
        rows = await self._read(
            lambda db: db.execute("SELECT doc, version FROM agents ORDER BY name").fetchall()
        )
        return [from_doc(json.loads(r["doc"]), r["version"]) for r in rows]

    async def get_profile(self, agent_id: str, user_id: str) -> Profile | None:
        return await self._read(lambda db: read_profile(db, agent_id, user_id))

    async def set_visibility(self, agent_id: str, visibility: str) -> bool:
        def tx(db: sqlite3.Connection) -> bool:
            cur = db.execute(
                "UPDATE agents SET doc = json_set(doc, '$.visibility', ?), version = version + 1"
                " WHERE id = ?",
                (visibility, agent_id),
            )
            return cur.rowcount == 1

        return await self._run(tx)

    async def delete_agent(self, agent_id: str) -> bool:
        def tx(db: sqlite3.Connection) -> bool:
            row = db.execute("SELECT name FROM agents WHERE id = ?", (agent_id,)).fetchone()
            if row is None:
                return False
            # Conversations are keyed by the agent's name; their messages go with them (and
            # with the messages, by triggers, their search entries and vectors).
            db.execute(
                "DELETE FROM messages WHERE conversation_id IN"
                " (SELECT id FROM conversations WHERE agent_name = ?)",
                (row["name"],),
            )
            db.execute("DELETE FROM conversations WHERE agent_name = ?", (row["name"],))
            for table in ("profiles", "snapshots", "thoughts", "memories", "faces"):
                db.execute(f"DELETE FROM {table} WHERE agent_id = ?", (agent_id,))
            # Its jobs too: a reply's result holds what it said.
            db.execute(
                "DELETE FROM jobs WHERE json_extract(payload, '$.agent') = ?", (row["name"],)
            )
            db.execute("DELETE FROM agents WHERE id = ?", (agent_id,))
            return True

        return await self._run(tx)

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
        return [snapshot_of(r) for r in reversed(rows)]
