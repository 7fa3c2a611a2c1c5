"""A store written when agents were unique by name and mode only (a restart with another MODE
made a second default agent) opens with one agent a name: the first made keeps it, the later
one is renamed NAME_MODE with what is keyed by its id, and the name is unique from then on."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from pymongo import MongoClient

from synthetic_soul.adapters.store.mongo import MongoStore
from synthetic_soul.adapters.store.mongo.records import agent_doc
from synthetic_soul.adapters.store.sqlite import SQLiteStore
from synthetic_soul.domain.agent import AgentState, to_doc
from synthetic_soul.domain.snapshot import AffectSnapshot
from synthetic_soul.ports import Store
from tests.contract.builders import T0, agent
from tests.support import mongo

pytestmark = pytest.mark.anyio

FIRST = agent("jasmine", "lite", now=T0)
LATER = agent("jasmine", "rich", now=T0 + 60)  # MODE=rich on a later start


async def mended(store: Store) -> None:
    """What the store shows after opening older data holding FIRST and LATER."""
    await store.open()
    try:
        assert await store.list_agents() == [("jasmine", "lite"), ("jasmine_rich", "rich")]
        kept = await store.get_agent("jasmine", "lite")
        assert kept is not None and kept.id == FIRST.id
        renamed = await store.get_agent("jasmine_rich", "rich")
        assert renamed is not None and renamed.id == LATER.id and renamed.name == "jasmine_rich"
        assert await store.list_snapshots(LATER.id, 0, T0 + 100, 10) != []
        # From now on a name is one agent.
        assert (await store.ensure_agent(agent("jasmine_rich", "lite"))).id == LATER.id
    finally:
        await store.close()


async def opened_and_closed(store: Store, *agents: AgentState) -> None:
    await store.open()
    for a in agents:
        await store.ensure_agent(a)
    await store.add_snapshot(AffectSnapshot(LATER.id, T0 + 61, {"joy": 1.0}, {"pleasure": 0.1}))
    await store.close()


async def test_an_older_sqlite_file_is_mended(tmp_path: Path) -> None:
    path = tmp_path / "soul.sqlite3"
    await opened_and_closed(SQLiteStore(path), FIRST)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DROP INDEX agents_name_unique")  # as older code left it
    db.execute(
        "INSERT INTO agents (id, name, mode, doc, version, updated_at) VALUES (?, ?, ?, ?, 0, ?)",
        (LATER.id, LATER.name, LATER.mode, json.dumps(to_doc(LATER)), LATER.birthdate),
    )
    db.close()
    await mended(SQLiteStore(path))


async def test_an_older_mongo_database_is_mended(mongo_uri: str) -> None:
    database = mongo.database_name()
    await opened_and_closed(MongoStore(mongo_uri, database), FIRST)
    client: MongoClient[dict[str, object]] = MongoClient(mongo_uri)
    try:
        client[database]["agents"].drop_index("name_unique")  # as older code left it
        client[database]["agents"].insert_one(agent_doc(LATER))
        await mended(MongoStore(mongo_uri, database))
    finally:
        client.drop_database(database)
        client.close()
