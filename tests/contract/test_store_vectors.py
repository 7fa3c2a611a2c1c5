"""Store contract: each message's vector, stored beside it, and the search by meaning.

The nearest messages come within the same scope as the search by words (both sides of the
user's direct conversation, a group's messages from their own first post there on; never
another user's, never another agent's), best first by cosine, only vectors of the model
asked for. Which messages still lack a vector is asked per user, oldest first. Forgetting a
user leaves no vector of theirs, in what is found or in the SQLite table itself.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from synthetic_soul.adapters.store.sqlite import SQLiteStore
from synthetic_soul.ports import Store
from synthetic_soul.ports.embeddings import Vector
from tests.contract.builders import AGENT, T0, profile, session, uid, user
from tests.contract.test_store_search import say

pytestmark = pytest.mark.anyio

MODEL = "test/model"


def unit(*xs: float) -> Vector:
    norm = math.sqrt(sum(x * x for x in xs))
    return tuple(x / norm for x in xs)


NORTH, EAST, NORTH_EAST, SOUTH = unit(1, 0, 0), unit(0, 1, 0), unit(1, 1, 0), unit(-1, 0, 0)


async def nearest(store: Store, owner: str, vector: Vector, k: int = 10, **kw: float) -> list[str]:
    return [
        m.message for m, _ in await store.nearest_messages(AGENT, owner, MODEL, vector, k, **kw)
    ]


async def test_nearest_first_with_cosine_within_k(store: Store) -> None:
    ada = uid()
    north = await say(store, ada, "north", T0)
    east = await say(store, ada, "east", T0 + 1)
    north_east = await say(store, ada, "north-east", T0 + 2)
    south = await say(store, ada, "south", T0 + 3)
    await store.attach_vectors(
        MODEL, [(north.id, NORTH), (east.id, EAST), (north_east.id, NORTH_EAST), (south.id, SOUTH)]
    )

    hits = await store.nearest_messages(AGENT, ada, MODEL, NORTH, 10)

    assert [m.message for m, _ in hits] == ["north", "north-east", "east", "south"]
    assert [round(s, 4) for _, s in hits] == [1.0, round(math.sqrt(0.5), 4), 0.0, -1.0]
    assert (hits[0][0].id, hits[0][0].timestamp, hits[0][0].sender_id) == (
        north.id,
        T0,
        north.sender_id,
    )
    assert await nearest(store, ada, EAST, k=2) == ["east", "north-east"]
    assert await nearest(store, ada, EAST, k=0) == []
    assert await nearest(store, ada, NORTH, before=T0 + 2) == ["north", "east"]
    assert await nearest(store, uid(), NORTH) == []  # no conversation at all


async def test_only_vectors_of_the_model_asked_and_the_latest_attached(store: Store) -> None:
    ada = uid()
    north = await say(store, ada, "north", T0)
    east = await say(store, ada, "east", T0 + 1)
    await store.attach_vectors(MODEL, [(north.id, NORTH)])
    await store.attach_vectors("other/model", [(east.id, NORTH)])

    assert await nearest(store, ada, NORTH) == ["north"]
    assert [m.message for m in await store.unembedded_messages(AGENT, ada, MODEL, 10)] == ["east"]

    await store.attach_vectors(MODEL, [(north.id, SOUTH), (east.id, EAST), (uid(), NORTH)])
    assert await nearest(store, ada, NORTH) == ["east", "north"]  # north's vector replaced
    assert await store.unembedded_messages(AGENT, ada, MODEL, 10) == []


async def test_unembedded_oldest_first_in_the_users_conversation_only(store: Store) -> None:
    ada, bob, books = uid(), uid(), f"books-{uid()}"
    first = await say(store, ada, "first", T0)
    await say(store, ada, "to the group", T0 + 1, books)
    await say(store, bob, "bob's own", T0 + 2, books)
    await say(store, ada, "to rose", T0 + 3, agent_name="rose")
    await say(store, ada, "last", T0 + 4)

    missing = await store.unembedded_messages(AGENT, ada, MODEL, 10)
    assert [m.message for m in missing] == ["first", "to the group", "last"]
    assert [m.message for m in await store.unembedded_messages(AGENT, ada, MODEL, 2)] == [
        "first",
        "to the group",
    ]
    await store.attach_vectors(MODEL, [(first.id, NORTH)])
    assert [m.message for m in await store.unembedded_messages(AGENT, ada, MODEL, 1)] == [
        "to the group"
    ]
    assert await store.unembedded_messages(AGENT, uid(), MODEL, 10) == []


async def test_the_scope_is_the_search_by_words_scope(store: Store) -> None:
    ada, bob, cy, books = uid(), uid(), uid(), f"books-{uid()}"
    said = [
        await say(store, ada, "ada's secret before bob joined", T0, books),
        await say(store, bob, "bob joins the club", T0 + 1, books),
        await say(store, ada, "ada welcomes bob", T0 + 2, books),
        await say(store, ada, "ada's direct message", T0 + 3),
        await say(store, cy, "cy's direct message", T0 + 4),
        await say(store, bob, "bob tells rose", T0 + 5, agent_name="rose"),
    ]
    await store.attach_vectors(MODEL, [(m.id, NORTH) for m in said])

    assert set(await nearest(store, bob, NORTH)) == {"bob joins the club", "ada welcomes bob"}
    assert await nearest(store, cy, NORTH) == ["cy's direct message"]
    assert set(await nearest(store, ada, NORTH)) == {
        "ada's secret before bob joined",
        "bob joins the club",
        "ada welcomes bob",
        "ada's direct message",
    }
    # Of equal similarity, the later message first, as the search by words orders ties.
    assert (await nearest(store, ada, NORTH))[0] == "ada's direct message"


async def test_forgetting_a_user_leaves_no_vector_of_theirs(store: Store) -> None:
    ada, bob, books = user(), uid(), f"books-{uid()}"
    await store.create_user(ada, session(ada.id), profile(ada.id))
    hi = await say(store, bob, "hi all, bob here", T0, books)
    diary = await say(store, ada.id, "my zeppelin diary is private", T0 + 1)
    rides = await say(store, ada.id, "zeppelin rides with the group", T0 + 2, books)
    await store.attach_vectors(MODEL, [(hi.id, EAST), (diary.id, NORTH), (rides.id, NORTH)])
    assert await nearest(store, bob, NORTH) == ["zeppelin rides with the group", "hi all, bob here"]

    await store.forget_user(ada.id)

    assert await nearest(store, ada.id, NORTH) == []
    assert await nearest(store, bob, NORTH) == ["hi all, bob here"]
    assert await store.unembedded_messages(AGENT, ada.id, MODEL, 10) == []
    await store.attach_vectors(MODEL, [(diary.id, NORTH)])  # gone: passed over
    assert await nearest(store, bob, NORTH) == ["hi all, bob here"]


async def test_forgetting_a_user_empties_the_sqlite_vectors_of_them(tmp_path: Path) -> None:
    """The table itself, not only what a search returns: no vector of theirs is left."""
    store = SQLiteStore(tmp_path / "soul.sqlite3")
    await store.open()
    ada, bob = uid(), uid()
    diary = await say(store, ada, "my zeppelin diary", T0)
    quiet = await say(store, bob, "a quiet day", T0 + 1)
    await store.attach_vectors(MODEL, [(diary.id, NORTH), (quiet.id, EAST)])
    await store.forget_user(ada)
    await store.close()

    db = sqlite3.connect(tmp_path / "soul.sqlite3")
    try:
        (left,) = db.execute("SELECT count(*) FROM message_vectors").fetchone()
    finally:
        db.close()
    assert left == 1
