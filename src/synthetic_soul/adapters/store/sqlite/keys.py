"""Personal API keys in the embedded store: rows found by their keyed hash (a unique index)."""

from __future__ import annotations

import sqlite3

from synthetic_soul.adapters.store.sqlite.base import SQLiteBase
from synthetic_soul.adapters.store.sqlite.records import api_key_of
from synthetic_soul.records import ApiKey


class KeyTables(SQLiteBase):
    async def add_api_key(self, key: ApiKey) -> None:
        await self._run(
            lambda db: db.execute(
                "INSERT INTO api_keys (id, user_id, name, key_hash, prefix, created_at,"
                " last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key.id,
                    key.user_id,
                    key.name,
                    key.key_hash,
                    key.prefix,
                    key.created_at,
                    key.last_used_at,
                ),
            )
        )

    async def api_key_by_hash(self, key_hash: str) -> ApiKey | None:
        row = await self._one("SELECT * FROM api_keys WHERE key_hash = ?", (key_hash,))
        return api_key_of(row) if row else None

    async def list_api_keys(self, user_id: str) -> list[ApiKey]:
        def read(db: sqlite3.Connection) -> list[ApiKey]:
            rows = db.execute(
                "SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at, rowid", (user_id,)
            )
            return [api_key_of(r) for r in rows]

        return await self._read(read)

    async def delete_api_key(self, user_id: str, key_id: str) -> bool:
        return await self._run(
            lambda db: (
                db.execute(
                    "DELETE FROM api_keys WHERE id = ? AND user_id = ?", (key_id, user_id)
                ).rowcount
                == 1
            )
        )

    async def delete_user_api_keys(self, user_id: str) -> int:
        return await self._run(
            lambda db: db.execute("DELETE FROM api_keys WHERE user_id = ?", (user_id,)).rowcount
        )

    async def touch_api_key(self, key_id: str, now: float) -> None:
        await self._run(
            lambda db: db.execute(
                "UPDATE api_keys SET last_used_at = ? WHERE id = ?", (now, key_id)
            )
        )
