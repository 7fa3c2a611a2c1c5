"""Conversation search in the embedded store: an FTS5 index over every message, kept in step
with the messages table by triggers, BM25-ranked, read within what the user may see; and the
search by meaning, exact over the vectors of what the user may see (`message_vectors`).

The index is external-content over a view of the messages, so it holds no second copy of the
text, and 'rebuild' fills it from the messages already written. It holds each message's words
and its speaker's name (`speaker`), matched alike. Its `scope` column is one
token naming the message's direct conversation or its group channel, so that a MATCH ranks
only the rows of the user's conversation and channels instead of everyone's (the SQL filter
on the messages still decides what is seen). Hex, so any id makes one token, ending in a
digit, so the stemmer leaves it alone (as the memories' scope does).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from synthetic_soul.adapters.store.sqlite.memories import fts_query
from synthetic_soul.adapters.store.sqlite.records import MESSAGE_COLS, message_of
from synthetic_soul.domain import memory as scoring
from synthetic_soul.domain.conversation import Message
from synthetic_soul.ports.embeddings import Vector

_SCOPE = (
    "CASE WHEN {m}.channel IS NULL THEN 'd' || hex({m}.conversation_id)"
    " ELSE 'g' || hex({m}.channel) END || '0'"
)

_COLUMNS = "message, speaker, scope"


def _row(m: str) -> str:
    return f"{m}.message, {m}.sender_username, {_SCOPE.format(m=m)}"


# One statement each: they run inside the upgrade's transaction, which a script would end.
INDEX_STATEMENTS = (
    "CREATE VIEW messages_indexed AS SELECT seq, message, sender_username AS speaker,"
    f" {_SCOPE.format(m='messages')} AS scope FROM messages",
    f"CREATE VIRTUAL TABLE messages_fts USING fts5({_COLUMNS},"
    " content='messages_indexed', content_rowid='seq', tokenize='porter unicode61')",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
    f" INSERT INTO messages_fts(rowid, {_COLUMNS}) VALUES (new.seq, {_row('new')}); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
    f" INSERT INTO messages_fts(messages_fts, rowid, {_COLUMNS})"
    f" VALUES ('delete', old.seq, {_row('old')}); END",
    "CREATE TRIGGER messages_fts_update"
    " AFTER UPDATE OF message, sender_username, conversation_id, channel ON messages BEGIN"
    f" INSERT INTO messages_fts(messages_fts, rowid, {_COLUMNS})"
    f" VALUES ('delete', old.seq, {_row('old')});"
    f" INSERT INTO messages_fts(rowid, {_COLUMNS}) VALUES (new.seq, {_row('new')}); END",
)
# What an index made before the speaker's name was indexed holds, dropped and made again.
_OLDER = (
    "DROP TRIGGER IF EXISTS messages_fts_insert",
    "DROP TRIGGER IF EXISTS messages_fts_delete",
    "DROP TRIGGER IF EXISTS messages_fts_update",
    "DROP VIEW IF EXISTS messages_indexed",
    "DROP TABLE IF EXISTS messages_fts",
)
# The message's words and its speaker's name count alike; the scope token, matched by every
# row in scope, not at all. The name, since a question names who said a thing and the words
# rarely do (LoCoMo, words alone: recall@10 on categories 1-4 0.545 without, 0.611 with).
_BM25 = "bm25(messages_fts, 1.0, 1.0, 0.0)"


def index_messages(db: sqlite3.Connection) -> None:
    """Makes the index and fills it from the messages written before it, once per file (and
    once more for an index made before it held the speaker's name).

    In one write transaction: another process opening the file at the same time waits for
    it and then finds the index made and full, and no message is written between the fill
    and the triggers that keep the index in step from then on.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        columns = {row[1] for row in db.execute("PRAGMA table_info(messages_fts)")}
        if "speaker" not in columns:
            for statement in (*_OLDER, *INDEX_STATEMENTS):
                db.execute(statement)
            db.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _token(kind: str, key: str) -> str:
    """The scope token of a direct conversation ('d') or a group channel ('g')."""
    return f'"{kind}{key.encode().hex()}0"'


def joined_channels(db: sqlite3.Connection, conversation_id: str) -> list[tuple[str, int]]:
    """Each channel the user has posted in, with the seq of their first post there."""
    rows = db.execute(
        "SELECT channel, MIN(seq) FROM messages WHERE conversation_id = ?"
        " AND channel IS NOT NULL AND from_agent = 0 GROUP BY channel",
        (conversation_id,),
    ).fetchall()
    return [(str(channel), int(joined)) for channel, joined in rows]


# A channel's messages an agent's user sees are those said to that agent: a channel's talk
# with another agent is that agent's (its messages live in conversations with it).
SAME_AGENT = (
    "{m}.conversation_id IN (SELECT id FROM conversations WHERE agent_name ="
    " (SELECT agent_name FROM conversations WHERE id = ?))"
)


def _seen(
    db: sqlite3.Connection, conversation_id: str, before: float | None
) -> tuple[list[tuple[str, int]], str, list[object]]:
    """What the user may see, as a filter on messages `m`: the channels they joined (with
    their first post in each), the SQL condition and its parameters."""
    channels = joined_channels(db, conversation_id)
    seen = ["(m.conversation_id = ? AND m.channel IS NULL)"]
    params: list[object] = [conversation_id]
    for channel, joined in channels:
        seen.append(f"(m.channel = ? AND m.seq >= ? AND {SAME_AGENT.format(m='m')})")
        params += [channel, joined, conversation_id]
    condition = f"({' OR '.join(seen)})"
    if before is not None:
        condition += " AND m.timestamp < ?"
        params.append(before)
    return channels, condition, params


def search(
    db: sqlite3.Connection, conversation_id: str, query: str, k: int, before: float | None
) -> list[tuple[Message, float]]:
    """The k best matches among the conversation's direct messages and its user's channels
    (from joining on), best first, with relevance from BM25."""
    match = fts_query(query)
    if match is None or k <= 0:
        return []
    channels, seen, params = _seen(db, conversation_id, before)
    tokens = " OR ".join(
        [_token("d", conversation_id), *(_token("g", channel) for channel, _ in channels)]
    )
    rows = db.execute(
        f"SELECT {MESSAGE_COLS}, f.rank FROM ("
        f"  SELECT rowid, {_BM25} AS rank FROM messages_fts WHERE messages_fts MATCH ?"
        f") f JOIN messages m ON m.seq = f.rowid WHERE {seen}"
        " ORDER BY f.rank, m.seq DESC LIMIT ?",
        (f"scope : ({tokens}) AND {{message speaker}} : ({match})", *params, k),
    ).fetchall()
    return [(message_of(r), scoring.relevance_from_bm25(r["rank"])) for r in rows]


def adjacent(
    db: sqlite3.Connection, conversation_id: str, ids: Sequence[str], before: float | None
) -> dict[str, tuple[Message | None, Message | None]]:
    """For each message of `ids` the user may see, the one just before it and the one just
    after it in its place (the direct conversation, or its channel), within what they see."""
    if not ids:
        return {}
    _, seen, params = _seen(db, conversation_id, before)
    marks = ", ".join("?" * len(ids))
    found = db.execute(
        f"SELECT m.id, m.seq, m.channel FROM messages m WHERE m.id IN ({marks}) AND {seen}",
        (*ids, *params),
    ).fetchall()

    def beside(place: str, key: str, seq: int, side: str, order: str) -> Message | None:
        row = db.execute(
            f"SELECT {MESSAGE_COLS} FROM messages m WHERE {place} AND m.seq {side} ?"
            f" AND {seen} ORDER BY m.seq {order} LIMIT 1",
            (key, seq, *params),
        ).fetchone()
        return None if row is None else message_of(row)

    around: dict[str, tuple[Message | None, Message | None]] = {}
    for mid, seq, channel in found:
        place, key = (
            ("m.channel = ?", channel)
            if channel is not None
            else ("m.conversation_id = ? AND m.channel IS NULL", conversation_id)
        )
        around[mid] = (beside(place, key, seq, "<", "DESC"), beside(place, key, seq, ">", "ASC"))
    return around


# -- by meaning -------------------------------------------------------------------------------
_FLOAT32 = np.dtype("<f4")


def unembedded(
    db: sqlite3.Connection, conversation_id: str, model: str, limit: int
) -> list[Message]:
    """The conversation's messages without a vector of `model`, oldest first."""
    rows = db.execute(
        f"SELECT {MESSAGE_COLS} FROM messages m LEFT JOIN message_vectors v ON v.seq = m.seq"
        " WHERE m.conversation_id = ? AND (v.model IS NULL OR v.model != ?)"
        " ORDER BY m.seq LIMIT ?",
        (conversation_id, model, limit),
    ).fetchall()
    return [message_of(r) for r in rows]


def attach(db: sqlite3.Connection, model: str, vectors: Sequence[tuple[str, Vector]]) -> None:
    """Each message's vector in place of the one it had; a message that is gone, passed over."""
    db.executemany(
        "INSERT OR REPLACE INTO message_vectors (seq, model, vector)"
        " SELECT seq, ?, ? FROM messages WHERE id = ?",
        [(model, np.asarray(v, dtype=_FLOAT32).tobytes(), mid) for mid, v in vectors],
    )


def nearest(
    db: sqlite3.Connection,
    conversation_id: str,
    model: str,
    vector: Vector,
    k: int,
    before: float | None,
) -> list[tuple[Message, float]]:
    """The k messages in the user's scope nearest `vector`, best first, with their cosine:
    exact, every vector in scope read and compared at once, then the chosen k read whole."""
    if k <= 0:
        return []
    _, seen, params = _seen(db, conversation_id, before)
    rows = db.execute(
        f"SELECT m.seq, v.vector FROM messages m JOIN message_vectors v ON v.seq = m.seq"
        f" WHERE {seen} AND v.model = ?",
        (*params, model),
    ).fetchall()
    if not rows:
        return []
    seqs = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=_FLOAT32).reshape(len(rows), -1)
    similarity = matrix @ np.asarray(vector, dtype=np.float32)
    chosen = _best(similarity, k)
    # Of equal similarity, the later message first (as the search by words orders ties).
    chosen = sorted(chosen, key=lambda i: (-similarity[i], -seqs[i]))
    wanted = [int(seqs[i]) for i in chosen]
    marks = ", ".join("?" * len(wanted))
    found = {
        r["seq"]: message_of(r)
        for r in db.execute(
            f"SELECT m.seq, {MESSAGE_COLS} FROM messages m WHERE m.seq IN ({marks})", wanted
        )
    }
    return [(found[int(seqs[i])], float(similarity[i])) for i in chosen]


def _best(similarity: npt.NDArray[np.float32], k: int) -> list[int]:
    """The indexes of the k highest, in no particular order."""
    if k >= len(similarity):
        return list(range(len(similarity)))
    return [int(i) for i in np.argpartition(-similarity, k - 1)[:k]]
