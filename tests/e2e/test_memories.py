"""What the agent remembers about the signed-in user: seeing it and having it forgotten.

Memories are written by the reflection job; to test the view with content, this module puts
rows straight into the running server's SQLite file (WAL lets a second connection write).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import (
    agent_state,
    assert_api_headers,
    assert_error,
    bearer,
    claims_of,
    guest,
)
from tests.support.server import Server

pytestmark = pytest.mark.e2e

FIELDS = {
    "id",
    "event",
    "thoughts",
    "significance",
    "importance",
    "tags",
    "emotional_impact",
    "kind",
    "created_at",
    "last_accessed",
    "recall_count",
}
T0 = 1_700_000_000.0


@pytest.fixture
def db(server: Server) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(server.data_dir / "soul.sqlite3", timeout=10, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def remember(
    db: sqlite3.Connection,
    agent_id: str,
    user_id: str | None,
    event: str,
    at: float = T0,
    **extra: Any,
) -> str:
    memory_id = uuid.uuid4().hex
    row: dict[str, Any] = {
        "id": memory_id,
        "agent_id": agent_id,
        "user_id": user_id,
        "event": event,
        "thoughts": "I should remember this.",
        "significance": "medium",
        "importance": 6,
        "tags": json.dumps(["music"]),
        "emotional_impact": "warmth",
        "kind": "episode",
        "sources": "[]",
        "created_at": at,
        "last_accessed": at,
        "recall_count": 0,
        **extra,
    }
    db.execute(
        f"INSERT INTO memories ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )
    return memory_id


def memories(api: httpx.Client, token: str) -> list[dict[str, Any]]:
    r = api.get("/v1/memories", headers=bearer(token))
    assert r.status_code == 200, r.text
    assert_api_headers(r)
    assert set(r.json()) == {"memories"}
    found: list[dict[str, Any]] = r.json()["memories"]
    return found


def test_a_new_guest_has_no_memories(api: httpx.Client) -> None:
    assert memories(api, guest(api).token) == []


def test_memories_need_a_token(api: httpx.Client) -> None:
    assert_error(api.get("/v1/memories"), 401, "missing_token")
    assert_error(api.get("/v1/memories", headers=bearer("garbage")), 401, "invalid_token")
    assert_error(api.delete(f"/v1/memories/{uuid.uuid4().hex}"), 401, "missing_token")


def test_deleting_an_unknown_memory_is_404(api: httpx.Client) -> None:
    token = guest(api).token
    for memory_id in (uuid.uuid4().hex, "x", "%22%20OR%201", "a" * 300):
        r = api.delete(f"/v1/memories/{memory_id}", headers=bearer(token))
        assert_error(r, 404, "memory_not_found")


def test_a_user_sees_and_forgets_only_their_own_memories(
    api: httpx.Client, db: sqlite3.Connection
) -> None:
    alice, bob = guest(api), guest(api)
    agent_id = agent_state(api, alice.token)["id"]
    alice_id, bob_id = claims_of(alice.token)["sub"], claims_of(bob.token)["sub"]
    older = remember(db, agent_id, alice_id, "Alice told me about her cello.", T0)
    newer = remember(
        db,
        agent_id,
        alice_id,
        "Alice played a concert.",
        T0 + 3600,
        importance=9,
        significance="high",
        tags=json.dumps(["music", "concert"]),
        recall_count=2,
    )
    bobs = remember(db, agent_id, bob_id, "Bob lost his keys.")
    remember(db, agent_id, None, "I watched the rain all afternoon.")

    listed = memories(api, alice.token)
    assert [m["id"] for m in listed] == [newer, older]
    first = listed[0]
    assert set(first) == FIELDS
    assert first["event"] == "Alice played a concert."
    assert first["importance"] == 9 and first["significance"] == "high"
    assert first["tags"] == ["music", "concert"] and first["recall_count"] == 2
    assert first["kind"] == "episode" and first["emotional_impact"] == "warmth"
    assert dt.datetime.fromisoformat(first["created_at"]).timestamp() == T0 + 3600
    assert dt.datetime.fromisoformat(first["last_accessed"]).tzinfo is not None
    assert [m["id"] for m in memories(api, bob.token)] == [bobs]

    # Another user's memory is as absent as an unknown one.
    assert_error(
        api.delete(f"/v1/memories/{bobs}", headers=bearer(alice.token)), 404, "memory_not_found"
    )
    assert [m["id"] for m in memories(api, bob.token)] == [bobs]

    r = api.delete(f"/v1/memories/{older}", headers=bearer(alice.token))
    assert r.status_code == 200, r.text
    assert_api_headers(r)
    assert r.json() == {"ok": True}
    assert [m["id"] for m in memories(api, alice.token)] == [newer]
    assert_error(
        api.delete(f"/v1/memories/{older}", headers=bearer(alice.token)), 404, "memory_not_found"
    )
    # The forgotten memory left the full-text index with its row: the index is still whole.
    db.execute("INSERT INTO memories_fts(memories_fts, rank) VALUES ('integrity-check', 1)")
