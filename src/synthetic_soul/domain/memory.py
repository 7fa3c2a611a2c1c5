"""Episodic memory: which memories to recall (Generative Agents' retrieval) and how to show them.

`score = w_rec * recency + w_imp * importance + w_rel * relevance`, each factor min-max
normalised over the candidates, so no factor wins by its units alone. Pure: time comes in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from synthetic_soul.domain.quoting import quote

RECENCY_DECAY = 0.995  # per hour since the memory was last recalled
IMPORTANCE_MIN = 1
IMPORTANCE_MAX = 10
SIGNIFICANCES = frozenset({"low", "medium", "high"})
KINDS = frozenset({"episode", "insight"})
MAX_TAGS = 3
DEFAULT_K = 5
DEFAULT_BUDGET_CHARS = 1200  # about 300 tokens of memories in a prompt
LINE_FIELD_CHARS = 160  # event and thoughts are cut to this in a prompt line

_HOUR = 3600.0


@dataclass(frozen=True)
class Memory:
    """Something the agent remembers: an episode it lived, or an insight drawn from several."""

    id: str
    agent_id: str
    user_id: str | None  # whom it is about; None for no one in particular
    event: str
    thoughts: str
    significance: str  # low | medium | high
    importance: int  # 1..10
    created_at: float
    last_accessed: float
    tags: tuple[str, ...] = ()  # at most 3
    emotional_impact: str = ""
    recall_count: int = 0
    kind: str = "episode"  # episode | insight
    sources: tuple[str, ...] = ()  # ids of the memories an insight was drawn from


MAX_QUERY_WORDS = 24  # a long message is cut to its first words; keeps a search cheap
MAX_WORD_CHARS = 64  # a longer "word" matches nothing anyone wrote, so it is not searched
# Words that match nearly every memory and so only add noise (and cost) to a MATCH.
_STOPWORD_LIST = """
    a about after again all am an and any are as at be because been before being but by can
    could did do does doing don for from had has have having he her here hers him his how i
    if in into is it its just me more most my no nor not now of off on once only or other our
    out over own same she should so some such than that the their them then there these they
    this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself im ive youre dont
"""
STOPWORDS = frozenset(_STOPWORD_LIST.split())
_QUERY_WORD = re.compile(r"\w+")


def query_words(text: str) -> list[str]:
    """The words of `text` worth searching memories for: lowercased, each once, in order,
    stopwords left out, at most MAX_QUERY_WORDS. Only runs of word characters are kept, so
    nothing a user types (quotes, `*`, `-`, `NEAR(`) is read as search syntax by a store."""
    words: list[str] = []
    for word in _QUERY_WORD.findall(text.lower()):
        if len(word) < 2 or len(word) > MAX_WORD_CHARS or word in STOPWORDS or word in words:
            continue
        words.append(word)
        if len(words) == MAX_QUERY_WORDS:
            break
    return words


_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Weights:
    recency: float = 1.0
    importance: float = 1.0
    relevance: float = 1.0


@dataclass(frozen=True)
class Candidate:
    """A memory up for recall, with its relevance to the query (higher is more; 0 for none)."""

    memory: Memory
    relevance: float = 0.0


@dataclass(frozen=True)
class Scored:
    memory: Memory
    score: float
    recency: float  # each factor normalised to [0, 1] over the candidates
    importance: float
    relevance: float


def check(memory: Memory) -> None:
    """Refuse a memory the rest of the mind could not reason about."""
    if not IMPORTANCE_MIN <= memory.importance <= IMPORTANCE_MAX:
        raise ValueError(f"importance must be {IMPORTANCE_MIN}..{IMPORTANCE_MAX}")
    if memory.significance not in SIGNIFICANCES:
        raise ValueError(f"significance must be one of {sorted(SIGNIFICANCES)}")
    if memory.kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}")
    if len(memory.tags) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")


def insight_scope(claimed: str | None, source_users: Iterable[str | None]) -> str | None:
    """Whom an insight is about: the one user its sources are about, else whom it claims.

    An insight drawn from X's memories is about X even if it claims no one; one drawn from
    two users' memories would carry each one's secrets to the other, so it is refused.
    """
    users = {u for u in source_users if u is not None}
    if len(users) > 1:
        raise ValueError("an insight may draw on the memories of one user at most")
    if not users:
        return claimed
    (user,) = users
    if claimed is not None and claimed != user:
        raise ValueError("an insight is about the user its sources are about")
    return user


def recency(last_accessed: float, now: float) -> float:
    """0.995 per hour since last recalled; a timestamp from the future counts as now."""
    hours = max(0.0, now - last_accessed) / _HOUR
    return float(RECENCY_DECAY**hours)


def relevance_from_bm25(rank: float) -> float:
    """FTS5's bm25() is negative and lower-is-better; relevance is higher-is-better, >= 0."""
    return max(0.0, -rank)


