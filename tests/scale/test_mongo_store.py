"""What only the MongoDB store has: validators, indexes, TTL, and riding out a lost server.

The shared behaviour of every store is the contract suite's (tests/contract); these tests talk
to the server directly as well, to see what the store made there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure, WriteError
from secantus import SecantusDBServer

from synthetic_soul.adapters.store.mongo import MongoStore
from synthetic_soul.adapters.store.mongo.schema import SESSION_GRACE_S, VALIDATORS
from synthetic_soul.errors import StoreUnavailable
from tests.contract.builders import eventually, profile, session, user
from tests.support import mongo
from tests.support.server import free_port

pytestmark = pytest.mark.anyio

DOCUMENT_VALIDATION_FAILURE = 121
Doc = dict[str, Any]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def server() -> Iterator[SecantusDBServer]:
    # TTL deletion sweeps every 0.2 s here, so a test can watch it happen.
    started = mongo.in_process(ttl_sweep_s=0.2)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
async def store(server: SecantusDBServer) -> AsyncIterator[MongoStore]:
    database = mongo.database_name()
    opened = MongoStore(server.uri, database)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()
        mongo.drop_database(server.uri, database)


@pytest.fixture
async def raw(server: SecantusDBServer) -> AsyncIterator[AsyncMongoClient[Doc]]:
    """A client of the test's own, to look at and write to the database around the store."""
    client: AsyncMongoClient[Doc] = AsyncMongoClient(server.uri)
    try:
        yield client
    finally:
        await client.close()


# -- validators ----------------------------------------------------------------------------
MALFORMED: list[tuple[str, Doc]] = [
    ("users", {"_id": "u1", "username": 7, "guest": True, "created_at": 1.0}),
    ("users", {"_id": "u2", "username": "ada", "guest": "yes", "created_at": 1.0}),
    ("users", {"_id": "u3", "username": "ada", "guest": False, "created_at": 1.0, "email": None}),
    (
        "sessions",  # the expiry as a float only: the TTL index would never see it
        {
            "_id": "s1",
            "user_id": "u",
            "refresh_hash": "r",
            "csrf_hash": "c",
            "created_at": 1.0,
            "expires_at": 2.0,
        },
    ),
    (
        "jobs",
        {
            "_id": "j1",
            "owner_id": "u",
            "kind": "reply",
            "queue": "default",
            "payload": {},
            "status": "lost",
            "attempts": 0,
            "created_at": 1.0,
            "updated_at": 1.0,
        },
    ),
    ("agents", {"_id": "a1", "name": "x", "mode": "lite", "state": {}, "version": -1}),
    ("profiles", {"agent_id": "a", "user_id": "u", "username": "ada", "doc": "not a document"}),
]


@pytest.mark.parametrize(("collection", "document"), MALFORMED)
async def test_validators_refuse_a_malformed_document(
    store: MongoStore, raw: AsyncMongoClient[Doc], collection: str, document: Doc
) -> None:
    with pytest.raises(WriteError) as refused:
        await raw[store.db.name][collection].insert_one(document)
    assert refused.value.code == DOCUMENT_VALIDATION_FAILURE
    assert await raw[store.db.name][collection].count_documents({}) == 0


async def test_a_memory_out_of_bounds_is_refused_by_the_server_too(
    store: MongoStore, raw: AsyncMongoClient[Doc]
) -> None:
    memories = raw[store.db.name]["memories"]
    good: Doc = {
        "_id": "m1",
        "seq": 1,
        "agent_id": "a",
        "user_id": None,
        "event": "e",
        "thoughts": "t",
        "significance": "low",
        "importance": 5,
        "tags": ["x"],
        "kind": "episode",
        "terms": ["e"],
        "created_at": 1.0,
        "last_accessed": 1.0,
        "recall_count": 0,
    }
    await memories.insert_one(good)  # the validator itself lets a good one through
    for bad in ({"importance": 11}, {"tags": ["a", "b", "c", "d"]}, {"significance": "huge"}):
        with pytest.raises(WriteError) as refused:
            await memories.insert_one({**good, "_id": "m2", **bad})
        assert refused.value.code == DOCUMENT_VALIDATION_FAILURE, bad


async def test_records_written_by_the_store_pass_the_validators(store: MongoStore) -> None:
    # Strict validation on every collection: a store write that broke its own schema would fail.
    u = user("ada", "ada@example.com", guest=False)
    await store.create_user(u, session(u.id), profile(u.id))
    assert await store.get_user(u.id) == u


