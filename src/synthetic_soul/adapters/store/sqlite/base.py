"""The plumbing of the embedded store: one connection, one thread, one transaction per call.

Each area of the store (core records, memories, ...) is a mixin over `SQLiteBase` with its
own schema, so `SQLiteStore` composes them and every area shares the same file and thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from synthetic_soul.adapters.store.sqlite.schema import SCHEMA
from synthetic_soul.errors import StoreOpenError

T = TypeVar("T")


class SQLiteBase:
    SCHEMAS: ClassVar[tuple[str, ...]] = (SCHEMA,)  # the core tables; each mixin adds its own

    def __init__(self, path: Path) -> None:
        self._path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._db: sqlite3.Connection | None = None

    # -- plumbing -------------------------------------------------------------
    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn` in one transaction that may write.

        It takes the write lock when it begins (BEGIN IMMEDIATE), waiting up to busy_timeout
        for it. A deferred BEGIN would read first and ask for the lock at its first write,
        and if another process (a `soul worker`) had committed meanwhile, SQLite refuses
        that at once with "database is locked", busy_timeout or not.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._tx, fn, "BEGIN IMMEDIATE")

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn`, which only reads, in one transaction: a consistent snapshot, no lock taken."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._tx, fn, "BEGIN")

    async def _one(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Row | None:
        """The first row of one query, read in a transaction of its own."""
        row: sqlite3.Row | None = await self._read(lambda db: db.execute(sql, params).fetchone())
        return row

    def _tx(self, fn: Callable[[sqlite3.Connection], T], begin: str) -> T:
        db = self._db
        if db is None:
            raise RuntimeError("store is not open")
        db.execute(begin)
        try:
            value = fn(db)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return value

    def _connect(self) -> None:
        folder = self._path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreOpenError(
                f"cannot create the data directory {folder} (DATA_DIR): {exc.strerror or exc}"
            ) from exc
        if self._path.is_dir():  # SQLite would say only "unable to open database file"
            raise StoreOpenError(f"cannot open the SQLite store {self._path}: it is a directory")
        db: sqlite3.Connection | None = None
        try:
            db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA busy_timeout=5000")
            for schema in self._schemas():
                db.executescript(schema)
            self._upgrade(db)
        except (sqlite3.Error, OSError) as exc:
            if db is not None:
                db.close()
            raise StoreOpenError(f"cannot open the SQLite store {self._path}: {exc}") from exc
        self._db = db

    def _upgrade(self, db: sqlite3.Connection) -> None:
        """Bring a file written by older code up to the current schema (a store may add)."""

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._connect)

    async def close(self) -> None:
        def _close() -> None:
            if self._db is not None:
                self._db.close()
                self._db = None

        await asyncio.get_running_loop().run_in_executor(self._executor, _close)
        self._executor.shutdown(wait=True)

    async def ping(self) -> bool:
        return await self._read(lambda db: db.execute("SELECT 1").fetchone()[0] == 1)

    @classmethod
    def _schemas(cls) -> list[str]:
        """Every schema along the class hierarchy, base classes first, each once."""
        seen: list[str] = []
        for klass in reversed(cls.__mro__):
            for schema in vars(klass).get("SCHEMAS", ()):
                if schema not in seen:
                    seen.append(schema)
        return seen
