"""Recall of what was said, by meaning and by words: the one path replies and the LoCoMo
bench ask (bench/locomo.py).

A recall embeds the query (`Embedder`), asks the store for the messages the user may see
that match its words (`search_messages`) and those whose vectors are nearest its own
(`nearest_messages`), each `DEPTH` deep, and fuses the two rankings by reciprocal rank
(`domain.recall.fused`, the weights and why there); if the query cannot be embedded, by
words alone. When the query names a speaker, the words are searched again without the
name (`domain.recall.without_names`), and the best few word matches give the messages
beside them a share of their relevance before the fusion. Then the best few fused give the
messages said just before and after them a share of their score (`adjacent_messages`,
`domain.recall.shared`: an answer follows the question that holds the words), and each
score is weighed by who said the message and whether it only asks
(`domain.recall.weighed`). Last, with a reranker (`RERANKER=local`), the best
`RERANK_DEPTH` are read again with the query by a cross-encoder and its order fused with
theirs (`domain.recall.reranked`). Recency and importance are not weighed: a
message has no importance of its own, and Generative Agents' recency (0.5 against 3 for
relevance, recency 0.995 an hour, min-max scaled) lowered LoCoMo's recall@10 (0.729 to
0.726, multi-hop 0.447 to 0.422; 0.2: 0.727 / 0.435): its questions reach back months as
often as days.

When vectors are made: never on the reply's critical path. A message is written without one
(by `submit_message` or a reply's commit) and is found by words at once; `embed_new` gives a
user's messages their vectors afterwards, in batches, oldest first, and is meant to run as a
low-priority follow-up of each reply (queued beside the reflection a reply asks for), so the
vectors trail the conversation by one reply. It embeds whatever lacks a vector of the
current model, so it also fills in a conversation older than recall by meaning, and again
everything after the embedder's model changes (vectors of different models are never
compared: each is stored with its model's key).

The reranker is the slow part (a cross-encoder's pass for each of 30 messages: hundreds of
milliseconds on a small CPU, where the rest takes tens). Its scores are kept, by query and
message text, for the last `SCORES_KEPT` pairs: the read-ahead recalls for the next reply
while idle, and the reply, asking the same with the same messages found, reads the scores
kept rather than the model. A message found anew is scored; nothing kept can be stale, since
a score depends on nothing but the two texts. What is kept is a digest of the two texts and
the score, never the words, so a forgotten user's talk does not linger in this process.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict

from synthetic_soul import ports
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.recall import (
    MEANING_WEIGHT,
    RERANK_DEPTH,
    SHARERS,
    WORDS_WEIGHT,
    embedded_text,
    fused,
    named_speakers,
    reranked,
    shared,
    weighed,
    without_names,
)
from synthetic_soul.domain.timeframe import timeframe
from synthetic_soul.ports.embeddings import EmbeddingError, Vector
from synthetic_soul.ports.reranking import RerankError

log = logging.getLogger(__name__)

DEPTH = 100  # of each ranking fused: past it, reciprocal ranks change almost nothing
EMBED_BATCH = 256  # messages read, embedded and stored in one round
SCORES_KEPT = 4096  # the reranker's latest (query, text) scores


class Recall:
    def __init__(
        self,
        store: ports.Conversations,
        embedder: ports.Embedder | None,
        reranker: ports.Reranker | None = None,
    ) -> None:
        self._store = store
        self._embedder = embedder  # None: recall by words alone, and no vectors are made
        self._reranker = reranker  # None: the order the searches gave
        self._kept: OrderedDict[bytes, float] = OrderedDict()  # by `_pair`

    @property
    def by_meaning(self) -> bool:
        return self._embedder is not None

    @property
    def model(self) -> str:
        """The key the vectors are stored under: whose model made them."""
        if self._embedder is None:
            raise RuntimeError("recall by words alone makes no vectors")
        info = self._embedder.info
        return f"{info.provider}/{info.model}"

    async def messages(
        self,
        agent_name: str,
        user_id: str,
        query: str,
        k: int,
        before: float | None = None,
        now: float | None = None,
    ) -> list[Message]:
        """The `k` messages the user may see that best recall `query`, best first (`before`,
        a time: only what was said before it). A time the query names counts: a date always,
        a relative phrase ("last week") as of `now`."""
        if k <= 0 or not query.strip():
            return []
        # The query is embedded on the embedder's thread while the store matches its words.
        async with asyncio.TaskGroup() as both:
            embedding = both.create_task(self._embed(query))
            words = await self._store.search_messages(agent_name, user_id, query, DEPTH, before)
        vector = embedding.result()
        meaning = (
            []
            if vector is None
            else await self._store.nearest_messages(
                agent_name, user_id, self.model, vector, DEPTH, before
            )
        )
        said = {m.id: m for m, _ in (*words, *meaning)}
        speakers = sorted({m.sender_username for m in said.values()})
        named = named_speakers(query, speakers, agent_name)
        plain = without_names(query, named)
        if named and plain.strip():
            words = await self._store.search_messages(agent_name, user_id, plain, DEPTH, before)
            said.update((m.id, m) for m, _ in words)
        # The best few of each search, with the messages beside them.
        givers = [m.id for m, _ in (*words[:SHARERS], *meaning[:SHARERS])]
        around = await self._store.adjacent_messages(agent_name, user_id, givers, before)
        said.update((m.id, m) for pair in around.values() for m in pair if m is not None)
        best_words = {m.id for m, _ in words[:SHARERS]}
        by_words = shared(
            {m.id: score for m, score in words},
            said,
            {i: pair for i, pair in around.items() if i in best_words},
        )
        ranked = fused(
            [sorted(by_words, key=lambda i: -by_words[i]), [m.id for m, _ in meaning]],
            [WORDS_WEIGHT, MEANING_WEIGHT],
        )
        best = [i for i, _ in ranked[:SHARERS]]
        unread = [i for i in best if i not in around]
        if unread:
            around |= await self._store.adjacent_messages(agent_name, user_id, unread, before)
            said.update((m.id, m) for pair in around.values() for m in pair if m is not None)
        sharing = {i: around[i] for i in best if i in around}
        when = timeframe(query, now)
        scores = weighed(shared(dict(ranked), said, sharing), said, query, agent_name, when)
        best = sorted(scores, key=lambda i: -scores[i])  # stable: ties keep the fused order
        best = await self._reranked(query, best[:RERANK_DEPTH], said) + best[RERANK_DEPTH:]
        return [said[i] for i in best[:k]]

    async def _reranked(self, query: str, ids: list[str], said: dict[str, Message]) -> list[str]:
        """`ids` reranked (`domain.recall.reranked`); as they are if there is no reranker or
        it failed, which the log says."""
        if self._reranker is None or len(ids) < 2:
            return ids
        texts = [embedded_text(said[i]) for i in ids]
        keys = [_pair(query, t) for t in texts]
        # Read what is kept before the wait: another recall may push it out meanwhile.
        known = {k: self._kept[k] for k in keys if k in self._kept}
        unscored = {k: t for k, t in zip(keys, texts, strict=True) if k not in known}
        if unscored:
            try:
                fresh = await self._reranker.scores(query, list(unscored.values()))
            except RerankError as exc:
                log.warning("recall not reranked: %s", exc)
                return ids
            known.update(zip(unscored, fresh, strict=True))
        for key in keys:
            self._kept[key] = known[key]
            self._kept.move_to_end(key)
        while len(self._kept) > SCORES_KEPT:
            self._kept.popitem(last=False)
        scores = [known[key] for key in keys]
        return reranked(ids, scores)

    async def _embed(self, query: str) -> Vector | None:
        """The query's vector; None if the embedder failed, and the recall is by words alone
        (a reply is not lost to an unreachable embeddings endpoint)."""
        if self._embedder is None:
            return None
        try:
            [vector] = await self._embedder.embed([query])
        except EmbeddingError as exc:
            log.warning("recall by words alone: the query could not be embedded (%s)", exc)
            return None
        return vector

    async def embed_new(self, agent_name: str, user_id: str) -> int:
        """Gives each message of the user's conversation with the agent that has no vector of
        the current model one; how many were embedded."""
        if self._embedder is None:
            return 0
        done = 0
        while True:
            batch = await self._store.unembedded_messages(
                agent_name, user_id, self.model, EMBED_BATCH
            )
            if not batch:
                return done
            vectors = await self._embedder.embed([embedded_text(m) for m in batch])
            await self._store.attach_vectors(
                self.model, [(m.id, v) for m, v in zip(batch, vectors, strict=True)]
            )
            done += len(batch)
            if len(batch) < EMBED_BATCH:
                return done


def _pair(query: str, text: str) -> bytes:
    """What a kept score is found by: a digest of the query and the text, not their words."""
    return hashlib.blake2b(f"{query}\x00{text}".encode(), digest_size=16).digest()
