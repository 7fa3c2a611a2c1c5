"""How relevant a memory is to what was said, by the Snowball ("english") stems of the words
of both, ranked BM25-like with fields weighted as the SQLite store's bm25 weights them.

A store without a full-text index of its own ranks with this: the MongoDB store on a server
without text indexes (each memory keeps `terms`, its stems, which is how MongoDB's text index
stems them too), and the in-memory fake the unit tests use.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

import snowballstemmer

from synthetic_soul.domain.memory import MAX_WORD_CHARS, STOPWORDS, Memory

# A tag match counts most, a thought least (the SQLite store's bm25 weights).
FIELD_WEIGHTS = (("tags", 1.5), ("event", 1.0), ("thoughts", 0.75))
_K1 = 1.2  # BM25's term-frequency saturation
_WORD = re.compile(r"\w+")
_STEMMER = snowballstemmer.stemmer("english")


def stems(words: Iterable[str]) -> list[str]:
    return [str(s) for s in _STEMMER.stemWords(list(words))]


def _field_stems(text: str) -> list[str]:
    words = [
        w
        for w in _WORD.findall(text.lower())
        if 2 <= len(w) <= MAX_WORD_CHARS and w not in STOPWORDS
    ]
    return stems(words)


def _fields(m: Memory) -> dict[str, list[str]]:
    return {
        "tags": _field_stems(" ".join(m.tags)),
        "event": _field_stems(m.event),
        "thoughts": _field_stems(m.thoughts),
    }


def terms_of(m: Memory) -> list[str]:
    """The distinct stems of the memory's event, thoughts and tags, as stored in `terms`."""
    return sorted({s for field in _fields(m).values() for s in field})


def relevance(m: Memory, query: list[str], frequency: dict[str, int], total: int) -> float:
    """BM25-like: each query stem the memory has, rarer ones more, its fields weighted.

    `frequency` is how many memories in scope hold each stem and `total` how many there are.
    0 when the memory has none of the query's stems.
    """
    fields = {name: Counter(found) for name, found in _fields(m).items()}
    score = 0.0
    for stem in query:
        held = frequency.get(stem, 0)
        idf = math.log(1.0 + (total - held + 0.5) / (held + 0.5))
        for name, weight in FIELD_WEIGHTS:
            tf = fields[name][stem]
            score += weight * idf * tf * (_K1 + 1.0) / (tf + _K1)
    return score
