"""Two processes on one SQLite file (API processes and `soul worker`s share it under RQ).

A transaction that reads and then writes must not fail because another connection
committed in between: with a deferred BEGIN, SQLite refuses the late write at once with
"database is locked", whatever busy_timeout says. Two stores on one file stand in for two
processes: each has its own connection and thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from synthetic_soul.adapters.store.sqlite import SQLiteStore

pytestmark = pytest.mark.anyio


async def test_a_read_then_write_survives_another_connections_commit(tmp_path: Path) -> None:
    path = tmp_path / "soul.sqlite3"
    first, second = SQLiteStore(path), SQLiteStore(path)
    await first.open()
    await second.open()
    read = threading.Event()
    second_done = threading.Event()

    def read_then_write(db: sqlite3.Connection) -> None:
        db.execute("SELECT COUNT(*) FROM leases").fetchone()
        read.set()
        second_done.wait(1.0)  # the other commits now, unless our transaction holds it off
        db.execute("INSERT INTO leases (key, holder, expires_at) VALUES ('a', 'first', 1)")

    def write(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO leases (key, holder, expires_at) VALUES ('b', 'second', 1)")

    try:
        reading = asyncio.create_task(first._run(read_then_write))
        await asyncio.to_thread(read.wait, 5)
        writing = asyncio.create_task(second._run(write))
        await asyncio.sleep(0.2)
        second_done.set()
        await asyncio.gather(reading, writing)  # neither is refused
        assert await first.acquire_lease("a", "first", 0, 1)  # both rows were written
        assert await first.acquire_lease("b", "second", 0, 1)
    finally:
        await first.close()
        await second.close()
