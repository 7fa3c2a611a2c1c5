"""Conversation recall's latency as the store grows: the path replies use (`Recall.messages`:
the query embedded by the local embedder (bge-small-en), the word search and the exact search
by meaning over the user's scope, fused), in process, on the embedded store. Without the
reranking, whose cost (30 pairs read by the cross-encoder) does not grow with the store:
bench/locomo.py prints it.

One temporary SQLite store grows through --sizes (default 1k, 10k, 100k messages) spread over
--users conversations (default 100: at 100k, 1,000 messages a user's scope), each message a
synthetic sentence (memory_retrieval.py's word generator) with a vector attached through the
store port. The vectors are random unit vectors, not embeddings (embedding 100k messages
takes about 20 minutes here): the exact search's cost does not depend on their values, so the
latency is the service's, while what is found means nothing. At each size, --queries queries
(a random user each) are timed: p50/p90/p99/max, ms, the full call. `--scope N` puts every
message in one user's conversation instead, to see the exact search against a larger scope.

Run: .venv/bin/python bench/message_retrieval.py [--sizes 1000,10000,100000] [--users 100]
     [--queries 200] [--scope]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from benchlib import fmt, machine, summary
from memory_retrieval import episode, query
from synthetic_soul.adapters.embeddings.local import LocalEmbedder
from synthetic_soul.adapters.llm.model_files import pull
from synthetic_soul.adapters.store.sqlite import SQLiteStore
from synthetic_soul.domain.conversation import Message
from synthetic_soul.ports.commits import AddMessage, FinishJob, Plan
from synthetic_soul.records import Job
from synthetic_soul.settings import Settings
from synthetic_soul.usecases.recall import Recall

AGENT = "bench"
BATCH = 5000
K = 10
T_END = 1_700_000_000.0
YEAR_S = 365 * 86400.0


async def grow(
    store: SQLiteStore, recall: Recall, rng: random.Random, users: list[str], have: int, want: int
) -> float:
    """Adds messages (each with a random unit vector) up to `want`; messages added a second."""
    dims = 384
    t0 = time.perf_counter()
    for start in range(have, want, BATCH):
        count = min(BATCH, want - start)
        owners = [users[(start + i) % len(users)] for i in range(count)]
        said = [
            Message(
                uuid.uuid4().hex,
                "",
                episode(rng)[0],
                T_END - YEAR_S + (start + i) * 60.0,
                owner,
                owner[:8],
                from_agent=False,
            )
            for i, owner in enumerate(owners)
        ]
        job = Job(uuid.uuid4().hex, owners[0], "load", "default", {}, "running", T_END, T_END)
        await store.create_job(job)
        writes = [
            AddMessage(m, opens=(AGENT, owner)) for m, owner in zip(said, owners, strict=True)
        ]
        await store.commit(Plan(job.id, T_END, (*writes, FinishJob(job.id, {}))))
        vectors = np.random.default_rng(start).standard_normal((count, dims)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        await store.attach_vectors(
            recall.model, [(m.id, tuple(v.tolist())) for m, v in zip(said, vectors, strict=True)]
        )
    return (want - have) / (time.perf_counter() - t0)


async def latencies(recall: Recall, rng: random.Random, users: list[str], n: int) -> list[float]:
    took: list[float] = []
    for _ in range(n):
        user, text = rng.choice(users), query(rng)
        t0 = time.perf_counter()
        found = await recall.messages(AGENT, user, text, K)
        took.append((time.perf_counter() - t0) * 1000.0)
        assert len(found) == K and all(m.sender_id == user for m in found)
    return took


async def run(sizes: list[int], users: int, queries: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    owners = [f"user-{n:03d}" for n in range(users)]
    config = Settings(_env_file=None).embedding
    pull(config.model, config.directory)
    embedder = LocalEmbedder(config)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-messages-") as tmp:
        store = SQLiteStore(Path(tmp) / "soul.sqlite3")
        await store.open()
        recall = Recall(store, embedder)
        try:
            have = 0
            for size in sizes:
                rate = await grow(store, recall, rng, owners, have, size)
                have = size
                await latencies(recall, rng, owners, 10)  # the model loaded, the pages read
                s = summary(await latencies(recall, rng, owners, queries), 3)
                scope = size // users
                print(
                    f"{size:>7} messages ({scope} a user): recall {fmt(s)}  insert {rate:>7.0f}/s"
                )
                results.append(
                    {"messages": size, "scope": scope, "recall_ms": s, "insert_per_s": round(rate)}
                )
        finally:
            await store.close()
            await embedder.close()
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--scope", action="store_true", help="every message in one user's scope")
    args = p.parse_args()
    sizes = sorted(int(x) for x in args.sizes.split(","))
    print(f"machine: {machine()}")
    users = 1 if args.scope else args.users
    results = asyncio.run(run(sizes, users, args.queries, args.seed))
    print(json.dumps({"bench": "message_retrieval", "users": users, "results": results}))


if __name__ == "__main__":
    main()
