"""The offline appraiser: word lists give appraisals the right sign, within bounds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.domain.lexicon import appraise_text


def test_kind_words_are_good_praiseworthy_and_liked() -> None:
    a = appraise_text("Thank you, you are wonderful and kind")
    assert a.desirability > 0
    assert a.praiseworthiness > 0
    assert a.liking > 0


def test_hostile_words_are_bad_blameworthy_and_disliked() -> None:
    a = appraise_text("you are stupid and useless, I hate this")
    assert a.desirability < 0
    assert a.praiseworthiness < 0
    assert a.liking < 0


def test_sadness_is_undesirable_but_nobody_is_blamed() -> None:
    a = appraise_text("I feel so sad and lonely today")
    assert a.desirability < 0
    assert a.praiseworthiness == 0
    assert a.liking == 0


def test_fear_is_undesirable_and_unexpected() -> None:
    calm = appraise_text("the weather is mild")
    scared = appraise_text("I am scared and worried")
    assert scared.desirability < 0
    assert scared.unexpectedness > calm.unexpectedness


def test_neutral_words_are_neutral() -> None:
    a = appraise_text("the meeting is on tuesday at noon")
    assert (a.desirability, a.praiseworthiness, a.liking) == (0, 0, 0)


def test_punctuation_adds_surprise() -> None:
    plain = appraise_text("really").unexpectedness
    assert appraise_text("really!").unexpectedness > plain
    assert appraise_text("really?").unexpectedness > plain


def test_case_does_not_matter() -> None:
    assert appraise_text("THANK YOU, WONDERFUL") == appraise_text("thank you, wonderful")


@given(st.text(max_size=400))
def test_any_text_appraises_within_bounds(text: str) -> None:
    a = appraise_text(text)
    for value in (a.desirability, a.praiseworthiness, a.liking):
        assert -10.0 <= value <= 10.0
    assert 0.0 <= a.unexpectedness <= 10.0


@given(st.lists(st.sampled_from(["love", "great", "thanks", "nice"]), min_size=1, max_size=20))
def test_more_kind_words_never_lower_desirability(words: list[str]) -> None:
    shorter = appraise_text(" ".join(words[:-1])).desirability
    assert appraise_text(" ".join(words)).desirability >= shorter
