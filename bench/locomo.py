"""Conversation recall on LoCoMo (Maharana et al., ACL 2024): how many of a question's
evidence turns the recall path finds, in process (no HTTP, no chat model).

Each LoCoMo conversation is written through the store port as one user's direct conversation
with the agent: speaker_a's turns as the user's messages, speaker_b's as the agent's, each
under its speaker's name with its words as they are (and, unless `--captions off`, the
caption of a photo it shares after them, "[shares ...]", as the LoCoMo paper renders such a
turn for text-only models), timed from its session's date (turns a
few seconds apart), in one job's commit. Its turns are then given their vectors as the
service gives them (`usecases.recall.Recall.embed_new`: the local all-MiniLM-L6-v2, through
the store's `attach_vectors`; held by the temporary store only, gone with it). Then every
question is asked of the recall path replies use (`Recall.messages`: words and meaning,
fused, then reranked by the local cross-encoder unless `--rerank off`) and scored by
recall@k, the share of its evidence turns (`dia_id`s) among the top k messages found, for
k = 1, 5, 10, 20; per category (1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop,
5 adversarial) and for 1-4 together, with the latency of each query (the full call:
embedding the question, both searches, the neighbours read, the fusion and weighing, and
the reranking, whose share is printed apart).

`--recall words` asks the store's word search alone (`search_messages`, the baseline, no
embedding at all); `--recall meaning` the nearest vectors alone (the question embedded, then
`nearest_messages`).

The data set is CC BY-NC 4.0, for evaluation only: it is read from outside the repository
and nothing of it is written anywhere but the temporary store. The last line printed is one
JSON object: {"questions", "recall": {"1-4", "multi-hop", ...: {"1", "5", "10", "20"}},
"p50_ms", "p99_ms"}.

Run: .venv/bin/python bench/locomo.py [PATH] [--store sqlite|mongo] [--mongo-url URL]
     [--recall fused|words|meaning] [--captions on|off] [--rerank on|off]
(PATH defaults to ../shared/data/locomo-dev.json; --store mongo without a URL starts a
SecantusDB in this process.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchlib import machine, pct
from synthetic_soul.adapters.embeddings.cross_encoder import CrossEncoderReranker
from synthetic_soul.adapters.embeddings.local import LocalEmbedder
from synthetic_soul.adapters.llm.model_files import pull
from synthetic_soul.adapters.store.mongo import MongoStore
from synthetic_soul.adapters.store.sqlite import SQLiteStore
from synthetic_soul.domain.conversation import Message
from synthetic_soul.ports import Embedder, Reranker, Store
from synthetic_soul.ports.commits import AddMessage, FinishJob, Plan
from synthetic_soul.records import Job
from synthetic_soul.settings import Settings
from synthetic_soul.usecases.recall import Recall

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness: tests/support
from tests.support import mongo

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "data" / "locomo-dev.json"
AGENT = "locomo"
AGENT_ID = "locomo-agent"
KS = (1, 5, 10, 20)
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}
ANSWERABLE = (1, 2, 3, 4)  # 5 (adversarial: the answer is not in the conversation) apart
TURN_GAP_S = 5.0  # between turns of one session
SESSION_TIME = "%I:%M %p on %d %B, %Y"  # e.g. "4:05 pm on 3 June, 2021"
# An evidence id: "D8:6"; some are written "D:3:14" for D3:14, or "D2:5; D4:1" for two.
EVIDENCE = re.compile(r"D:?(\d+):(\d+)")


@dataclass(frozen=True)
class Question:
    user_id: str  # whose conversation holds the answer
    text: str
    category: int
    evidence: frozenset[str]


def session_time(text: str) -> float:
    return datetime.strptime(text.strip(), SESSION_TIME).replace(tzinfo=UTC).timestamp()


def evidence_of(ids: Sequence[str]) -> frozenset[str]:
    return frozenset(f"D{s}:{t}" for raw in ids for s, t in EVIDENCE.findall(raw))


def said_text(turn: dict[str, Any], captions: bool) -> str:
    """A turn's words; with `captions`, a shared photo's caption after them, as the LoCoMo
    paper shows such a turn to text-only models ("... [shares a photo of a bowl]"): what a
    user of the service would send as the photo's description."""
    caption = turn.get("blip_caption") if captions else None
    return f"{turn['text']} [shares {caption}]" if caption else str(turn["text"])


