"""Store contract: searching a user's conversation by words, within what they may see.

A user may find both sides of their direct conversation with the agent, and a group
channel's messages from their own first post there on (a turn's group context); never
another user's direct messages, never a channel they have not joined, never another agent's
conversation. Forgetting a user leaves nothing of theirs to find. Older stores, written
before the search, are indexed when opened.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from pymongo import MongoClient

from synthetic_soul.adapters.store.mongo import MongoStore
from synthetic_soul.adapters.store.sqlite import SQLiteStore
from synthetic_soul.adapters.store.sqlite.schema import SCHEMA
from synthetic_soul.domain.conversation import Message
from synthetic_soul.ports import Store
from tests.contract.builders import (
    AGENT,
    T0,
    agent,
    job_and_message,
    profile,
    reply_commit,
    session,
    uid,
    user,
)
from tests.support import mongo

pytestmark = pytest.mark.anyio


async def say(
    store: Store,
    owner: str,
    text: str,
    at: float = T0,
    channel: str | None = None,
    agent_name: str = AGENT,
) -> Message:
    """The user's message, direct or (with a channel) to a group."""
    job, message = job_and_message(owner, text=text, now=at, username=owner[:6])
    if channel is not None:
        message = replace(message, kind="group", channel=channel)
    await store.submit_message(job, message, agent_name)
    return message


async def found(store: Store, owner: str, query: str, k: int = 10, **kw: float) -> list[str]:
    return [m.message for m, _ in await store.search_messages(AGENT, owner, query, k, **kw)]


async def test_finds_both_sides_of_a_conversation_by_words(store: Store) -> None:
    state = await store.ensure_agent(agent())
    ada = uid()
    job, message = job_and_message(ada, text="We adopted a puppy called Biscuit", now=T0)
    await store.submit_message(job, message, AGENT)
    await say(store, ada, "the weather turned cold", T0 + 1)
    await store.start_job(job.id, T0 + 2)
    conversation = await store.get_conversation(AGENT, ada, T0 + 2)
    reply = reply_commit(
        job, message, state, conversation.id, now=T0 + 3, text="Biscuit! What a sweet name."
    )
    await store.commit(reply.plan())

    hits = await store.search_messages(AGENT, ada, "how is biscuit", 10)

    assert {m.message for m, _ in hits} == {
        "We adopted a puppy called Biscuit",
        "Biscuit! What a sweet name.",
    }
    said = {m.message: m for m, _ in hits}
    assert said["Biscuit! What a sweet name."].from_agent
    assert said["Biscuit! What a sweet name."].timestamp == T0 + 3
    assert said["We adopted a puppy called Biscuit"].timestamp == T0
    assert all(score > 0 for _, score in hits)
    assert await found(store, ada, "the and of") == []  # no words worth searching
    assert await found(store, ada, "Biscuit", k=0) == []
    assert await found(store, uid(), "Biscuit") == []  # no conversation at all


async def test_ranks_the_better_match_first(store: Store) -> None:
    ada = uid()
    await say(store, ada, "my cello lessons start on monday", T0)
    await say(store, ada, "lessons about patience are hard", T0 + 1)
    await say(store, ada, "the garden needs rain", T0 + 2)
    await say(store, ada, "I bought a new umbrella", T0 + 3)

    hits = await store.search_messages(AGENT, ada, "cello lessons", 10)

    assert [m.message for m, _ in hits] == [
        "my cello lessons start on monday",
        "lessons about patience are hard",
    ]
    assert hits[0][1] > hits[1][1]
    assert await found(store, ada, "cello lessons", k=1) == ["my cello lessons start on monday"]


async def test_another_users_direct_messages_never_come_back(store: Store) -> None:
    ada, bob = uid(), uid()
    await say(store, ada, "my locker code is 4512, the blue locker")
    await say(store, bob, "which locker is mine?")
    await say(store, ada, "tell rose about my locker", agent_name="rose")

    assert await found(store, bob, "locker code blue") == ["which locker is mine?"]
    assert await found(store, ada, "locker") == ["my locker code is 4512, the blue locker"]


