"""Store contract: the search by words matches a message's speaker's name as well as its words,
since a question names who said a thing and the words rarely do. A SQLite index made before
it held the name is made again, once, when the store opens.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from synthetic_soul.adapters.store.sqlite import SQLiteStore
from synthetic_soul.adapters.store.sqlite.schema import SCHEMA
from synthetic_soul.ports import Store
from tests.contract.builders import AGENT, T0, job_and_message, uid

pytestmark = pytest.mark.anyio


async def post(store: Store, owner: str, name: str, text: str, at: float, channel: str) -> None:
    job, message = job_and_message(owner, text=text, now=at, username=name)
    await store.submit_message(job, replace(message, kind="group", channel=channel), AGENT)


async def found(store: Store, owner: str, query: str) -> list[str]:
    return [m.message for m, _ in await store.search_messages(AGENT, owner, query, 10)]


async def test_the_speakers_name_is_searched_with_the_words(store: Store) -> None:
    caroline, melanie, books = uid(), uid(), f"books-{uid()}"
    await post(store, melanie, "Melanie", "the rain stopped", T0, books)
    await post(store, caroline, "Caroline", "I adopted a puppy last week", T0 + 1, books)
    await post(store, melanie, "Melanie", "I adopted a kitten last week", T0 + 2, books)

    assert await found(store, melanie, "what did Caroline adopt?") == [
        "I adopted a puppy last week",
        "I adopted a kitten last week",
    ]
    assert await found(store, caroline, "Melanie adopted what?") == [
        "I adopted a kitten last week",
        "I adopted a puppy last week",
    ]  # "the rain stopped" was said before Caroline joined
    assert set(await found(store, melanie, "melanie")) == {
        "I adopted a kitten last week",
        "the rain stopped",
    }


# The index as it was made before it held the speaker's name.
_OLDER_INDEX = (
    "CREATE VIEW messages_indexed AS SELECT seq, message, 'd' || hex(conversation_id) || '0'"
    " AS scope FROM messages",
    "CREATE VIRTUAL TABLE messages_fts USING fts5(message, scope,"
    " content='messages_indexed', content_rowid='seq', tokenize='porter unicode61')",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
    " INSERT INTO messages_fts(rowid, message, scope)"
    " VALUES (new.seq, new.message, 'd' || hex(new.conversation_id) || '0'); END",
)


async def test_an_older_sqlite_index_is_made_again_with_the_names(tmp_path: Path) -> None:
    path, owner, conversation_id = tmp_path / "older.sqlite3", uid(), uid()
    db = sqlite3.connect(path)
    with db:
        db.executescript(SCHEMA)
        for statement in _OLDER_INDEX:
            db.execute(statement)
        db.execute(
            "INSERT INTO conversations VALUES (?, ?, ?, ?)", (conversation_id, AGENT, owner, T0)
        )
        db.executemany(
            "INSERT INTO messages (id, conversation_id, message, timestamp, sender_id,"
            " sender_username, from_agent) VALUES (?, ?, ?, ?, ?, ?, 0)",
            [(uid(), conversation_id, "we sailed to the island", T0, owner, "Ada")],
        )
    db.close()

    for _ in range(2):  # opened twice: the second finds the index made and keeps it
        store = SQLiteStore(path)
        await store.open()
        try:
            assert await found(store, owner, "ada") == ["we sailed to the island"]
            assert await found(store, owner, "island") == ["we sailed to the island"]
        finally:
            await store.close()