def turns_of(
    conversation: dict[str, Any], user_id: str, captions: bool = True
) -> list[tuple[str, Message]]:
    """Every turn as a message (user side: speaker_a), in the order said, with its dia_id."""
    user_name = conversation["speaker_a"]
    said: list[tuple[str, Message]] = []
    sessions = sorted(
        int(key.removeprefix("session_"))
        for key, value in conversation.items()
        if re.fullmatch(r"session_\d+", key) and isinstance(value, list)
    )
    for n in sessions:
        start = session_time(conversation[f"session_{n}_date_time"])
        for i, turn in enumerate(conversation[f"session_{n}"]):
            by_user = turn["speaker"] == user_name
            message = Message(
                id=uuid.uuid4().hex,
                conversation_id="",
                message=said_text(turn, captions),
                timestamp=start + i * TURN_GAP_S,
                sender_id=user_id if by_user else AGENT_ID,
                sender_username=turn["speaker"],
                from_agent=not by_user,
            )
            said.append((turn["dia_id"], message))
    return said


async def load(
    store: Store, item: dict[str, Any], captions: bool = True
) -> tuple[str, dict[str, str]]:
    """Writes one conversation in one job's commit; its user and each message's dia_id."""
    user_id = uuid.uuid4().hex
    said = turns_of(item["conversation"], user_id, captions)
    start = said[0][1].timestamp
    job = Job(uuid.uuid4().hex, user_id, "load", "default", {}, "running", start, start)
    await store.create_job(job)
    writes = [AddMessage(m, opens=(AGENT, user_id)) for _, m in said]
    await store.commit(Plan(job.id, start, (*writes, FinishJob(job.id, {}))))
    return user_id, {m.id: dia_id for dia_id, m in said}


async def recall(
    how: str, store: Store, recalls: Recall, embedder: Embedder, user_id: str, question: str, k: int
) -> list[Message]:
    """The recall path replies use (`fused`), or one of its two halves alone."""
    if how == "fused":
        return await recalls.messages(AGENT, user_id, question, k)
    if how == "words":
        found = await store.search_messages(AGENT, user_id, question, k)
    else:
        [vector] = await embedder.embed([question])
        found = await store.nearest_messages(AGENT, user_id, recalls.model, vector, k)
    return [m for m, _ in found]


@asynccontextmanager
async def _open(store: Store) -> AsyncIterator[Store]:
    await store.open()
    try:
        yield store
    finally:
        await store.close()


@asynccontextmanager
async def _mongo(uri: str) -> AsyncIterator[Store]:
    """A database of the bench's own on the server at `uri`, dropped afterwards."""
    database = mongo.database_name()
    try:
        async with _open(MongoStore(uri, database)) as store:
            yield store
    finally:
        mongo.drop_database(uri, database)


