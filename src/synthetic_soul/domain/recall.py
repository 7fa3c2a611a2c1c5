"""Recall by meaning and words: what text of a message is embedded and searched, and how the
ranking by words and the ranking by meaning become one.

Both were chosen on LoCoMo's dev conversations (bench/locomo.py, bench/README.md): a message
is embedded with its speaker's name before its words ("Ada: we adopted a puppy"), since a
question names who said or did a thing and the words alone do not (meaning alone, recall@10
on categories 1-4: 0.29 without the name, 0.51 with it); and the two rankings are fused by
reciprocal rank (Cormack et al., 2009), each item scoring `weight / (k + rank)` in each list
it is in. Ranks, not scores: BM25, MongoDB's text score and the stems' relevance are not on
one scale, and the fusion must not depend on which store ranked the words. A small k (10,
against the paper's 60) lets the first few of each list count most, which measured best
(0.620 at k = 10, 0.574 at k = 60; equal weights beat either side weighted up).
"""

from __future__ import annotations

from collections.abc import Sequence

from synthetic_soul.domain.conversation import Message

RRF_K = 10
# Words first, then meaning: equal weights measured best (1-4 recall@10 0.620, meaning
# weighted 1.3: 0.624 but multi-hop and adversarial lower, 0.7: 0.605).
WORDS_WEIGHT = 1.0
MEANING_WEIGHT = 1.0


def embedded_text(message: Message) -> str:
    """What of a message is embedded: who said it, then what they said."""
    return f"{message.sender_username}: {message.message}"


def searched_words(speaker: str, words: str) -> str:
    """What of a message the search by words matches: its speaker's name and its words, for
    the same reason the name is embedded (LoCoMo, words alone: recall@10 on categories 1-4
    0.545 without the name, 0.611 with it; multi-hop 0.279 and 0.382)."""
    return f"{speaker} {words}"


def fused(
    rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int = RRF_K
) -> list[tuple[str, float]]:
    """One ranking of the ids in any of `rankings` (each best first), best first, with each
    id's fused score: the sum over the lists it is in of `weight / (k + rank)`, rank from 1.
    Ties keep the order in which the ids were first met, list by list."""
    if len(rankings) != len(weights):
        raise ValueError("one weight a ranking")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(dict.fromkeys(ranking), start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
