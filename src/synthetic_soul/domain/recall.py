"""Recall by meaning and words: what text of a message is embedded and searched, and how the
ranking by words and the ranking by meaning become one.

Each was chosen on LoCoMo's dev conversations (bench/locomo.py; figures are recall@10 on
categories 1-4 / multi-hop, bench/README.md has the rest). A message is embedded, and
searched by words, with its speaker's name beside its words, since a question names who said
or did a thing and the words rarely do (meaning alone: 0.29 without the name, 0.51 with it;
words alone: 0.545 / 0.279 without, 0.611 / 0.382 with). The two rankings are fused by
reciprocal rank (Cormack et al., 2009): each item scores `weight / (k + rank)` in each list
it is in. Ranks, not scores: BM25, MongoDB's text score and the stems' relevance are not on
one scale, and the fusion must not depend on which store ranked the words (a fusion of
scores, each list's scaled to its best, measured alike: 0.651 / 0.429). A small k lets the
first few of each list count most: k = 5 gave 0.660 / 0.398, k = 10 0.645 / 0.398, the
paper's 60 0.581 / 0.370; at k = 5, meaning weighted 0.7 or 1.2 of words changed the figures
by less than the set's noise (0.655 / 0.404, 0.659 / 0.388), so the weights are equal.
"""

from __future__ import annotations

from collections.abc import Sequence

from synthetic_soul.domain.conversation import Message

RRF_K = 5
WORDS_WEIGHT = 1.0
MEANING_WEIGHT = 1.0


def embedded_text(message: Message) -> str:
    """What of a message is embedded: who said it, then what they said."""
    return f"{message.sender_username}: {message.message}"


def searched_words(speaker: str, words: str) -> str:
    """What of a message the search by words matches: its speaker's name and its words."""
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
