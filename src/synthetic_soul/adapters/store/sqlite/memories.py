"""Episodic memories in the embedded store: a table, an FTS5 index over it, scoped recall.

Scope is the privacy rule of the mind: for user X a recall sees memories about X and about
no one; a listing sees only those about X. Every query below carries that scope in SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

from synthetic_soul.adapters.store.sqlite.base import SQLiteBase
from synthetic_soul.adapters.store.sqlite.records import record_of
from synthetic_soul.domain import memory as scoring
from synthetic_soul.domain.memory import Memory

FTS_CANDIDATES = 100  # best full-text matches considered per recall
RECENT_CANDIDATES = 50  # most recently recalled (or made) memories considered per recall

# An external-content FTS5 table over (event, thoughts, tags), kept in sync by triggers.
# Tags are stored as a JSON array; the tokenizer reads through the brackets and quotes.
# `scope` is one token naming (agent, user or no one), so that a MATCH ranks only the rows
# in scope instead of every user's (the SQL filter on user_id still decides what is seen).
# It is hex, so any id makes one token, and ends in a digit, so the stemmer leaves it alone.
MEMORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS memories (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    agent_id TEXT NOT NULL,
    user_id TEXT,
    event TEXT NOT NULL,
    thoughts TEXT NOT NULL,
    significance TEXT NOT NULL,
    importance INTEGER NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    emotional_impact TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'episode',
    sources TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    last_accessed REAL NOT NULL,
    recall_count INTEGER NOT NULL DEFAULT 0,
    scope TEXT GENERATED ALWAYS AS (
        'a' || hex(agent_id) || CASE WHEN user_id IS NULL THEN 'n' ELSE 'u' || hex(user_id) END
        || '0'
    ) VIRTUAL
);
CREATE INDEX IF NOT EXISTS memories_by_created ON memories(agent_id, user_id, created_at);
CREATE INDEX IF NOT EXISTS memories_by_accessed ON memories(agent_id, user_id, last_accessed);
CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts USING fts5(
    event, thoughts, tags, scope,
    content='memories', content_rowid='seq', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS memories_fts_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts(rowid, event, thoughts, tags, scope)
    VALUES (new.seq, new.event, new.thoughts, new.tags, new.scope);
END;
CREATE TRIGGER IF NOT EXISTS memories_fts_delete AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts(memories_fts, rowid, event, thoughts, tags, scope)
    VALUES ('delete', old.seq, old.event, old.thoughts, old.tags, old.scope);
END;
CREATE TRIGGER IF NOT EXISTS memories_fts_update
AFTER UPDATE OF event, thoughts, tags, agent_id, user_id ON memories BEGIN
    INSERT INTO memories_fts(memories_fts, rowid, event, thoughts, tags, scope)
    VALUES ('delete', old.seq, old.event, old.thoughts, old.tags, old.scope);
    INSERT INTO memories_fts(rowid, event, thoughts, tags, scope)
    VALUES (new.seq, new.event, new.thoughts, new.tags, new.scope);
END;
"""

_COLS = (
    "m.seq, m.id, m.agent_id, m.user_id, m.event, m.thoughts, m.significance, m.importance,"
    " m.tags, m.emotional_impact, m.kind, m.sources, m.created_at, m.last_accessed,"
    " m.recall_count"
)
# A tag match counts most, a thought least; the scope token, matched by every row, not at all.
_BM25 = "bm25(memories_fts, 1.0, 0.75, 1.5, 0.0)"


def fts_query(text: str) -> str | None:
    """A MATCH expression that ORs the text's words, each a quoted string; None if no words.

    Only word characters reach the expression, each inside double quotes, so nothing a user
    types (quotes, `*`, `-`, `:`, `NEAR(`, `AND`) is read as FTS5 syntax.
    """
    words = scoring.query_words(text)
    if not words:
        return None
    return " OR ".join(f'"{w}"' for w in words)


def scope_tokens(agent_id: str, user_id: str | None) -> str:
    """The FTS5 expression for the rows a recall may see; mirrors the `scope` column."""
    agent = "a" + agent_id.encode().hex()
    own = f'"{agent}n0"'
    if user_id is None:
        return own
    return f'"{agent}u{user_id.encode().hex()}0" OR {own}'


def _memory(row: sqlite3.Row) -> Memory:
    tags, sources = tuple(json.loads(row["tags"])), tuple(json.loads(row["sources"]))
    return record_of(Memory, row, tags=tags, sources=sources)


def _scope(user_id: str | None) -> tuple[str, tuple[Any, ...]]:
    """What a recall for `user_id` may see: memories about them, or about no one."""
    if user_id is None:
        return "m.user_id IS NULL", ()
    return "(m.user_id = ? OR m.user_id IS NULL)", (user_id,)


def _recent(
    db: sqlite3.Connection, agent_id: str, user_id: str | None, limit: int
) -> list[sqlite3.Row]:
    # One indexed range per scope, merged: an OR in one query would sort the whole scope.
    scopes: list[tuple[str, tuple[str, ...]]] = [("m.user_id IS NULL", ())]
    if user_id is not None:
        scopes.append(("m.user_id = ?", (user_id,)))
    found: list[sqlite3.Row] = []
    for scope, params in scopes:
        found += db.execute(
            f"SELECT {_COLS} FROM memories m WHERE m.agent_id = ? AND {scope}"
            " ORDER BY m.last_accessed DESC LIMIT ?",
            (agent_id, *params, limit),
        ).fetchall()
    if user_id is None:
        return found
    return sorted(found, key=lambda r: -r["last_accessed"])[:limit]


