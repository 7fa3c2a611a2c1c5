"""Which lorebook entries a reply reads: what was mentioned, what is constant, what fits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from synthetic_soul.domain.lorebook import (
    DEFAULT_SCAN_DEPTH,
    Lorebook,
    LoreEntry,
    estimate_tokens,
    mentions,
    render,
    select,
    triggered,
)


def entry(content: str, *keys: str, **fields: object) -> LoreEntry:
    return LoreEntry(keys=keys, content=content, **fields)  # type: ignore[arg-type]


def contents(book: Lorebook, messages: list[str], **kw: int) -> list[str]:
    return [e.content for e in select(book, messages, **kw)]


def test_a_constant_entry_always_comes_and_a_disabled_one_never() -> None:
    book = Lorebook(
        (
            entry("always", constant=True),
            entry("switched off", "storm", constant=True, enabled=False),
            entry("off too", "storm", enabled=False),
        )
    )
    assert contents(book, ["nothing in particular"]) == ["always"]
    assert contents(book, ["a storm is coming"]) == ["always"]


def test_a_key_calls_its_entry_up_regardless_of_case_unless_the_entry_says() -> None:
    book = Lorebook(
        (
            entry("lighthouse lore", "Lighthouse"),
            entry("exact case only", "Mira", case_sensitive=True),
        )
    )
    assert contents(book, ["we walked to the LIGHTHOUSE"]) == ["lighthouse lore"]
    assert contents(book, ["mira waved"]) == []
    assert contents(book, ["Mira waved"]) == ["exact case only"]


def test_a_key_matches_whole_words_only() -> None:
    assert mentions("the cat sat", "cat", False)
    assert not mentions("a category error", "cat", False)
    assert mentions("she said: cat!", "cat", False)
    assert mentions("the Sea Glass shop", "sea glass", False)
    assert not mentions("anything", "   ", False)


def test_a_selective_entry_needs_a_secondary_key_too() -> None:
    book = Lorebook((entry("the stairs", "lighthouse", selective=True, secondary_keys=("climb",)),))
    assert contents(book, ["the lighthouse is tall"]) == []
    assert contents(book, ["let us climb the lighthouse"]) == ["the stairs"]
    # Selective without secondary keys behaves as a plain entry.
    plain = Lorebook((entry("plain", "lighthouse", selective=True),))
    assert contents(plain, ["the lighthouse"]) == ["plain"]


def test_only_the_last_messages_are_scanned() -> None:
    book = Lorebook((entry("storm lore", "storm"),), scan_depth=2)
    assert contents(book, ["a storm!", "hello", "how are you"]) == []
    assert contents(book, ["hello", "a storm!", "how are you"]) == ["storm lore"]
    # The caller's depth overrides the book's; none at all uses the default.
    assert contents(book, ["a storm!", "hello", "how are you"], scan_depth=3) == ["storm lore"]
    unset = Lorebook((entry("storm lore", "storm"),))
    old = ["a storm!"] + ["calm"] * DEFAULT_SCAN_DEPTH
    assert contents(unset, old) == []
    assert contents(unset, [*old[1:], "storm"]) == ["storm lore"]


def test_entries_come_in_insertion_order() -> None:
    book = Lorebook(
        (
            entry("third", "sea", insertion_order=30),
            entry("first", "sea", insertion_order=-5),
            entry("second", "sea", insertion_order=10, priority=99),
        )
    )
    assert contents(book, ["the sea"]) == ["first", "second", "third"]
    assert render(select(book, ["the sea"])) == "first\n\nsecond\n\nthird"


def test_over_budget_the_lower_priority_entries_are_dropped_first() -> None:
    big = "x" * 400  # 100 tokens
    book = Lorebook(
        (
            entry("low " + big, "sea", priority=1, insertion_order=1),
            entry("high " + big, "sea", priority=9, insertion_order=2),
            entry("constant " + big, constant=True, insertion_order=3),
            entry("tiny", "sea", priority=0, insertion_order=4),
        )
    )
    chosen = contents(book, ["the sea"], token_budget=250)
    assert [c.split()[0] for c in chosen] == ["high", "constant", "tiny"]
    # The book's own budget applies when the caller names none.
    budgeted = Lorebook(book.entries, token_budget=110)
    assert [c.split()[0] for c in contents(budgeted, ["the sea"])] == ["constant", "tiny"]


def test_regex_keys_are_never_run_and_empty_content_never_comes() -> None:
    book = Lorebook(
        (
            entry("pattern", "(a+)+$", use_regex=True),
            entry("   ", "sea"),
        )
    )
    assert contents(book, ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "(a+)+$", "the sea"]) == []


def test_tokens_are_estimated_at_four_characters() -> None:
    assert estimate_tokens("") == 1
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2


_entries = st.builds(
    LoreEntry,
    keys=st.lists(st.sampled_from(["sea", "storm", "Mira", "glass"]), max_size=2).map(tuple),
    content=st.text(max_size=200),
    enabled=st.booleans(),
    insertion_order=st.integers(-5, 5),
    case_sensitive=st.none() | st.booleans(),
    constant=st.none() | st.booleans(),
    selective=st.none() | st.booleans(),
    secondary_keys=st.none() | st.lists(st.sampled_from(["climb", "night"]), max_size=2).map(tuple),
    priority=st.none() | st.integers(0, 5),
)
_words = st.lists(
    st.lists(
        st.sampled_from(["the", "sea", "Storm", "mira", "climb", "night", "x"]), max_size=6
    ).map(" ".join),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_entries, max_size=8), _words, st.integers(0, 200))
def test_what_is_chosen_fits_the_budget_was_triggered_and_is_in_order(
    entries: list[LoreEntry], messages: list[str], budget: int
) -> None:
    book = Lorebook(tuple(entries))
    chosen = select(book, messages, token_budget=budget)
    assert sum(estimate_tokens(e.content) for e in chosen) <= budget
    text = "\n".join(messages[-DEFAULT_SCAN_DEPTH:])
    assert all(e.enabled and triggered(e, text) for e in chosen)
    orders = [e.insertion_order for e in chosen]
    assert orders == sorted(orders)
    # A triggered entry left out is one that would not fit beside those chosen.
    spent = sum(estimate_tokens(e.content) for e in chosen)
    for e in entries:
        if triggered(e, text) and all(e is not c for c in chosen):
            assert spent + estimate_tokens(e.content) > budget
