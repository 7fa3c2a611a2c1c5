"""The local embedder, in process: one item, and a batch of 32. The configured model
(EMBEDDING_MODEL: bge-small-en on ONNX Runtime by default; all-minilm-l6-v2 on numpy).

Texts are memory-like: --items sentences from memory_retrieval.py's generator (an episode
with its thought, or a short message, 10-40 words). Each is embedded alone through the port
(`LocalEmbedder.embed([text])`: the hop to the embedder's thread, tokenizing, the forward
pass, pooling), timed per call; then --batches batches of 32 of them, timed per call. The
model is pulled first if it is not in the cache, loaded by a first call that is not counted,
and warmed by 10 more. The issue's goal: under 20 ms an item on CPU.

The numpy embedder holds numpy's BLAS to one thread (see adapters/embeddings/local.py);
--blas-threads N sets it to N after the model is loaded, to measure what more would give.
ONNX Runtime runs on one thread (adapters/embeddings/onnx.py) whatever --blas-threads says.

Run: [EMBEDDING_MODEL=NAME] .venv/bin/python bench/embedding.py [--items 200] [--batches 20]
     [--blas-threads 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time

from threadpoolctl import ThreadpoolController

from benchlib import fmt, machine, summary
from memory_retrieval import episode, query
from synthetic_soul.adapters.embeddings.local import LocalEmbedder
from synthetic_soul.adapters.llm.model_files import pull
from synthetic_soul.settings import Settings

BATCH = 32


def texts(rng: random.Random, n: int) -> list[str]:
    made = []
    for _ in range(n):
        if rng.random() < 0.7:
            event, thought, _ = episode(rng)
            made.append(f"{event} {thought}")
        else:
            made.append(query(rng))
    return made


async def run(items: int, batches: int, seed: int, blas_threads: int) -> dict[str, object]:
    config = Settings(_env_file=None).embedding
    pull(config.model, config.directory)
    embedder = LocalEmbedder(config)
    sample = texts(random.Random(seed), items)
    try:
        t0 = time.perf_counter()
        await embedder.embed(["load the weights"])
        load_ms = (time.perf_counter() - t0) * 1000.0
        ThreadpoolController().limit(limits=blas_threads, user_api="blas")
        for text in sample[:10]:
            await embedder.embed([text])
        one: list[float] = []
        for text in sample:
            t0 = time.perf_counter()
            await embedder.embed([text])
            one.append((time.perf_counter() - t0) * 1000.0)
        whole: list[float] = []
        for b in range(batches):
            start = b * BATCH % max(1, len(sample) - BATCH)
            t0 = time.perf_counter()
            await embedder.embed(sample[start : start + BATCH])
            whole.append((time.perf_counter() - t0) * 1000.0)
    finally:
        await embedder.close()
    words = sorted(len(t.split()) for t in sample)
    return {
        "model": config.model,
        "load_ms": round(load_ms, 1),
        "one": summary(one),
        "batch": summary(whole),
        "words_p50": words[len(words) // 2],
        "words_max": words[-1],
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--items", type=int, default=200)
    p.add_argument("--batches", type=int, default=20)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--blas-threads", type=int, default=1)
    args = p.parse_args()
    print(f"machine: {machine()}")
    print(f"BLAS threads: {args.blas_threads}")
    r = asyncio.run(run(args.items, args.batches, args.seed, args.blas_threads))
    one, batch = r["one"], r["batch"]
    assert isinstance(one, dict) and isinstance(batch, dict)
    print(f"texts: {args.items}, words p50 {r['words_p50']}, max {r['words_max']}")
    print(f"load (first call): {r['load_ms']} ms")
    print(f"one item:        {fmt(one)}")
    print(f"batch of {BATCH}:     {fmt(batch)}  ({batch['p50'] / BATCH:.2f} ms an item at p50)")
    line = {
        "bench": "embedding",
        "model": r["model"],
        "items": args.items,
        "blas_threads": args.blas_threads,
        "one_p50_ms": one["p50"],
        "one_p99_ms": one["p99"],
        "batch32_p50_ms": batch["p50"],
        "batch32_p99_ms": batch["p99"],
        "batch32_per_item_ms": round(batch["p50"] / BATCH, 2),
        "load_ms": r["load_ms"],
    }
    print(json.dumps(line, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