async def test_a_group_is_searched_only_by_its_members_from_joining_on(store: Store) -> None:
    ada, bob, cy, books = uid(), uid(), uid(), f"books-{uid()}"
    await say(store, ada, "the secret novel club meets at nine", T0, books)
    await say(store, bob, "hello, may I join the novel club?", T0 + 1, books)
    await say(store, ada, "welcome! this week's novel is Dune", T0 + 2, books)
    await say(store, cy, "I read a novel on my own", T0 + 3)  # a direct message, no group

    assert await found(store, bob, "novel club") == [
        "hello, may I join the novel club?",
        "welcome! this week's novel is Dune",
    ]
    assert "the secret novel club meets at nine" not in await found(store, bob, "secret novel")
    assert await found(store, cy, "novel") == ["I read a novel on my own"]
    assert set(await found(store, ada, "novel")) == {
        "the secret novel club meets at nine",
        "hello, may I join the novel club?",
        "welcome! this week's novel is Dune",
    }


async def test_before_leaves_out_what_was_said_from_then_on(store: Store) -> None:
    ada = uid()
    await say(store, ada, "the first trip to Lisbon", T0)
    await say(store, ada, "the second trip to Lisbon", T0 + 10)

    assert await found(store, ada, "Lisbon trip", before=T0 + 10) == ["the first trip to Lisbon"]
    assert await found(store, ada, "Lisbon trip", before=T0) == []


async def test_forgetting_a_user_leaves_nothing_of_theirs_to_find(store: Store) -> None:
    ada, bob, books = user(), uid(), f"books-{uid()}"
    await store.create_user(ada, session(ada.id), profile(ada.id))
    await say(store, bob, "hi all, bob here", T0, books)
    await say(store, ada.id, "my zeppelin diary is private", T0 + 1)
    await say(store, ada.id, "zeppelin rides with the group", T0 + 2, books)

    assert await found(store, bob, "zeppelin") == ["zeppelin rides with the group"]
    await store.forget_user(ada.id)

    assert await found(store, ada.id, "zeppelin diary") == []
    assert await found(store, bob, "zeppelin") == []
    assert await found(store, bob, "bob") == ["hi all, bob here"]


# -- a store written before the search ------------------------------------------------------
def _seed_sqlite(path: Path, conversation_id: str, owner: str, texts: list[str]) -> None:
    """Messages as the store wrote them before it had a search index."""
    db = sqlite3.connect(path)
    with db:
        db.executescript(SCHEMA)
        db.execute(
            "INSERT INTO conversations VALUES (?, ?, ?, ?)", (conversation_id, AGENT, owner, T0)
        )
        db.executemany(
            "INSERT INTO messages (id, conversation_id, message, timestamp, sender_id,"
            " sender_username, from_agent) VALUES (?, ?, ?, ?, ?, ?, 0)",
            [(uid(), conversation_id, text, T0 + i, owner, "ada") for i, text in enumerate(texts)],
        )
    db.close()


def _seed_mongo(
    uri: str, database: str, conversation_id: str, owner: str, texts: list[str]
) -> None:
    client: MongoClient[dict[str, object]] = MongoClient(uri)
    try:
        db = client[database]
        db["conversations"].insert_one(
            {"_id": conversation_id, "agent_name": AGENT, "user_id": owner, "created_at": T0}
        )
        db["messages"].insert_many(
            [
                {
                    "_id": uid(),
                    "seq": i + 1,
                    "conversation_id": conversation_id,
                    "message": text,
                    "timestamp": T0 + i,
                    "sender_id": owner,
                    "sender_username": "ada",
                    "from_agent": False,
                    "channel": None,
                }
                for i, text in enumerate(texts)
            ]
        )
        db["counters"].insert_one({"_id": "messages", "seq": len(texts)})
    finally:
        client.close()