def normalise(values: Sequence[float]) -> list[float]:
    """Min-max to [0, 1]; a factor that does not tell the candidates apart gives 0.5 to all."""
    if not values:
        return []
    low, high = min(values), max(values)
    if high - low <= 1e-12:
        return [0.5] * len(values)
    span = high - low
    return [min(1.0, max(0.0, (v - low) / span)) for v in values]


def rank(
    candidates: Sequence[Candidate], now: float, weights: Weights | None = None
) -> list[Scored]:
    """Every candidate, best first; ties go to the more important, then fresher, then by id.

    When no candidate is relevant (an empty query), relevance contributes nothing.
    """
    w = weights or Weights()
    unique = list({c.memory.id: c for c in candidates}.values())
    rec = normalise([recency(c.memory.last_accessed, now) for c in unique])
    imp = normalise([float(c.memory.importance) for c in unique])
    if any(c.relevance > 0 for c in unique):
        rel = normalise([max(0.0, c.relevance) for c in unique])
    else:
        rel = [0.0] * len(unique)
    scored = [
        Scored(
            c.memory,
            w.recency * rec[i] + w.importance * imp[i] + w.relevance * rel[i],
            rec[i],
            imp[i],
            rel[i],
        )
        for i, c in enumerate(unique)
    ]
    scored.sort(
        key=lambda s: (
            -s.score,
            -s.memory.importance,
            -s.memory.last_accessed,
            -s.memory.created_at,
            s.memory.id,
        )
    )
    return scored


def top(
    candidates: Sequence[Candidate], now: float, k: int, weights: Weights | None = None
) -> list[Memory]:
    return [s.memory for s in rank(candidates, now, weights)[: max(0, k)]]


def merged(matches: Iterable[Candidate], recent: Iterable[Memory]) -> list[Candidate]:
    """The candidates of a recall: the memories the query matched, then the recent ones no
    match brought already (relevance 0), each once."""
    found = {c.memory.id: c for c in matches}
    for m in recent:
        found.setdefault(m.id, Candidate(m))
    return list(found.values())


def recalled(chosen: Iterable[Memory], now: float) -> list[Memory]:
    """The memories as a recall at `now` leaves them: accessed then, recalled once more."""
    return [
        replace(m, last_accessed=max(m.last_accessed, now), recall_count=m.recall_count + 1)
        for m in chosen
    ]


# -- in prompts ------------------------------------------------------------------------------
def ago(then: float, now: float) -> str:
    """A coarse relative time, as a person would say it."""
    seconds = max(0.0, now - then)
    minutes, hours, days = seconds / 60, seconds / _HOUR, seconds / 86400
    if minutes < 2:
        return "just now"
    if hours < 1:
        return f"{minutes:.0f} min ago"
    if hours < 24:
        return f"{hours:.0f} h ago"
    if days < 2:
        return "yesterday"
    if days < 14:
        return f"{days:.0f} days ago"
    if days < 60:
        return f"{days / 7:.0f} weeks ago"
    if days < 730:
        return f"{days / 30.44:.0f} months ago"
    return f"{days / 365.25:.0f} years ago"


def _clip(text: str, limit: int = LINE_FIELD_CHARS) -> str:
    flat = _SPACES.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def line(memory: Memory, now: float) -> str:
    """One memory as one short prompt line: when, what, what the agent thought, importance.

    Its words come from conversations, so they are quoted like what users say.
    """
    what = quote(_clip(memory.event))
    head = "insight" if memory.kind == "insight" else ago(memory.created_at, now)
    thoughts = f" — I thought: {quote(_clip(memory.thoughts))}" if memory.thoughts.strip() else ""
    return f"- ({head}) {what}{thoughts} [{memory.importance}/10]"


def fit(memories: Sequence[Memory], now: float, budget_chars: int) -> list[Memory]:
    """The memories, in the given order, whose lines fit in the budget; longer ones are skipped
    so that one long memory does not crowd out several short ones after it."""
    chosen: list[Memory] = []
    used = 0
    for m in memories:
        cost = len(line(m, now)) + (1 if chosen else 0)  # the newline between lines
        if used + cost <= budget_chars:
            chosen.append(m)
            used += cost
    return chosen


def render(memories: Sequence[Memory], now: float) -> str:
    return "\n".join(line(m, now) for m in memories)
