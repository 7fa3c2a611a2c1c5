"""Stores made before names compared case-folded: opening one folds its users' names.

Each backend is seeded the way the older code wrote it (no folded keys, case variants side by
side), then opened by the current store, which must keep every account, leave the oldest
holder of a name its name, and refuse new case variants from then on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from synthetic_soul.adapters.store.mongo import MongoStore
from synthetic_soul.adapters.store.sqlite import SQLiteStore
from synthetic_soul.ports import ConflictError
from synthetic_soul.records import User
from tests.contract.builders import T0, StoreFactory, profile, session, user
from tests.support import mongo

pytestmark = pytest.mark.anyio

# The users table as the store created it before the folded keys.
OLD_USERS_TABLE = """
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT UNIQUE,
    password_hash TEXT,
    guest INTEGER NOT NULL,
    created_at REAL NOT NULL
);
"""

OLDEST = User("u-oldest", "Ada", False, T0, "ada@example.com", "h")
VARIANT = User("u-variant", "ada", False, T0 + 5, "ada2@example.com", "h")
PLAIN = User("u-plain", "Bob", False, T0 + 9, "Bob@Example.com", "h")
GUEST = User("u-guest", "guest_1", True, T0 + 1)
SEEDED = (OLDEST, VARIANT, PLAIN, GUEST)


def _seed_sqlite(path: Path) -> None:
    db = sqlite3.connect(path)
    with db:
        db.executescript(OLD_USERS_TABLE)
        db.executemany(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
            [
                (u.id, u.username, u.email, u.password_hash, int(u.guest), u.created_at)
                for u in SEEDED
            ],
        )
    db.close()


def _seed_mongo(uri: str, database: str) -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(uri)
    try:
        docs = []
        for u in SEEDED:
            doc: dict[str, Any] = {
                "_id": u.id,
                "username": u.username,
                "password_hash": u.password_hash,
                "guest": u.guest,
                "created_at": u.created_at,
            }
            if u.email is not None:
                doc["email"] = u.email
            docs.append(doc)
        client[database]["users"].insert_many(docs)
    finally:
        client.close()


@pytest.fixture(params=["sqlite", "mongo"])
def older(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Makes (unopened) stores over data the older code wrote."""
    if request.param == "sqlite":
        path = tmp_path / "soul.sqlite3"
        _seed_sqlite(path)
        yield lambda: SQLiteStore(path)
        return
    uri: str = request.getfixturevalue("mongo_uri")
    database = mongo.database_name()
    _seed_mongo(uri, database)
    yield lambda: MongoStore(uri, database)
    mongo.drop_database(uri, database)


async def test_opening_an_older_store_folds_its_names(older: StoreFactory) -> None:
    old_store = older()
    await old_store.open()
    try:
        assert await old_store.get_user(OLDEST.id) == OLDEST
        assert await old_store.get_user(PLAIN.id) == PLAIN
        assert await old_store.get_user(GUEST.id) == GUEST
        renamed = await old_store.get_user(VARIANT.id)
        assert renamed is not None, "an account is never dropped"
        assert renamed.username.casefold() != OLDEST.username.casefold()
        assert renamed.username.startswith(VARIANT.username)
        assert renamed.email == VARIANT.email

        assert await old_store.get_user_by_email("BOB@example.COM") == PLAIN
        for username, email in (("ADA", "new@example.com"), ("carol", "bob@EXAMPLE.com")):
            newcomer = user(username, email, guest=False)
            with pytest.raises(ConflictError):
                await old_store.create_user(newcomer, session(newcomer.id), profile(newcomer.id))
    finally:
        await old_store.close()


async def test_reopening_a_folded_store_changes_nothing(older: StoreFactory) -> None:
    first = older()
    await first.open()
    renamed = await first.get_user(VARIANT.id)
    await first.close()
    again = older()
    await again.open()
    try:
        assert await again.get_user(VARIANT.id) == renamed
        assert await again.get_user(OLDEST.id) == OLDEST
    finally:
        await again.close()