@pytest.mark.parametrize("backend", ["sqlite", "mongo"])
async def test_an_older_store_is_searchable_once_opened(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    owner, conversation_id = uid(), uid()
    texts = ["we sailed to the island", "the island had goats", "nothing else"]
    if backend == "sqlite":
        path = tmp_path / "older.sqlite3"
        _seed_sqlite(path, conversation_id, owner, texts)
        stores: list[Store] = [SQLiteStore(path), SQLiteStore(path)]
    else:
        uri: str = request.getfixturevalue("mongo_uri")
        database = mongo.database_name()
        request.addfinalizer(lambda: mongo.drop_database(uri, database))
        _seed_mongo(uri, database, conversation_id, owner, texts)
        stores = [MongoStore(uri, database), MongoStore(uri, database)]

    for store in stores:  # opened twice: the second finds the index made and adds nothing
        await store.open()
        try:
            island = {text for text in texts if "island" in text}
            assert set(await found(store, owner, "island")) == island
            texts.append(f"back on the island, time {len(texts)}")
            await say(store, owner, texts[-1], T0 + len(texts))
            assert set(await found(store, owner, "island")) == island | {texts[-1]}
        finally:
            await store.close()


async def test_forgetting_a_user_empties_the_sqlite_index_of_them(tmp_path: Path) -> None:
    """The index itself, not only what a search returns: no row of theirs is left in it."""
    store = SQLiteStore(tmp_path / "soul.sqlite3")
    await store.open()
    ada, bob = uid(), uid()
    await say(store, ada, "my zeppelin diary", T0)
    await say(store, bob, "a quiet day", T0 + 1)
    await store.forget_user(ada)
    await store.close()

    db = sqlite3.connect(tmp_path / "soul.sqlite3")
    try:
        (left,) = db.execute(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'zeppelin OR diary'"
        ).fetchone()
        (indexed,) = db.execute("SELECT count(*) FROM messages_fts_docsize").fetchone()
    finally:
        db.close()
    assert (left, indexed) == (0, 1)


# -- the messages beside a found one ----------------------------------------------------------
def texts(around: dict[str, tuple[Message | None, Message | None]]) -> dict[str, tuple[str, str]]:
    return {
        mid: tuple(m.message if m is not None else "-" for m in pair)  # type: ignore[misc]
        for mid, pair in around.items()
    }


async def test_adjacent_messages_in_the_same_place_within_what_the_user_sees(
    store: Store,
) -> None:
    ada, bob, books = uid(), uid(), f"books-{uid()}"
    before_ada = await say(store, bob, "bob alone in the club", T0, books)
    first = await say(store, ada, "first", T0 + 1)
    joined = await say(store, ada, "ada joins the club", T0 + 2, books)
    second = await say(store, ada, "second", T0 + 3)
    bob_answers = await say(store, bob, "bob answers ada", T0 + 4, books)
    third = await say(store, ada, "third", T0 + 5)
    elsewhere = await say(store, ada, "to rose", T0 + 6, agent_name="rose")

    around = await store.adjacent_messages(
        AGENT, ada, [first.id, second.id, third.id, joined.id, bob_answers.id]
    )

    assert texts(around) == {
        first.id: ("-", "second"),  # the group post between is another place
        second.id: ("first", "third"),
        third.id: ("second", "-"),  # what was said to another agent is not beside it
        joined.id: ("-", "bob answers ada"),  # before ada joined: not hers to see
        bob_answers.id: ("ada joins the club", "-"),
    }
    before_second = around[second.id][0]
    assert before_second is not None  # whole messages
    assert (before_second.id, before_second.timestamp, before_second.sender_id) == (
        first.id,
        T0 + 1,
        first.sender_id,
    )
    # Ids the user may not see are left out: before they joined, another agent's, unknown.
    assert await store.adjacent_messages(AGENT, ada, [before_ada.id, elsewhere.id, uid()]) == {}
    assert texts(await store.adjacent_messages(AGENT, bob, [joined.id, bob_answers.id])) == {
        joined.id: ("bob alone in the club", "bob answers ada"),
        bob_answers.id: ("ada joins the club", "-"),
    }
    assert await store.adjacent_messages(AGENT, ada, []) == {}
    assert await store.adjacent_messages(AGENT, uid(), [first.id]) == {}


async def test_adjacent_messages_said_before_a_time(store: Store) -> None:
    ada = uid()
    first = await say(store, ada, "first", T0)
    second = await say(store, ada, "second", T0 + 1)
    await say(store, ada, "third", T0 + 2)

    around = await store.adjacent_messages(AGENT, ada, [first.id, second.id], before=T0 + 2)

    assert texts(around) == {first.id: ("-", "second"), second.id: ("first", "-")}
    assert await store.adjacent_messages(AGENT, ada, [second.id], before=T0 + 1) == {}
