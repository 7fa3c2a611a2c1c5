"""Expiring leases in the embedded store."""

from __future__ import annotations

import sqlite3

from synthetic_soul.adapters.store.sqlite.base import SQLiteBase


class LeaseTables(SQLiteBase):
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