def _matches(
    db: sqlite3.Connection, agent_id: str, user_id: str | None, match: str, limit: int
) -> list[tuple[sqlite3.Row, float]]:
    # Rank inside FTS5 first and join only the best: the join and sort then touch `limit` rows.
    scope, params = _scope(user_id)
    expression = (
        f"scope : ({scope_tokens(agent_id, user_id)}) AND {{event thoughts tags}} : ({match})"
    )
    rows = db.execute(
        f"SELECT {_COLS}, f.rank FROM ("
        f"  SELECT rowid, {_BM25} AS rank FROM memories_fts WHERE memories_fts MATCH ?"
        "   ORDER BY rank LIMIT ?"
        ") f JOIN memories m ON m.seq = f.rowid"
        f" WHERE m.agent_id = ? AND {scope} ORDER BY f.rank",
        (expression, limit, agent_id, *params),
    ).fetchall()
    return [(r, scoring.relevance_from_bm25(r["rank"])) for r in rows]


def _insert(db: sqlite3.Connection, m: Memory) -> None:
    db.execute(
        "INSERT INTO memories (id, agent_id, user_id, event, thoughts, significance, importance,"
        " tags, emotional_impact, kind, sources, created_at, last_accessed, recall_count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        (
            m.id,
            m.agent_id,
            m.user_id,
            m.event,
            m.thoughts,
            m.significance,
            m.importance,
            json.dumps(list(m.tags)),
            m.emotional_impact,
            m.kind,
            json.dumps(list(m.sources)),
            m.created_at,
            m.last_accessed,
            m.recall_count,
        ),
    )


def _scoped(db: sqlite3.Connection, m: Memory, batch: dict[str, Memory]) -> Memory:
    """An insight takes the scope of its sources (see `scoring.insight_scope`)."""
    if m.kind != "insight" or not m.sources:
        return m
    users: list[str | None] = [batch[s].user_id for s in m.sources if s in batch]
    stored = [s for s in m.sources if s not in batch]
    if stored:
        marks = ",".join("?" * len(stored))
        users += [
            r[0] for r in db.execute(f"SELECT user_id FROM memories WHERE id IN ({marks})", stored)
        ]
    user_id = scoring.insight_scope(m.user_id, users)
    return m if user_id == m.user_id else replace(m, user_id=user_id)


def insert_memories(db: sqlite3.Connection, memories: Sequence[Memory]) -> None:
    """Writes the memories (checked by the caller) inside the caller's transaction."""
    batch: dict[str, Memory] = {}
    for m in memories:  # in order, so an insight may cite episodes earlier in the batch
        scoped = _scoped(db, m, batch)
        batch[m.id] = scoped
        _insert(db, scoped)


class MemoryTables(SQLiteBase):
    SCHEMAS: ClassVar[tuple[str, ...]] = (MEMORY_SCHEMA,)

    async def add_memories(self, memories: Sequence[Memory]) -> None:
        """Adds each memory once: adding one with a known id again changes nothing."""
        for m in memories:
            scoring.check(m)

        await self._run(lambda db: insert_memories(db, memories))

    async def recall_memories(
        self, agent_id: str, user_id: str | None, query: str, now: float, k: int, mark: bool = True
    ) -> list[Memory]:
        """The k best by recency, importance and relevance; marks them recalled at `now`
        unless `mark` is False."""
        if k <= 0:
            return []
        match = fts_query(query)

        def tx(db: sqlite3.Connection) -> list[Memory]:
            seq_of: dict[str, int] = {}
            found: list[scoring.Candidate] = []
            if match is not None:
                for row, relevance in _matches(db, agent_id, user_id, match, FTS_CANDIDATES):
                    seq_of[row["id"]] = row["seq"]
                    found.append(scoring.Candidate(_memory(row), relevance))
            recent = []
            for row in _recent(db, agent_id, user_id, RECENT_CANDIDATES):
                seq_of[row["id"]] = row["seq"]
                recent.append(_memory(row))
            chosen = scoring.top(scoring.merged(found, recent), now, k)
            if not chosen or not mark:
                return chosen
            seqs = [seq_of[m.id] for m in chosen]
            db.execute(
                "UPDATE memories SET last_accessed = MAX(last_accessed, ?),"
                f" recall_count = recall_count + 1 WHERE seq IN ({','.join('?' * len(seqs))})",
                (now, *seqs),
            )
            return scoring.recalled(chosen, now)

        # A look ahead only reads: it takes no write lock.
        return await (self._run(tx) if mark else self._read(tx))

    async def list_memories(self, agent_id: str, user_id: str) -> list[Memory]:
        """The memories about this user (not those about no one), newest first."""
        rows = await self._read(
            lambda db: db.execute(
                f"SELECT {_COLS} FROM memories m WHERE m.agent_id = ? AND m.user_id = ?"
                " ORDER BY m.created_at DESC, m.seq DESC",
                (agent_id, user_id),
            ).fetchall()
        )
        return [_memory(r) for r in rows]

    async def delete_memory(self, agent_id: str, user_id: str, memory_id: str) -> bool:
        """Deletes the memory only if it is about this user; says whether it did."""
        deleted: int = await self._run(
            lambda db: (
                db.execute(
                    "DELETE FROM memories WHERE id = ? AND agent_id = ? AND user_id = ?",
                    (memory_id, agent_id, user_id),
                ).rowcount
            )
        )
        return deleted == 1
