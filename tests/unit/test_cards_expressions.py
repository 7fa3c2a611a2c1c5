"""A card's emotion images put to our expression names; what matches nothing is dropped."""

from __future__ import annotations

import pytest

from synthetic_soul.cards import Asset, emotion_assets, expression_for, map_names
from synthetic_soul.cards.expressions import SYNONYMS
from synthetic_soul.domain.expressions import EXPRESSIONS

# The labels of SillyTavern's emotion classifier, which its sprite packs are named after.
SILLYTAVERN = [
    "admiration",
    "amusement",
    "anger",
    "annoyance",
    "approval",
    "caring",
    "confusion",
    "curiosity",
    "desire",
    "disappointment",
    "disapproval",
    "disgust",
    "embarrassment",
    "excitement",
    "fear",
    "gratitude",
    "grief",
    "joy",
    "love",
    "nervousness",
    "neutral",
    "optimism",
    "pride",
    "realization",
    "relief",
    "remorse",
    "sadness",
    "surprise",
]


def test_every_synonym_leads_to_one_of_our_expressions() -> None:
    assert set(SYNONYMS.values()) <= set(EXPRESSIONS)


def test_every_sillytavern_sprite_label_finds_an_expression() -> None:
    assert all(expression_for(label) in EXPRESSIONS for label in SILLYTAVERN)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("happy", "joy_happy"),
        ("Joy", "joy_happy"),
        ("joy_happy", "joy_happy"),
        ("Joy-Happy.PNG", "joy_happy"),
        ("sad 2", "sad"),
        ("neutral", "neutral_listening"),
        ("Blush", "blushing"),
        ("thinking_hard", "thinking_hard"),
        ("banana", None),
        ("", None),
        ("___", None),
    ],
)
def test_a_name_is_tidied_then_matched(name: str, expected: str | None) -> None:
    assert expression_for(name) == expected


def test_an_exact_name_beats_a_synonym_and_unknown_names_drop_out() -> None:
    assert map_names(["happy", "joy_happy", "banana", "smile", "sad"]) == {
        "joy_happy": "joy_happy",
        "polite_smile": "smile",
        "sad": "sad",
    }
    # Between two synonyms the first one met keeps the expression.
    assert map_names(["annoyance", "disapproval"]) == {"skeptical_unimpressed": "annoyance"}


def test_only_emotion_assets_become_expressions() -> None:
    assets = (
        Asset("icon", "ccdefault:", "main", "png"),
        Asset("emotion", "embeded://assets/e/joy.png", "joy", "png"),
        Asset("background", "embeded://assets/bg/joy.png", "joy", "png"),
        Asset("emotion", "embeded://assets/e/x.png", "xyzzy", "png"),
        Asset("emotion", "embeded://assets/e/angry.webp", "angry", "webp"),
    )
    got = emotion_assets(assets)
    assert got == {
        "joy_happy": assets[1],
        "anger_frustration": assets[4],
    }
    assert emotion_assets(None) == {}
