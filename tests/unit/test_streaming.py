"""Shown: what a watcher of a reply sees, kept in step with the model's attempts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.mind.streaming import Piece, Shown


def apply(pieces: list[Piece | None], start: str = "") -> str:
    """What a client has after applying the pieces, as the SSE `token` events say to."""
    text = start
    for piece in pieces:
        if piece is not None:
            text = piece.text if piece.reset else text + piece.text
    return text


def test_one_attempt_sends_only_the_new_text() -> None:
    shown = Shown()
    assert shown.update("Hel") == Piece("Hel")
    assert shown.update("Hel") is None
    assert shown.update("Hello") == Piece("lo")
    assert shown.settle("Hello") is None


def test_a_retry_that_says_the_same_sends_nothing_twice() -> None:
    shown = Shown()
    pieces = [shown.update(t) for t in ("Hel", "Hello wo")]
    # The attempt broke off; the next one starts again from the beginning.
    pieces += [shown.update(t) for t in ("H", "Hello", "Hello wo", "Hello world")]
    assert [p for p in pieces if p is not None] == [Piece("Hel"), Piece("lo wo"), Piece("rld")]


def test_a_retry_that_says_something_else_resets() -> None:
    shown = Shown()
    shown.update("Hello wo")
    assert shown.update("Hi") == Piece("Hi", reset=True)
    assert shown.update("Hi there") == Piece(" there")


def test_settling_on_a_different_answer_resets_to_it() -> None:
    shown = Shown()
    shown.update("I was saying")
    assert shown.settle("Sorry, my thoughts got tangled.") == Piece(
        "Sorry, my thoughts got tangled.", reset=True
    )
    assert Shown().settle("Nothing was shown: the result says it all.") is None


def test_settling_on_no_reply_after_text_resets_to_nothing() -> None:
    shown = Shown()
    shown.update("I could say")
    assert shown.settle("") == Piece("", reset=True)


def test_settling_on_more_of_the_same_appends_it() -> None:
    shown = Shown()
    shown.update("Hello")
    assert shown.settle("Hello there") == Piece(" there")


words = st.text(alphabet="ab ", max_size=12)


@given(st.lists(st.tuples(words, st.lists(st.integers(0, 12), max_size=6)), max_size=5), words)
def test_the_client_always_has_the_latest_text_and_ends_on_the_answer(
    attempts: list[tuple[str, list[int]]], final: str
) -> None:
    shown, pieces, latest = Shown(), list[Piece | None](), ""
    for text, lengths in attempts:
        for n in sorted(lengths):  # an attempt reports ever longer prefixes of its text
            pieces.append(shown.update(text[:n]))
            if not latest.startswith(text[:n]):
                latest = text[:n]
            assert apply(pieces) == latest == shown.text
    pieces.append(shown.settle(final))
    assert apply(pieces) == (final if any(pieces) else "")
    assert all(p is None or p.text or p.reset for p in pieces)  # never an empty append


@given(words, st.lists(st.lists(st.integers(0, 12), max_size=6), max_size=5))
def test_attempts_at_the_same_text_never_reset(text: str, attempts: list[list[int]]) -> None:
    shown = Shown()
    pieces = [shown.update(text[:n]) for lengths in attempts for n in sorted(lengths)]
    assert not any(p.reset for p in pieces if p is not None)
    assert apply(pieces) == text[: max((n for a in attempts for n in a), default=0)]
