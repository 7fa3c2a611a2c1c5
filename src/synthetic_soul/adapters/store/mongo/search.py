"""Conversation search in the MongoDB store, within what the user may see.

What the user may see is their direct conversation with the agent and each group channel
they have posted in, from their first post there on (a turn's group context, as
`load_turn` reads it); every query below carries that scope in its filter. Ranked by the
server's text index and its score where it has one, else by the messages' stored stems
(`terms`), ranked here as the memories are (see `domain.relevance`).

By meaning: each message's vector is a field of its own document (`vector`, with the
`vector_model` that made it), so it goes wherever the message goes, forgetting included; the
vectors in scope are read and compared here, exactly (a user's scope is a few thousand).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from synthetic_soul.adapters.store.mongo.memories import text_search
from synthetic_soul.adapters.store.mongo.records import WITHOUT_VECTOR, Doc, message_of
from synthetic_soul.adapters.store.mongo.statements import Db
from synthetic_soul.domain import memory as scoring
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.recall import searched_words
from synthetic_soul.domain.relevance import stems, text_relevance
from synthetic_soul.ports.embeddings import Vector

STEM_SCAN = 2000  # without a text index: matching messages ranked here, most recent first


async def joined_channels(db: Db, conversation_id: str) -> list[tuple[str, int]]:
    """Each channel the user has posted in, with the seq of their first post there."""
    cursor = await db["messages"].aggregate(
        [
            {
                "$match": {
                    "conversation_id": conversation_id,
                    "from_agent": False,
                    "channel": {"$type": "string"},
                }
            },
            {"$group": {"_id": "$channel", "joined": {"$min": "$seq"}}},
        ]
    )
    return [(str(d["_id"]), int(d["joined"])) async for d in cursor]


async def agent_conversations(
    db: Db, agent_name: str, session: AsyncClientSession | None = None
) -> list[str]:
    """The ids of every conversation with the agent: a channel's messages an agent's user
    sees are those said to that agent (the channel's talk with another agent is its own)."""
    cursor = db["conversations"].find({"agent_name": agent_name}, {"_id": 1}, session=session)
    return [str(d["_id"]) async for d in cursor]


async def _scope(db: Db, conversation_id: str, before: float | None) -> Doc:
    seen: list[Doc] = [{"conversation_id": conversation_id, "channel": None}]
    channels = await joined_channels(db, conversation_id)
    if channels:
        mine = await db["conversations"].find_one({"_id": conversation_id}, {"agent_name": 1})
        same_agent = await agent_conversations(db, mine["agent_name"]) if mine else []
        for channel, joined in channels:
            seen.append(
                {
                    "channel": channel,
                    "seq": {"$gte": joined},
                    "conversation_id": {"$in": same_agent},
                }
            )
    scope: Doc = {"$or": seen}
    if before is not None:
        scope["timestamp"] = {"$lt": before}
    return scope


async def _text_matches(db: Db, scope: Doc, query: str, k: int) -> list[tuple[Message, float]]:
    search = text_search(query)
    if search is None:
        return []
    score = {"$meta": "textScore"}
    cursor = (
        db["messages"]
        .find({"$text": {"$search": search}, **scope}, {"score": score})
        .sort([("score", score), ("seq", -1)])
        .limit(k)
    )
    return [(message_of(d), float(d["score"])) async for d in cursor]


async def _stem_matches(db: Db, scope: Doc, query: str, k: int) -> list[tuple[Message, float]]:
    wanted = sorted(set(stems(scoring.query_words(query))))
    if not wanted:
        return []
    cursor = (
        db["messages"]
        .find({**scope, "terms": {"$in": wanted}}, WITHOUT_VECTOR)
        .sort("seq", -1)
        .limit(STEM_SCAN)
    )
    docs = [d async for d in cursor]
    if not docs:
        return []
    total = await db["messages"].count_documents(scope)
    frequency = Counter(t for d in docs for t in d["terms"] if t in wanted)
    counted = (wanted, frequency, total)
    ranked = [
        (d, text_relevance(searched_words(d["sender_username"], d["message"]), *counted))
        for d in docs
    ]
    ranked.sort(key=lambda pair: (-pair[1], -pair[0]["seq"]))
    return [(message_of(d), relevance) for d, relevance in ranked[:k]]


async def search(
    db: Db, conversation_id: str, query: str, k: int, before: float | None, text_index: bool
) -> list[tuple[Message, float]]:
    """The k best matches among what the conversation's user may see, best first."""
    if k <= 0:
        return []
    scope = await _scope(db, conversation_id, before)
    matches = _text_matches if text_index else _stem_matches
    return await matches(db, scope, query, k)


async def adjacent(
    db: Db, conversation_id: str, ids: Sequence[str], before: float | None
) -> dict[str, tuple[Message | None, Message | None]]:
    """For each message of `ids` the user may see, the one just before it and the one just
    after it in its place (the direct conversation, or its channel), within what they see.

    Two reads whatever the number of ids: the place and seq of every message in scope (as
    the search by meaning reads every vector in scope), then the neighbours chosen, whole.
    """
    if not ids:
        return {}
    scope = await _scope(db, conversation_id, before)
    cursor = db["messages"].find(scope, {"seq": 1, "channel": 1}).sort("seq", 1)
    places: dict[str | None, list[str]] = {}  # a channel (None: direct) -> its ids in order
    where: dict[str, tuple[str | None, int]] = {}
    async for d in cursor:
        thread = places.setdefault(d.get("channel"), [])
        where[d["_id"]] = (d.get("channel"), len(thread))
        thread.append(d["_id"])
    pairs: dict[str, tuple[str | None, str | None]] = {}
    for mid in dict.fromkeys(ids):
        if mid not in where:
            continue
        channel, i = where[mid]
        thread = places[channel]
        pairs[mid] = (
            thread[i - 1] if i > 0 else None,
            thread[i + 1] if i + 1 < len(thread) else None,
        )
    wanted = sorted({n for pair in pairs.values() for n in pair if n is not None})
    found = {
        d["_id"]: message_of(d)
        async for d in db["messages"].find({"_id": {"$in": wanted}}, WITHOUT_VECTOR)
    }
    return {
        mid: (found.get(b) if b else None, found.get(a) if a else None)
        for mid, (b, a) in pairs.items()
    }


# -- by meaning -------------------------------------------------------------------------------
async def unembedded(db: Db, conversation_id: str, model: str, limit: int) -> list[Message]:
    """The conversation's messages without a vector of `model`, oldest first."""
    cursor = (
        db["messages"]
        .find({"conversation_id": conversation_id, "vector_model": {"$ne": model}}, WITHOUT_VECTOR)
        .sort("seq", 1)
        .limit(limit)
    )
    return [message_of(d) async for d in cursor]


async def attach(db: Db, model: str, vectors: Sequence[tuple[str, Vector]]) -> None:
    """Each message's vector in place of the one it had; a message that is gone, passed over."""
    if vectors:
        await db["messages"].bulk_write(
            [
                UpdateOne({"_id": mid}, {"$set": {"vector": list(v), "vector_model": model}})
                for mid, v in vectors
            ],
            ordered=False,
        )


async def nearest(
    db: Db,
    conversation_id: str,
    model: str,
    vector: Vector,
    k: int,
    before: float | None,
) -> list[tuple[Message, float]]:
    """The k messages in the user's scope nearest `vector`, best first, with their cosine:
    the vectors in scope read (ids only beside them), compared at once, the k read whole."""
    if k <= 0:
        return []
    scope = await _scope(db, conversation_id, before)
    cursor = db["messages"].find({**scope, "vector_model": model}, {"vector": 1, "seq": 1})
    docs = [d async for d in cursor]
    if not docs:
        return []
    matrix = np.array([d["vector"] for d in docs], dtype=np.float32)
    similarity = matrix @ np.asarray(vector, dtype=np.float32)
    best = range(len(docs)) if k >= len(docs) else np.argpartition(-similarity, k - 1)[:k]
    # Of equal similarity, the later message first (as the search by words orders ties).
    chosen = sorted((int(i) for i in best), key=lambda i: (-similarity[i], -docs[i]["seq"]))
    ids = [docs[i]["_id"] for i in chosen]
    found = {
        d["_id"]: message_of(d)
        async for d in db["messages"].find({"_id": {"$in": ids}}, WITHOUT_VECTOR)
    }
    return [(found[docs[i]["_id"]], float(similarity[i])) for i in chosen]
