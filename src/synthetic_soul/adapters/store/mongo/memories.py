"""Episodic memories in the MongoDB store: a collection, a text index over it, scoped recall.

Scope is the privacy rule of the mind: for user X a recall sees memories about X and about
no one; a listing sees only those about X. Every query below carries that scope in its filter.

Recall ranks as the SQLite store does: the best full-text matches (`$text` and its score
where the server has a text index, else shared word stems: see `relevance`) and the most
recently recalled memories are the candidates, and `domain.memory` scores them by recency,
importance and relevance. `insert_memories` is also how a job's commit writes what it
learned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from synthetic_soul.adapters.store.mongo.base import MongoBase, reachable
from synthetic_soul.adapters.store.mongo.records import Doc, memory_doc, memory_of, without_id
from synthetic_soul.adapters.store.mongo.statements import Db, Tx
from synthetic_soul.domain import memory as scoring
from synthetic_soul.domain.memory import Memory
from synthetic_soul.domain.relevance import relevance, stems

TEXT_CANDIDATES = 100  # best full-text matches considered per recall
RECENT_CANDIDATES = 50  # most recently recalled (or made) memories considered per recall
STEM_SCAN = 500  # without a text index: matching memories ranked here, most recent first


def text_search(text: str) -> str | None:
    """A `$text` search for any of the text's words; None if it has none."""
    return " ".join(scoring.query_words(text)) or None


def _scope(user_id: str | None) -> Doc:
    """What a recall for `user_id` may see: memories about them, or about no one."""
    if user_id is None:
        return {"user_id": None}
    return {"user_id": {"$in": [user_id, None]}}


async def _text_matches(db: Db, scope: Doc, query: str) -> list[tuple[Doc, float]]:
    """The best matches by the server's text index; relevance is its text score."""
    search = text_search(query)
    if search is None:
        return []
    score = {"$meta": "textScore"}
    cursor = (
        db["memories"]
        .find({"$text": {"$search": search}, **scope}, {"score": score})
        .sort([("score", score)])
        .limit(TEXT_CANDIDATES)
    )
    return [(d, float(d["score"])) async for d in cursor]


async def _stem_matches(db: Db, scope: Doc, query: str) -> list[tuple[Doc, float]]:
    """The best matches by shared word stems, ranked here (see `relevance`)."""
    wanted = sorted(set(stems(scoring.query_words(query))))
    if not wanted:
        return []
    cursor = (
        db["memories"]
        .find({**scope, "terms": {"$in": wanted}})
        .sort("last_accessed", -1)
        .limit(STEM_SCAN)
    )
    docs = [d async for d in cursor]
    if not docs:
        return []
    total = await db["memories"].count_documents(scope)
    frequency = Counter(t for d in docs for t in d["terms"] if t in wanted)
    ranked = [(d, relevance(memory_of(d), wanted, frequency, total)) for d in docs]
    ranked.sort(key=lambda pair: -pair[1])
    return ranked[:TEXT_CANDIDATES]


async def _recent(db: Db, agent_id: str, user_id: str | None) -> list[Doc]:
    # One indexed range per scope, merged: an $in would sort the whole scope.
    found: list[Doc] = []
    for owner in [None] if user_id is None else [None, user_id]:
        cursor = (
            db["memories"]
            .find({"agent_id": agent_id, "user_id": owner})
            .sort("last_accessed", -1)
            .limit(RECENT_CANDIDATES)
        )
        found += [d async for d in cursor]
    found.sort(key=lambda d: -float(d["last_accessed"]))
    return found[:RECENT_CANDIDATES]


async def _scoped(db: Db, s: Tx, m: Memory, batch: dict[str, Memory]) -> Memory:
    """An insight takes the scope of its sources (see `scoring.insight_scope`)."""
    if m.kind != "insight" or not m.sources:
        return m
    users: list[str | None] = [batch[x].user_id for x in m.sources if x in batch]
    stored = [x for x in m.sources if x not in batch]
    if stored:
        cursor = db["memories"].find({"_id": {"$in": stored}}, {"user_id": 1}, session=s)
        users += [d.get("user_id") async for d in cursor]
    user_id = scoring.insight_scope(m.user_id, users)
    return m if user_id == m.user_id else replace(m, user_id=user_id)


async def insert_memories(db: Db, s: Tx, memories: Sequence[Memory], first_seq: int) -> None:
    """Writes the memories (checked by the caller) in the caller's transaction; a memory whose
    id is known already is left as it is."""
    batch: dict[str, Memory] = {}
    for m in memories:  # in order, so an insight may cite episodes earlier in the batch
        batch[m.id] = await _scoped(db, s, m, batch)
    writes = [
        UpdateOne({"_id": m.id}, {"$setOnInsert": without_id(memory_doc(m, seq))}, upsert=True)
        for seq, m in enumerate(batch.values(), start=first_seq)
    ]
    if writes:
        await db["memories"].bulk_write(writes, ordered=True, session=s)


class MemoryCollections(MongoBase):
    @reachable
    async def add_memories(self, memories: Sequence[Memory]) -> None:
        """Adds each memory once: adding one with a known id again changes nothing."""
        for m in memories:
            scoring.check(m)
        if not memories:
            return
        first = await self._next_seqs("memories", len(memories))

        async def tx(s: AsyncClientSession) -> None:
            await insert_memories(self.db, s, memories, first)

        await self._transaction(tx)

    @reachable
    async def recall_memories(
        self, agent_id: str, user_id: str | None, query: str, now: float, k: int, mark: bool = True
    ) -> list[Memory]:
        """The k best by recency, importance and relevance; marks them recalled at `now`
        unless `mark` is False."""
        if k <= 0:
            return []
        scope = {"agent_id": agent_id, **_scope(user_id)}
        matches = _text_matches if self.text_index else _stem_matches
        found = [
            scoring.Candidate(memory_of(doc), rel)
            for doc, rel in await matches(self.db, scope, query)
        ]
        recent = [memory_of(doc) for doc in await _recent(self.db, agent_id, user_id)]
        chosen = scoring.top(scoring.merged(found, recent), now, k)
        if not chosen or not mark:
            return chosen
        # One atomic update per memory: a concurrent recall's marks add up, none is lost.
        await self.db["memories"].update_many(
            {"_id": {"$in": [m.id for m in chosen]}},
            {"$max": {"last_accessed": now}, "$inc": {"recall_count": 1}},
        )
        return scoring.recalled(chosen, now)

    @reachable
    async def list_memories(self, agent_id: str, user_id: str) -> list[Memory]:
        """The memories about this user (not those about no one), newest first."""
        cursor = (
            self.db["memories"]
            .find({"agent_id": agent_id, "user_id": user_id})
            .sort([("created_at", -1), ("seq", -1)])
        )
        return [memory_of(d) async for d in cursor]

    @reachable
    async def delete_memory(self, agent_id: str, user_id: str, memory_id: str) -> bool:
        """Deletes the memory only if it is about this user; says whether it did."""
        done = await self.db["memories"].delete_one(
            {"_id": memory_id, "agent_id": agent_id, "user_id": user_id}
        )
        return done.deleted_count == 1
