"""Conversation search in the embedded store: an FTS5 index over every message, kept in step
with the messages table by triggers, BM25-ranked, read within what the user may see.

The index is external-content over a view of the messages, so it holds no second copy of the
text, and 'rebuild' fills it from the messages already written. Its `scope` column is one
token naming the message's direct conversation or its group channel, so that a MATCH ranks
only the rows of the user's conversation and channels instead of everyone's (the SQL filter
on the messages still decides what is seen). Hex, so any id makes one token, ending in a
digit, so the stemmer leaves it alone (as the memories' scope does).
"""

from __future__ import annotations

import sqlite3

from synthetic_soul.adapters.store.sqlite.memories import fts_query
from synthetic_soul.adapters.store.sqlite.records import MESSAGE_COLS, message_of
from synthetic_soul.domain import memory as scoring
from synthetic_soul.domain.conversation import Message

_SCOPE = (
    "CASE WHEN {m}.channel IS NULL THEN 'd' || hex({m}.conversation_id)"
    " ELSE 'g' || hex({m}.channel) END || '0'"
)

# One statement each: they run inside the upgrade's transaction, which a script would end.
INDEX_STATEMENTS = (
    f"CREATE VIEW IF NOT EXISTS messages_indexed AS"
    f" SELECT seq, message, {_SCOPE.format(m='messages')} AS scope FROM messages",
    "CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5("
    " message, scope, content='messages_indexed', content_rowid='seq',"
    " tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages BEGIN"
    " INSERT INTO messages_fts(rowid, message, scope)"
    f" VALUES (new.seq, new.message, {_SCOPE.format(m='new')}); END",
    "CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages BEGIN"
    " INSERT INTO messages_fts(messages_fts, rowid, message, scope)"
    f" VALUES ('delete', old.seq, old.message, {_SCOPE.format(m='old')}); END",
    "CREATE TRIGGER IF NOT EXISTS messages_fts_update"
    " AFTER UPDATE OF message, conversation_id, channel ON messages BEGIN"
    " INSERT INTO messages_fts(messages_fts, rowid, message, scope)"
    f" VALUES ('delete', old.seq, old.message, {_SCOPE.format(m='old')});"
    " INSERT INTO messages_fts(rowid, message, scope)"
    f" VALUES (new.seq, new.message, {_SCOPE.format(m='new')}); END",
)
# The message's words count; the scope token, matched by every row in scope, not at all.
_BM25 = "bm25(messages_fts, 1.0, 0.0)"


def index_messages(db: sqlite3.Connection) -> None:
    """Makes the index and fills it from the messages written before it, once per file.

    In one write transaction: another process opening the file at the same time waits for
    it and then finds the index made and full, and no message is written between the fill
    and the triggers that keep the index in step from then on.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        made = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'messages_fts'"
        ).fetchone()
        if made is None:
            for statement in INDEX_STATEMENTS:
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


def search(
    db: sqlite3.Connection, conversation_id: str, query: str, k: int, before: float | None
) -> list[tuple[Message, float]]:
    """The k best matches among the conversation's direct messages and its user's channels
    (from joining on), best first, with relevance from BM25."""
    match = fts_query(query)
    if match is None or k <= 0:
        return []
    channels = joined_channels(db, conversation_id)
    tokens = " OR ".join(
        [_token("d", conversation_id), *(_token("g", channel) for channel, _ in channels)]
    )
    seen = ["(m.conversation_id = ? AND m.channel IS NULL)"]
    params: list[object] = [f"scope : ({tokens}) AND message : ({match})", conversation_id]
    for channel, joined in channels:
        seen.append("(m.channel = ? AND m.seq >= ?)")
        params += [channel, joined]
    when = ""
    if before is not None:
        when = " AND m.timestamp < ?"
        params.append(before)
    rows = db.execute(
        f"SELECT {MESSAGE_COLS}, f.rank FROM ("
        f"  SELECT rowid, {_BM25} AS rank FROM messages_fts WHERE messages_fts MATCH ?"
        f") f JOIN messages m ON m.seq = f.rowid WHERE ({' OR '.join(seen)}){when}"
        " ORDER BY f.rank, m.seq DESC LIMIT ?",
        (*params, k),
    ).fetchall()
    return [(message_of(r), scoring.relevance_from_bm25(r["rank"])) for r in rows]
