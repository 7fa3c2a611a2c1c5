"""Conversation search in the MongoDB store, within what the user may see.

What the user may see is their direct conversation with the agent and each group channel
they have posted in, from their first post there on (a turn's group context, as
`load_turn` reads it); every query below carries that scope in its filter. Ranked by the
server's text index and its score where it has one, else by the messages' stored stems
(`terms`), ranked here as the memories are (see `domain.relevance`).
"""

from __future__ import annotations

from collections import Counter

from synthetic_soul.adapters.store.mongo.memories import text_search
from synthetic_soul.adapters.store.mongo.records import Doc, message_of
from synthetic_soul.adapters.store.mongo.statements import Db
from synthetic_soul.domain import memory as scoring
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.relevance import stems, text_relevance

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


async def _scope(db: Db, conversation_id: str, before: float | None) -> Doc:
    seen: list[Doc] = [{"conversation_id": conversation_id, "channel": None}]
    for channel, joined in await joined_channels(db, conversation_id):
        seen.append({"channel": channel, "seq": {"$gte": joined}})
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
        db["messages"].find({**scope, "terms": {"$in": wanted}}).sort("seq", -1).limit(STEM_SCAN)
    )
    docs = [d async for d in cursor]
    if not docs:
        return []
    total = await db["messages"].count_documents(scope)
    frequency = Counter(t for d in docs for t in d["terms"] if t in wanted)
    ranked = [(d, text_relevance(d["message"], wanted, frequency, total)) for d in docs]
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
