"""A personality seeded from a card's words: the same words, the same numbers, the right way."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthetic_soul.cards.seeding import (
    LEXICON,
    MAX_SHIFT,
    RICH_TO_LITE,
    SEED_MAX,
    SEED_MIN,
    seed,
    trait_words,
)
from synthetic_soul.domain.facts import LITE_TRAITS, MBTI_PRESETS, RICH_TRAITS
from synthetic_soul.domain.mood import big_five, default_mood

OUTGOING = ("Mira is a cheerful, outgoing girl.", "bubbly, talkative, friendly")
SHY = ("Mira is a shy, quiet girl.", "reserved, timid, introverted")


def test_the_tables_name_only_our_traits() -> None:
    assert {t for moves in LEXICON.values() for t in moves} <= set(RICH_TRAITS)
    assert set(RICH_TO_LITE) <= set(RICH_TRAITS)
    assert {t for moves in RICH_TO_LITE.values() for t in moves} <= set(LITE_TRAITS)
    # Every rich trait a word can move reaches lite mode too.
    assert {t for moves in LEXICON.values() for t in moves} <= set(RICH_TO_LITE)


@pytest.mark.parametrize("mode", ["lite", "rich"])
def test_a_cheerful_outgoing_card_is_more_extraverted_than_a_shy_quiet_one(mode: str) -> None:
    outgoing = seed(mode, *OUTGOING).personality
    shy = seed(mode, *SHY).personality
    assert big_five(outgoing)["E"] > big_five(shy)["E"] + 0.2
    # Their default moods differ the same way: dominance follows extraversion.
    assert default_mood(outgoing).dominance > default_mood(shy).dominance


def test_lite_mode_picks_an_extravert_preset_for_an_outgoing_card() -> None:
    assert seed("lite", *OUTGOING).preset[0] == "E"  # type: ignore[index]
    assert seed("lite", *SHY).preset[0] == "I"  # type: ignore[index]


@pytest.mark.parametrize(
    ("words", "trait", "sign"),
    [
        ("grumpy and cold", "friendliness", -1),
        ("endlessly curious", "curiosity", 1),
        ("fiercely loyal", "loyalty", 1),
        ("anxious, nervous", "neuroticism", 1),
        ("calm and patient", "patience", 1),
        ("stubborn", "adaptability", -1),
    ],
)
def test_each_word_moves_its_trait_its_way(words: str, trait: str, sign: int) -> None:
    value = seed("rich", words).personality.traits[trait]
    assert (value - 50.0) * sign > 0


def test_a_negated_word_moves_the_other_way_and_less() -> None:
    shy = seed("rich", "She is shy.").personality.traits["sociability"]
    not_shy = seed("rich", "She is not at all shy.").personality.traits["sociability"]
    assert shy < 50.0 < not_shy
    assert not_shy - 50.0 == pytest.approx((50.0 - shy) / 2)
    # The negation ends with its clause.
    words = trait_words("not lazy, but shy")
    assert words == [("lazy", True), ("shy", False)]


def test_a_word_counts_once_however_often_it_is_said() -> None:
    once = seed("rich", "cheerful").personality
    thrice = seed("rich", "cheerful. Cheerful! so CHEERFUL").personality
    assert once == thrice


def test_forms_of_a_word_count_as_the_word() -> None:
    assert trait_words("She smiled shyly, with a curious shyness.") == [
        ("shy", False),
        ("curious", False),
    ]
    assert trait_words("She isn\u2019t shy") == [("shy", True)]


def test_no_trait_words_leave_the_rich_traits_in_the_middle() -> None:
    seeding = seed("rich", "A lighthouse keeper.", "")
    assert set(seeding.personality.traits.values()) == {50.0}
    assert seeding.moves == () and seeding.record()["words"] == {}


def test_the_record_says_which_words_moved_which_trait() -> None:
    record = seed("rich", "cheerful but not shy").record()
    assert record["method"] == "words-v1"
    assert record["words"]["cheerful"]["optimism"] == LEXICON["cheerful"]["optimism"]
    assert record["words"]["not shy"]["sociability"] == -0.5 * LEXICON["shy"]["sociability"]
    lite = seed("lite", "cheerful").record()
    assert lite["preset"] in MBTI_PRESETS
    assert set(lite["words"]["cheerful"]) <= set(LITE_TRAITS)


def test_many_words_one_way_stay_within_the_bounds() -> None:
    text = " ".join(w for w, moves in LEXICON.items() if moves.get("sociability", 0) > 0)
    traits = seed("rich", text).personality.traits
    assert traits["sociability"] == min(SEED_MAX, 50.0 + MAX_SHIFT)


_prose = st.lists(
    st.sampled_from([*LEXICON, "not", "never", "but", ",", ".", "the", "girl", "very"]),
    max_size=30,
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(_prose, st.sampled_from(["lite", "rich"]))
def test_seeding_is_deterministic_and_bounded(text: str, mode: str) -> None:
    first, second = seed(mode, text), seed(mode, text)
    assert first == second
    traits = first.personality.traits
    if mode == "rich":
        assert set(traits) == set(RICH_TRAITS)
        assert all(SEED_MIN <= v <= SEED_MAX for v in traits.values())
        assert first.personality.mbti is None
    else:
        assert set(traits) == set(LITE_TRAITS)
        assert first.personality.mbti in MBTI_PRESETS
        assert all(0.0 <= v <= 100.0 for v in traits.values())
