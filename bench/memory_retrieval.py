"""Episodic memory recall on the embedded store, in process (no HTTP).

One temporary SQLite store grows through --sizes (default 1k, 10k, 100k memories) of
synthetic episodes: sentences from a small deterministic word generator, spread over 50 users
and "no one", created over a year, added through `Store.add_memories` in batches. At each
size, `recall_memories(agent, user, query, now, k=5)` runs for --queries short messages
(a random user each) and its latency is reported (p50/p90/p99/max, ms: the full port call,
the hop to the store's thread included), with the insert rate of the growth before it.

Run: .venv/bin/python bench/memory_retrieval.py [--sizes 1000,10000,100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import fmt, machine, summary
from synthetic_soul.adapters.store.sqlite import SQLiteStore
from synthetic_soul.domain.memory import Memory

USERS = 50
BATCH = 5000
K = 5
T_END = 1_700_000_000.0
YEAR_S = 365 * 86400.0
AGENT_ID = "bench-agent"


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split(",")]


# A small vocabulary, drawn with a skew (words early in each list come up more often), so
# some words are common and others rare, as in real chat.
PEOPLE = _words(
    "my sister, my brother, my mom, my dad, my friend, my boss, my neighbour, my cousin,"
    "my partner, my grandmother, an old classmate, my roommate, a stranger, my teacher,"
    "my dog, my cat"
)
VERBS = _words(
    "talked about, worried about, laughed about, cooked, lost, found, painted, fixed, planned,"
    "argued about, dreamed about, remembered, visited, bought, sold, forgot, celebrated,"
    "missed, learned, wrote about, read about, sang about, cleaned, broke, built"
)
THINGS = _words(
    "birthday, garden, guitar, exam, job interview, bicycle, soup, holiday, wedding, novel,"
    "piano, marathon, kitchen, painting, project, recipe, camera, letter, photo album,"
    "old car, movie, concert, chess game, puzzle, tent, boat, telescope, violin, sweater,"
    "cake, podcast, garage, spreadsheet, laptop, thesis, poem, song, map, passport, umbrella,"
    "lantern, notebook, kite, sculpture, aquarium, vineyard, library card, bonsai, quilt"
)
PLACES = _words(
    "at home, at the lake, in the park, at work, at the beach, in the mountains, downtown,"
    "at the library, at the station, in the city, on the train, at the market, in the forest,"
    "at the cafe, at school, at the hospital, in the village, by the river, at the museum"
)
WHEN = _words("yesterday, last week, this morning, tonight, last summer, on sunday, years ago")
FEELINGS = _words(
    "happy, sad, proud, nervous, grateful, curious, tired, excited, lonely, calm, angry,"
    "hopeful, confused, relieved, amused, touched"
)
THOUGHTS = [
    "I think they needed someone to listen.",
    "It reminded me of how much they care.",
    "I want to ask about it again soon.",
    "I felt close to them.",
    "It seemed important to them.",
    "I hope it works out.",
    "I should remember this.",
    "It made me smile.",
    "I was not sure what to say.",
    "They trust me with this.",
]
SIGNIFICANCE = ("low", "medium", "high")


def pick(rng: random.Random, words: list[str]) -> str:
    """Skewed towards the front of the list (roughly Zipf-like)."""
    return words[min(len(words) - 1, int(rng.paretovariate(1.2)) - 1)]


def episode(rng: random.Random) -> tuple[str, str, tuple[str, ...]]:
    person, verb, thing = pick(rng, PEOPLE), pick(rng, VERBS), pick(rng, THINGS)
    event = (
        f"{person.capitalize()} {verb} the {thing} {pick(rng, PLACES)} "
        f"{pick(rng, WHEN)} and felt {pick(rng, FEELINGS)}."
    )
    tags = (thing.split()[-1], person.split()[-1], pick(rng, FEELINGS))
    return event, rng.choice(THOUGHTS), tags[: rng.randint(1, 3)]


def query(rng: random.Random) -> str:
    forms = (
        "do you remember the {t} with {p}?",
        "I {v} the {t} {pl} again",
        "{p} and I {v} my {t}",
        "I feel {f} today",
        "what do you think about my {t}?",
    )
    return rng.choice(forms).format(
        t=pick(rng, THINGS),
        p=pick(rng, PEOPLE),
        v=pick(rng, VERBS),
        pl=pick(rng, PLACES),
        f=pick(rng, FEELINGS),
    )


def user_of(rng: random.Random) -> str | None:
    n = rng.randrange(USERS + 1)
    return None if n == USERS else f"user-{n:02d}"


def memories(rng: random.Random, start: int, count: int) -> list[Memory]:
    made = []
    for i in range(start, start + count):
        event, thoughts, tags = episode(rng)
        created = T_END - rng.random() * YEAR_S
        importance = max(1, min(10, round(rng.gauss(4.5, 2.2))))
        made.append(
            Memory(
                id=f"m{i:07d}",
                agent_id=AGENT_ID,
                user_id=user_of(rng),
                event=event,
                thoughts=thoughts,
                significance=SIGNIFICANCE[min(2, (importance - 1) // 4)],
                importance=importance,
                created_at=created,
                last_accessed=created,
                tags=tags,
                emotional_impact=pick(rng, FEELINGS),
            )
        )
    return made


async def grow(store: SQLiteStore, rng: random.Random, have: int, want: int) -> float:
    """Adds memories up to `want`; returns memories added per second."""
    t0 = time.perf_counter()
    for start in range(have, want, BATCH):
        await store.add_memories(memories(rng, start, min(BATCH, want - start)))
    return (want - have) / (time.perf_counter() - t0)


async def recall_latencies(store: SQLiteStore, rng: random.Random, n: int) -> list[float]:
    took: list[float] = []
    now = T_END + 3600.0
    for _ in range(n):
        user = f"user-{rng.randrange(USERS):02d}"
        text = query(rng)
        t0 = time.perf_counter()
        found = await store.recall_memories(AGENT_ID, user, text, now, K)
        took.append((time.perf_counter() - t0) * 1000.0)
        assert len(found) == K and all(m.user_id in (user, None) for m in found)
        now += 60.0
    return took


async def run(sizes: list[int], queries: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-memories-") as tmp:
        store = SQLiteStore(Path(tmp) / "soul.sqlite3")
        await store.open()
        try:
            have = 0
            for size in sizes:
                rate = await grow(store, rng, have, size)
                have = size
                await recall_latencies(store, rng, 10)  # warm the page cache
                s = summary(await recall_latencies(store, rng, queries), 3)
                db_mb = (Path(tmp) / "soul.sqlite3").stat().st_size / 1e6
                print(
                    f"{size:>7} memories: recall {fmt(s)}  insert {rate:>8.0f}/s  db {db_mb:.1f} MB"
                )
                results.append({"memories": size, "recall_ms": s, "insert_per_s": round(rate)})
        finally:
            await store.close()
    return results


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    sizes = sorted(int(x) for x in args.sizes.split(","))
    print(f"machine: {machine()}")
    results = asyncio.run(run(sizes, args.queries, args.seed))
    line = {
        "bench": "memory_retrieval",
        "k": K,
        "users": USERS,
        "queries": args.queries,
        "runs": [
            {
                "memories": r["memories"],
                "p50_ms": r["recall_ms"]["p50"],
                "p99_ms": r["recall_ms"]["p99"],
                "insert_per_s": r["insert_per_s"],
            }
            for r in results
        ],
    }
    print(json.dumps(line, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
