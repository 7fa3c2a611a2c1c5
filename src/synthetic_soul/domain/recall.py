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

Then each of the best 10 fused gives the message said just after it half its score, and the
one just before it a fifth (`shared`): 0.664 / 0.398 to 0.702 / 0.401. Measured beside it
(next / before): 0.3 / 0.3 0.697, 0.5 / 0 0.700, 0.7 / 0.2 0.700, 1.0 / 0.3 0.663; every
fused message sharing instead of the best 10, 0.705 / 0.401 but more weak matches lifted,
and the best 20, 0.701 / 0.399. Sharing said scores before fusing (each search's own) came
out alike (0.68-0.70), and a neighbour capped at its giver's score 0.725 against 0.729
(with the weights of `weighed`), so the sum it is.

Last, who said it (`weighed`): the others' messages count half when the question names a
speaker, a message that ends in a question mark 0.6: 0.702 / 0.401 to 0.729 / 0.447. The
speaker's weight alone: 0.7 0.713, 0.5 0.722, 0.3 0.718, 0 (only the named speaker's)
0.710; applied before the sharing instead of after, 0.688 (the question before an answer is
the other speaker's, and must share first). A question mark's 0.8 0.722, 0.6 0.729. It
costs LoCoMo's adversarial questions, which name the wrong speaker on purpose (0.838 to
0.694 @10), the price of trusting the name.

And with that, the search by words: the named speakers' names are taken out of the words
searched (`without_names`; the name matched every message of theirs a second time), 0.730
to 0.746 / 0.450 to 0.473 (with a BM25 of our own over the same stems, which gives words
alone 0.608 where FTS5 gives 0.611), and each word match shares its relevance with its
neighbours before the fusion (`shared` over the word ranking, the same shares) 0.753 /
0.465; together, measured through the service, 0.727 / 0.440 to 0.749 / 0.466.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.timeframe import Timeframe

RRF_K = 5
WORDS_WEIGHT = 1.0
MEANING_WEIGHT = 1.0

# Neighbours: each of the best SHARERS fused messages gives the message said just after it
# AFTER_SHARE of its score, and the one just before it BEFORE_SHARE, if said within
# NEIGHBOUR_GAP_S of it (a conversation picked up the next day is another exchange).
SHARERS = 10
AFTER_SHARE = 0.5
BEFORE_SHARE = 0.2
NEIGHBOUR_GAP_S = 3600.0
# Who said it, and whether it only asks: the score of a message by a speaker other than the
# one(s) the query names is multiplied by OTHER_SPEAKER, that of a message that ends in a
# question mark by ASKED.
OTHER_SPEAKER = 0.5
ASKED = 0.6
IN_TIMEFRAME = 3.0
# Reranking: the best RERANK_DEPTH after all the above are read again by a cross-encoder, and
# its order and theirs are fused by reciprocal rank with RERANK_K.
RERANK_DEPTH = 30
RERANK_K = 2
_WORD = re.compile(r"\w+")


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


def shared(
    scores: Mapping[str, float],
    said: Mapping[str, Message],
    around: Mapping[str, tuple[Message | None, Message | None]],
    after: float = AFTER_SHARE,
    before: float = BEFORE_SHARE,
) -> dict[str, float]:
    """`scores` with each message of `around` (id: the messages just before and just after
    it) giving its neighbours a share of its own score, as found before any sharing.

    An answer follows its question, and often holds none of the question's words ("5 years
    already!" after "How long have you been married?"): the search finds the question, the
    share lifts the answer. A message's own score is unchanged; a neighbour no search found
    enters with its share alone. Only the best few share (`SHARERS`, chosen by the caller),
    so the long tail of weak matches does not lift its neighbours past a strong match.
    """
    out = dict(scores)
    for mid, (earlier, later) in around.items():
        if mid not in scores:
            continue
        giver, score = said[mid], scores[mid]
        for neighbour, share in ((earlier, before), (later, after)):
            if neighbour is not None and abs(neighbour.timestamp - giver.timestamp) <= (
                NEIGHBOUR_GAP_S
            ):
                out[neighbour.id] = out.get(neighbour.id, 0.0) + share * score
    return out


def named_speakers(query: str, speakers: Sequence[str], asked: str) -> set[str]:
    """The speakers of `speakers` whose name is among the query's words, `asked` (the one
    the query is put to, often named in a greeting) left out."""
    words = set(_WORD.findall(query.lower()))
    return {
        name
        for name in speakers
        if name.lower() != asked.lower()
        and any(part in words for part in _WORD.findall(name.lower()))
    }


def without_names(query: str, names: Iterable[str]) -> str:
    """The query with the words of `names` taken out, for the search by words: once the
    speaker's messages are weighed up (`weighed`), their name matched as a word lifts every
    one of them again, and the words of what was asked count less."""
    taken = {part for name in names for part in _WORD.findall(name.lower())}
    return " ".join(w for w in _WORD.findall(query) if w.lower() not in taken)


def weighed(
    scores: Mapping[str, float],
    said: Mapping[str, Message],
    query: str,
    asked: str,
    when: Timeframe | None = None,
) -> dict[str, float]:
    """`scores` weighed by who said each message and whether it only asks.

    A question that names a speaker is nearly always answered by what that speaker said
    (LoCoMo: 96 % of the evidence of questions naming one of its two speakers is that
    speaker's), so the others' messages count `OTHER_SPEAKER` as much; a message that ends
    in a question mark holds a question more often than a fact (a quarter of LoCoMo's
    turns, an eighth of its evidence), and counts `ASKED` as much. A query that names a time
    (`domain.timeframe`: "last summer", "on 25 May, 2022") is most likely answered by what was
    said then: a message said within it counts `IN_TIMEFRAME` times as much.
    """
    named = named_speakers(query, sorted({m.sender_username for m in said.values()}), asked)
    out: dict[str, float] = {}
    for mid, score in scores.items():
        m = said[mid]
        if named and m.sender_username not in named:
            score *= OTHER_SPEAKER
        if m.message.rstrip().endswith("?"):
            score *= ASKED
        if when is not None and when.holds(m.timestamp):
            score *= IN_TIMEFRAME
        out[mid] = score
    return out


def reranked(ids: Sequence[str], scores: Sequence[float], k: int = RERANK_K) -> list[str]:
    """`ids` (best first) in the order of their fused ranks: their own, and the order of the
    reranker's `scores` (one an id).

    The cross-encoder reads a question and a message together, which no search here does,
    but it knows nothing of who said what or when, and says nothing of a message's neighbours
    (the answer after a question that holds the words). Chosen on LoCoMo (recall@10, 1-4 /
    multi-hop, bge-small-en vectors, the scores of a padded batch at the time): unreranked
    0.785 / 0.499; its order alone 0.784 / 0.562, losing what `weighed` and `shared` gave;
    fused with theirs at k = 2 0.817 / 0.575, k = 5 0.815 / 0.574, k = 10 0.813 / 0.571; its
    score as a probability plus a prior for the rank, at most 0.806 / 0.561. The best 30 read,
    0.817 / 0.575; the best 20, 0.808 / 0.559 in two thirds of the time. As it runs now (each
    pair read alone): 0.784 / 0.490 unreranked, 0.812 / 0.561 reranked (bench/README.md).
    """
    if len(ids) != len(scores):
        raise ValueError("one score an id")
    by_score = [i for _, i in sorted(zip(scores, ids, strict=True), key=lambda p: -p[0])]
    return [i for i, _ in fused([list(ids), by_score], [1.0, 1.0], k)]
