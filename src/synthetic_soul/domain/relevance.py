"""How relevant a memory or a message is to what was said, by the Snowball ("english") stems
of the words of both, ranked BM25-like with a memory's fields weighted as the SQLite store's
bm25 weights them.

A store without a full-text index of its own ranks with this: the MongoDB store on a server
without text indexes (each memory and message keeps `terms`, its stems, which is how
MongoDB's text index stems them too), and the in-memory fake the unit tests use.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import snowballstemmer

from synthetic_soul.domain.memory import MAX_WORD_CHARS, STOPWORDS, Memory

# A tag match counts most, a thought least (the SQLite store's bm25 weights).
FIELD_WEIGHTS = (("tags", 1.5), ("event", 1.0), ("thoughts", 0.75))
_K1 = 1.2  # BM25's term-frequency saturation
_WORD = re.compile(r"\w+")
_STEMMER = snowballstemmer.stemmer("english")


def stems(words: Iterable[str]) -> list[str]:
    return [str(s) for s in _STEMMER.stemWords(list(words))]


def text_stems(text: str) -> list[str]:
    """The stems of the text's words worth matching, in order, repeats kept."""
    words = [
        w
        for w in _WORD.findall(text.lower())
        if 2 <= len(w) <= MAX_WORD_CHARS and w not in STOPWORDS
    ]
    return stems(words)


def _fields(m: Memory) -> dict[str, list[str]]:
    return {
        "tags": text_stems(" ".join(m.tags)),
        "event": text_stems(m.event),
        "thoughts": text_stems(m.thoughts),
    }


def terms_of(m: Memory) -> list[str]:
    """The distinct stems of the memory's event, thoughts and tags, as stored in `terms`."""
    return sorted({s for field in _fields(m).values() for s in field})


def terms_of_text(text: str) -> list[str]:
    """The distinct stems of a message's words, as stored in its `terms`."""
    return sorted(set(text_stems(text)))


def _bm25(
    fields: dict[str, Counter[str]],
    weights: Sequence[tuple[str, float]],
    query: list[str],
    frequency: dict[str, int],
    total: int,
) -> float:
    """Each query stem the fields hold, rarer ones more, each field by its weight."""
    score = 0.0
    for stem in query:
        held = frequency.get(stem, 0)
        idf = math.log(1.0 + (total - held + 0.5) / (held + 0.5))
        for name, weight in weights:
            tf = fields[name][stem]
            score += weight * idf * tf * (_K1 + 1.0) / (tf + _K1)
    return score


def relevance(m: Memory, query: list[str], frequency: dict[str, int], total: int) -> float:
    """BM25-like: each query stem the memory has, rarer ones more, its fields weighted.

    `frequency` is how many memories in scope hold each stem and `total` how many there are.
    0 when the memory has none of the query's stems.
    """
    fields = {name: Counter(found) for name, found in _fields(m).items()}
    return _bm25(fields, FIELD_WEIGHTS, query, frequency, total)


def text_relevance(text: str, query: list[str], frequency: dict[str, int], total: int) -> float:
    """`relevance` for a message: its words are one field of weight 1.

    `frequency` is how many messages in scope hold each stem and `total` how many there are.
    """
    return _bm25({"text": Counter(text_stems(text))}, (("text", 1.0),), query, frequency, total)