@asynccontextmanager
async def opened(kind: str, mongo_url: str | None) -> AsyncIterator[Store]:
    """A fresh store of the kind asked for, in a temporary place, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="locomo-") as folder:
            async with _open(SQLiteStore(Path(folder) / "soul.sqlite3")) as store:
                yield store
    elif mongo_url is not None:
        async with _mongo(mongo_url) as store:
            yield store
    else:
        server = mongo.in_process()
        try:
            async with _mongo(server.uri) as store:
                yield store
        finally:
            server.stop()


def mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


class TimedReranker:
    """The reranker, with the time each of its calls took."""

    def __init__(self, reranker: Reranker) -> None:
        self.reranker = reranker
        self.took_ms: list[float] = []

    @property
    def info(self) -> Any:
        return self.reranker.info

    async def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        t0 = time.perf_counter()
        try:
            return await self.reranker.scores(query, texts)
        finally:
            self.took_ms.append((time.perf_counter() - t0) * 1000)

    async def close(self) -> None:
        await self.reranker.close()


async def run(
    items: list[dict[str, Any]],
    kind: str,
    mongo_url: str | None,
    how: str,
    captions: bool,
    rerank: bool,
) -> dict[str, Any]:
    settings = Settings(_env_file=None)
    config = settings.embedding
    pull(config.model, config.directory)
    embedder = LocalEmbedder(config)
    reranker = None
    if rerank and how == "fused":
        pull(settings.reranking.model, settings.reranking.directory)
        reranker = TimedReranker(CrossEncoderReranker(settings.reranking))
        print(f"reranker: {reranker.info.model}")
    async with opened(kind, mongo_url) as store:
        recalls = Recall(store, embedder, reranker)
        began = time.perf_counter()
        questions: list[Question] = []
        dia: dict[str, str] = {}  # message id -> dia_id
        users: list[str] = []
        for item in items:
            user_id, ids = await load(store, item, captions)
            users.append(user_id)
            dia.update(ids)
            questions += [
                Question(user_id, q["question"], int(q["category"]), evidence_of(q["evidence"]))
                for q in item["qa"]
            ]
        print(
            f"loaded {len(items)} conversations, {len(dia)} turns,"
            f" in {time.perf_counter() - began:.1f} s ({kind})"
        )
        if how != "words":
            began = time.perf_counter()
            embedded = sum([await recalls.embed_new(AGENT, user_id) for user_id in users])
            took = time.perf_counter() - began
            print(f"embedded {embedded} turns in {took:.1f} s ({embedder.info.model})")
        asked = [q for q in questions if q.evidence]
        left_out = len(questions) - len(asked)
        print(f"{len(asked)} questions with evidence, {left_out} without (left out)")
        scores: dict[int, list[dict[int, float]]] = {c: [] for c in CATEGORIES}
        latencies: list[float] = []
        for q in asked:
            t0 = time.perf_counter()
            found = await recall(how, store, recalls, embedder, q.user_id, q.text, max(KS))
            latencies.append((time.perf_counter() - t0) * 1000)
            ranked = [dia[m.id] for m in found]
            scores[q.category].append(
                {k: len(q.evidence.intersection(ranked[:k])) / len(q.evidence) for k in KS}
            )

    await embedder.close()
    if reranker is not None:
        await reranker.close()

    def recall_at(rows: list[dict[int, float]]) -> dict[str, float]:
        return {str(k): mean([r[k] for r in rows]) for k in KS}

    answerable = [r for c in ANSWERABLE for r in scores[c]]
    table = {"1-4": recall_at(answerable)} | {
        name: recall_at(scores[c]) for c, name in CATEGORIES.items()
    }
    counts = {"1-4": len(answerable)} | {name: len(scores[c]) for c, name in CATEGORIES.items()}
    print(f"{'recall@k':<14}{'n':>6}" + "".join(f"{'@' + str(k):>8}" for k in KS))
    for name, row in table.items():
        print(f"{name:<14}{counts[name]:>6}" + "".join(f"{row[str(k)]:>8.3f}" for k in KS))
    p50, p99 = round(pct(latencies, 50), 2), round(pct(latencies, 99), 2)
    print(f"latency per query: p50 {p50} ms, p99 {p99} ms, max {max(latencies):.2f} ms")
    if reranker is not None and reranker.took_ms:
        r50, r99 = round(pct(reranker.took_ms, 50), 2), round(pct(reranker.took_ms, 99), 2)
        print(f"of which reranking: p50 {r50} ms, p99 {r99} ms ({len(reranker.took_ms)} calls)")
    return {"questions": len(asked), "recall": table, "p50_ms": p50, "p99_ms": p99}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    p.add_argument("--store", choices=("sqlite", "mongo"), default="sqlite")
    p.add_argument("--mongo-url", help="a MongoDB replica set (default: SecantusDB in process)")
    p.add_argument(
        "--recall",
        choices=("fused", "words", "meaning"),
        default="fused",
        help="fused: the service's path (default); words or meaning: one half alone",
    )
    p.add_argument(
        "--captions",
        choices=("on", "off"),
        default="on",
        help="on: a turn's shared photo's caption after its words, '[shares ...]' (default)",
    )
    p.add_argument(
        "--rerank",
        choices=("on", "off"),
        default="on",
        help="on: the best 30 read again by the local cross-encoder, as the service does",
    )
    args = p.parse_args()
    path: Path = args.path.resolve()
    if not path.is_file():
        sys.exit(f"locomo: no data set at {path} (LoCoMo JSON; see ../shared/data/README.md)")
    print(f"machine: {machine()}")
    items = json.loads(path.read_text())
    print(f"recall: {args.recall}, captions: {args.captions}, rerank: {args.rerank}")
    captions, rerank = args.captions == "on", args.rerank == "on"
    done = run(items, args.store, args.mongo_url, args.recall, captions, rerank)
    print(json.dumps(asyncio.run(done)))


if __name__ == "__main__":
    main()
