"""Memory retrieval scoring (recency, importance, relevance), fitting and rendering: pure."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.adapters.store.sqlite.memories import fts_query
from synthetic_soul.domain.memory import (
    Candidate,
    Memory,
    Weights,
    ago,
    check,
    fit,
    insight_scope,
    line,
    normalise,
    rank,
    recency,
    relevance_from_bm25,
    render,
    top,
)

NOW = 1_700_000_000.0
HOUR = 3600.0


def memory(
    n: int = 0,
    *,
    importance: int = 5,
    hours_ago: float = 1.0,
    event: str = "We talked.",
    thoughts: str = "Nice.",
) -> Memory:
    at = NOW - hours_ago * HOUR
    return Memory(
        id=f"m{n:04d}",
        agent_id="a",
        user_id="u",
        event=event,
        thoughts=thoughts,
        significance="medium",
        importance=importance,
        created_at=at,
        last_accessed=at,
        tags=("t",),
    )


candidates = st.lists(
    st.tuples(
        st.integers(1, 10),  # importance
        st.floats(0, 24 * 365 * 5, allow_nan=False),  # hours since last access
        st.one_of(st.just(0.0), st.floats(0, 50, allow_nan=False)),  # relevance
    ),
    min_size=1,
    max_size=30,
).map(
    lambda rows: [
        Candidate(memory(i, importance=imp, hours_ago=h), rel)
        for i, (imp, h, rel) in enumerate(rows)
    ]
)


# -- factors -------------------------------------------------------------------------------
def test_recency_decays_by_0_995_per_hour_and_never_exceeds_one() -> None:
    assert recency(NOW, NOW) == 1.0
    assert recency(NOW - HOUR, NOW) == pytest.approx(0.995)
    assert recency(NOW - 100 * HOUR, NOW) == pytest.approx(0.995**100)
    assert recency(NOW + HOUR, NOW) == 1.0  # a clock a little behind does not inflate it


def test_bm25_is_turned_into_higher_is_better_relevance() -> None:
    assert relevance_from_bm25(-3.2) > relevance_from_bm25(-1.0) > 0
    assert relevance_from_bm25(0.0) == 0.0
    assert relevance_from_bm25(0.5) == 0.0


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50))
def test_normalise_maps_onto_zero_one_keeping_order(values: list[float]) -> None:
    out = normalise(values)
    assert len(out) == len(values)
    assert all(0.0 <= v <= 1.0 for v in out)
    if max(values) - min(values) > 1e-9:
        assert out[values.index(min(values))] == 0.0
        assert out[values.index(max(values))] == 1.0
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            if a < b:
                assert out[i] <= out[j]


def test_a_factor_that_does_not_tell_candidates_apart_gives_all_the_same() -> None:
    assert normalise([4.0, 4.0, 4.0]) == [0.5, 0.5, 0.5]
    assert normalise([]) == []


# -- scores --------------------------------------------------------------------------------
@given(candidates)
def test_scores_lie_within_zero_and_three_with_unit_weights(cs: list[Candidate]) -> None:
    for s in rank(cs, NOW):
        assert 0.0 <= s.score <= 3.0 + 1e-9
        assert all(0.0 <= f <= 1.0 for f in (s.recency, s.importance, s.relevance))
        assert s.score == pytest.approx(s.recency + s.importance + s.relevance)


@given(candidates)
def test_ranking_is_best_first_complete_and_deterministic(cs: list[Candidate]) -> None:
    ranked = rank(cs, NOW)
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)
    assert sorted(s.memory.id for s in ranked) == sorted(c.memory.id for c in cs)
    assert [s.memory.id for s in rank(list(reversed(cs)), NOW)] == [s.memory.id for s in ranked]


@given(candidates, st.integers(0, 40))
def test_top_k_is_the_head_of_the_ranking(cs: list[Candidate], k: int) -> None:
    assert top(cs, NOW, k) == [s.memory for s in rank(cs, NOW)][:k]


def _score_of(cs: list[Candidate], memory_id: str) -> float:
    return next(s.score for s in rank(cs, NOW) if s.memory.id == memory_id)


@given(candidates, st.integers(1, 9))
def test_more_importance_never_lowers_a_score(cs: list[Candidate], more: int) -> None:
    first = cs[0]
    bumped = min(10, first.memory.importance + more)
    raised = [replace(first, memory=replace(first.memory, importance=bumped)), *cs[1:]]
    # Raising one candidate's factor can only raise its normalised value relative to others.
    assert _rank_of(raised, first.memory.id) <= _rank_of(cs, first.memory.id)


@given(candidates, st.floats(1, 1000))
def test_more_recent_access_never_lowers_a_rank(cs: list[Candidate], hours: float) -> None:
    first = cs[0]
    fresher = min(NOW, first.memory.last_accessed + hours * HOUR)
    raised = [replace(first, memory=replace(first.memory, last_accessed=fresher)), *cs[1:]]
    assert _rank_of(raised, first.memory.id) <= _rank_of(cs, first.memory.id)


@given(candidates, st.floats(0.1, 100))
def test_more_relevance_never_lowers_a_rank(cs: list[Candidate], more: float) -> None:
    first = cs[0]
    raised = [replace(first, relevance=first.relevance + more), *cs[1:]]
    assert _rank_of(raised, first.memory.id) <= _rank_of(cs, first.memory.id)


def _rank_of(cs: list[Candidate], memory_id: str) -> int:
    """Position by score alone, counting only candidates strictly ahead (ties do not count)."""
    mine = _score_of(cs, memory_id)
    return sum(1 for s in rank(cs, NOW) if s.score > mine + 1e-12)


def test_without_relevance_recency_and_importance_decide() -> None:
    old_important = Candidate(memory(1, importance=9, hours_ago=500))
    new_trivial = Candidate(memory(2, importance=1, hours_ago=0))
    middling = Candidate(memory(3, importance=6, hours_ago=10))
    ranked = rank([old_important, new_trivial, middling], NOW)
    assert ranked[0].memory.id == "m0003"
    assert all(s.relevance == 0.0 for s in ranked)


def test_weights_shift_the_balance() -> None:
    relevant = Candidate(memory(1, importance=1, hours_ago=100), relevance=5.0)
    important = Candidate(memory(2, importance=10, hours_ago=100), relevance=0.0)
    assert top([relevant, important], NOW, 1)[0].id == "m0002"  # 1 vs 1: importance breaks
    assert top([relevant, important], NOW, 1, Weights(relevance=2.0))[0].id == "m0001"
    assert top([relevant, important], NOW, 1, Weights(importance=2.0))[0].id == "m0002"


def test_ties_are_broken_by_importance_then_freshness_then_id() -> None:
    a = Candidate(memory(2, importance=5, hours_ago=1))
    b = Candidate(memory(1, importance=5, hours_ago=1))
    assert [m.id for m in top([a, b], NOW, 2)] == ["m0001", "m0002"]


def test_a_candidate_listed_twice_counts_once() -> None:
    c = Candidate(memory(1), relevance=2.0)
    assert [m.id for m in top([c, c], NOW, 5)] == ["m0001"]


# -- rules ---------------------------------------------------------------------------------
def test_check_refuses_what_the_mind_cannot_use() -> None:
    check(memory())
    for bad in (
        replace(memory(), importance=0),
        replace(memory(), importance=11),
        replace(memory(), significance="huge"),
        replace(memory(), kind="dream"),
        replace(memory(), tags=("a", "b", "c", "d")),
    ):
        with pytest.raises(ValueError):
            check(bad)


def test_an_insight_is_about_the_one_user_its_sources_are_about() -> None:
    assert insight_scope(None, ["x", None, "x"]) == "x"
    assert insight_scope("x", ["x"]) == "x"
    assert insight_scope(None, [None]) is None
    assert insight_scope("y", []) == "y"
    with pytest.raises(ValueError):
        insight_scope(None, ["x", "y"])
    with pytest.raises(ValueError):
        insight_scope("y", ["x"])


# -- prompt text ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (30, "just now"),
        (10 * 60, "10 min ago"),
        (5 * HOUR, "5 h ago"),
        (30 * HOUR, "yesterday"),
        (5 * 86400, "5 days ago"),
        (21 * 86400, "3 weeks ago"),
        (90 * 86400, "3 months ago"),
        (3 * 365 * 86400, "3 years ago"),
        (-60, "just now"),
    ],
)
def test_ago_says_when_coarsely(seconds: float, said: str) -> None:
    assert ago(NOW - seconds, NOW) == said


def test_a_line_is_one_short_line_with_when_what_thoughts_and_importance() -> None:
    m = memory(event="Alice told me\nabout her   cat.", thoughts="I liked it.", importance=7)
    assert (
        line(m, NOW)
        == '- (1 h ago) "Alice told me about her cat." — I thought: "I liked it." [7/10]'
    )
    long = line(memory(event="word " * 200, thoughts="idea " * 200), NOW)
    assert "\n" not in long and len(long) < 400
    assert "I thought" not in line(memory(thoughts="  "), NOW)
    assert line(replace(memory(), kind="insight"), NOW).startswith("- (insight) ")


@given(st.lists(st.integers(1, 400), max_size=20), st.integers(0, 2000))
def test_fit_keeps_order_and_stays_within_budget(lengths: list[int], budget: int) -> None:
    ms = [memory(i, event="x" * n) for i, n in enumerate(lengths)]
    chosen = fit(ms, NOW, budget)
    assert len(render(chosen, NOW)) <= budget
    order = [m.id for m in ms]
    assert [m.id for m in chosen] == [i for i in order if i in {c.id for c in chosen}]


def test_fit_skips_a_long_memory_for_the_short_ones_after_it() -> None:
    short, long, short2 = memory(1), memory(2, event="y" * 150), memory(3)
    budget = len(render([short, short2], NOW))
    assert fit([short, long, short2], NOW, budget) == [short, short2]


# -- the FTS5 query built from a message ------------------------------------------------------
def test_fts_query_quotes_each_word_and_ors_them() -> None:
    assert fts_query("Do you remember my PUPPY, Biscuit?") == '"remember" OR "puppy" OR "biscuit"'
    assert fts_query("the and of a") is None
    assert fts_query("") is None
    assert fts_query('" * NEAR( -x : ^') == '"near"'
    assert fts_query("dog dog dog") == '"dog"'


@given(st.text(max_size=300))
def test_fts_query_lets_nothing_but_quoted_words_through(text: str) -> None:
    q = fts_query(text)
    if q is None:
        return
    for part in q.split(" OR "):
        assert part.startswith('"') and part.endswith('"')
        assert part[1:-1].replace("_", "a").isalnum()
