"""An agent's own faces in the embedded store: one BLOB a row, by agent and expression."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import ClassVar

from synthetic_soul.adapters.store.sqlite.base import SQLiteBase
from synthetic_soul.domain.faces import Face

FACE_SCHEMA = """
CREATE TABLE IF NOT EXISTS faces (
    agent_id TEXT NOT NULL,
    expression TEXT NOT NULL,
    media_type TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (agent_id, expression)
);
"""


class FaceTables(SQLiteBase):
    SCHEMAS: ClassVar[tuple[str, ...]] = (FACE_SCHEMA,)

    async def put_faces(self, agent_id: str, faces: Mapping[str, Face]) -> None:
        def tx(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM faces WHERE agent_id = ?", (agent_id,))
            db.executemany(
                "INSERT INTO faces (agent_id, expression, media_type, data) VALUES (?, ?, ?, ?)",
                [(agent_id, name, f.media_type, f.data) for name, f in faces.items()],
            )

        await self._run(tx)

    async def get_face(self, agent_id: str, expression: str) -> Face | None:
        row = await self._one(
            "SELECT media_type, data FROM faces WHERE agent_id = ? AND expression = ?",
            (agent_id, expression),
        )
        return None if row is None else Face(row["media_type"], bytes(row["data"]))

    async def face_names(self, agent_id: str) -> list[str]:
        rows = await self._read(
            lambda db: db.execute(
                "SELECT expression FROM faces WHERE agent_id = ? ORDER BY expression", (agent_id,)
            ).fetchall()
        )
        return [r["expression"] for r in rows]

    async def delete_faces(self, agent_id: str) -> None:
        await self._run(lambda db: db.execute("DELETE FROM faces WHERE agent_id = ?", (agent_id,)))