async def test_open_brings_an_older_schema_up_to_date(
    server: SecantusDBServer, raw: AsyncMongoClient[Doc]
) -> None:
    database = mongo.database_name()
    # A deployment of before: users without a validator, and a user in them already.
    await raw[database].create_collection("users")
    await raw[database]["users"].insert_one(
        {"_id": "u0", "username": "old", "guest": True, "created_at": 1.0}
    )
    store = MongoStore(server.uri, database)
    await store.open()
    try:
        (users,) = [c async for c in await raw[database].list_collections(filter={"name": "users"})]
        assert users["options"]["validator"] == VALIDATORS["users"]
        with pytest.raises(WriteError):
            await raw[database]["users"].insert_one({"_id": "u1", "username": 1})
        assert (await store.get_user("u0")) is not None
    finally:
        await store.close()
        mongo.drop_database(server.uri, database)


async def test_a_server_without_transactions_is_refused_at_open() -> None:
    standalone = SecantusDBServer(
        host="127.0.0.1", port=0, storage_path=":memory:", replica_set_name=None
    )
    standalone.start()
    store = MongoStore(standalone.uri, mongo.database_name())
    try:
        with pytest.raises(RuntimeError, match="replica set"):
            await store.open()
    finally:
        await store.close()
        standalone.stop()


# -- indexes -------------------------------------------------------------------------------
async def test_the_indexes_exist(store: MongoStore) -> None:
    users = await store.db["users"].index_information()
    for field in ("email", "username"):
        (index,) = [i for i in users.values() if i["key"] == [(field, 1)]]
        assert index.get("unique") is True and index.get("sparse") is True, field

    sessions = await store.db["sessions"].index_information()
    (ttl,) = [i for i in sessions.values() if "expireAfterSeconds" in i]
    assert ttl["key"] == [("expires", 1)]
    assert ttl["expireAfterSeconds"] == SESSION_GRACE_S

    pairs = {
        "agents": [("name", 1), ("mode", 1)],
        "profiles": [("agent_id", 1), ("user_id", 1)],
        "conversations": [("agent_name", 1), ("user_id", 1)],
        "snapshots": [("agent_id", 1), ("at", 1)],
    }
    for collection, key in pairs.items():
        info = await store.db[collection].index_information()
        assert any(i["key"] == key and i.get("unique") for i in info.values()), collection
    messages = await store.db["messages"].index_information()
    assert messages["reply_once"]["unique"] is True

    memories = await store.db["memories"].index_information()
    if store.text_index:  # a real MongoDB
        assert ("_fts", "text") in memories["relevance_text"]["key"]
        assert memories["relevance_text"]["weights"] == {"tags": 6, "event": 4, "thoughts": 3}
    else:
        # SecantusDB has no text indexes (a divergence from MongoDB): the store fell back to
        # stems. When this fails, SecantusDB has them: the branch above should then run.
        with pytest.raises(OperationFailure):
            await store.db["scratch"].create_index([("text", "text")])
        assert memories["by_terms"]["key"] == [("agent_id", 1), ("terms", 1)]


async def test_an_expired_session_is_deleted_by_the_ttl_index(store: MongoStore) -> None:
    u = user()
    now = time.time()
    live = session(u.id, now=now, ttl=3600)
    await store.create_user(u, live, profile(u.id))
    long_gone = session(u.id, now=now - SESSION_GRACE_S - 600, ttl=60)
    recent = session(u.id, now=now - 600, ttl=60)  # expired, but still within the grace
    await store.create_session(long_gone)
    await store.create_session(recent)

    async def swept() -> bool:
        return await store.get_session(long_gone.id) is None

    await eventually(swept, within=10)
    assert await store.get_session(live.id) == live
    assert await store.get_session(recent.id) == recent


# -- a lost server -------------------------------------------------------------------------
async def test_a_lost_server_is_unavailable_then_the_store_recovers(tmp_path: Path) -> None:
    port = free_port()
    data = str(tmp_path / "mongo")
    running = [mongo.in_process(port=port, storage_path=data)]
    store = MongoStore(mongo.uri_of(port), "soul", server_selection_timeout_s=1.0)
    try:
        await store.open()
        ada = user("ada")
        await store.create_user(ada, session(ada.id), profile(ada.id))
        assert await store.ping()
        running.pop().stop()

        async with asyncio.timeout(15):  # fails fast: no 30 s wait for the server
            with pytest.raises(StoreUnavailable) as unavailable:
                await store.get_user(ada.id)
            assert unavailable.value.code == "store_unavailable"
            bob = user("bob")
            with pytest.raises(StoreUnavailable):  # a transaction, too
                await store.create_user(bob, session(bob.id), profile(bob.id))
            assert await store.ping() is False

        running.append(mongo.in_process(port=port, storage_path=data))  # back, with its data

        async def back() -> bool:
            return await store.ping()

        await eventually(back, within=15)
        assert await store.get_user(ada.id) == ada
        await store.create_user(bob, session(bob.id), profile(bob.id))
        assert await store.get_user(bob.id) == bob
    finally:
        await store.close()
        for server in running:
            server.stop()
