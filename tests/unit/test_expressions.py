"""Expression names: the model's pick, the fallback from feelings, and safe image names."""

from __future__ import annotations

import pytest

from synthetic_soul.domain.expressions import (
    DEFAULT_EXPRESSION,
    EXPRESSIONS,
    IMAGE_EXTENSIONS,
    choose,
    from_emotions,
    image_candidates,
    normalize,
)


def test_normalize() -> None:
    assert normalize("joy_happy") == "joy_happy"
    assert normalize("  Joy_Happy ") == "joy_happy"
    assert normalize("neutral") == "neutral_listening"
    assert normalize("NEUTRAL") == "neutral_listening"
    assert normalize("ecstatic") is None
    assert normalize("") is None


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_every_expression_normalizes_to_itself(name: str) -> None:
    assert normalize(name) == name


def test_choose_prefers_a_valid_pick() -> None:
    assert choose("thinking", {"anger": 90.0}) == "thinking"
    assert choose("neutral", {"anger": 90.0}) == "neutral_listening"


def test_choose_falls_back_to_the_dominant_emotion() -> None:
    assert choose(None, {"joy": 60.0, "anger": 20.0}) == "joy_happy"
    assert choose("not-a-face", {"anger": 60.0, "joy": 20.0}) == "anger_frustration"
    assert choose("", {"sadness": 40.0}) == "sad"


def test_weak_or_no_feelings_show_the_default() -> None:
    assert choose(None, {}) == DEFAULT_EXPRESSION
    assert choose(None, {"joy": 9.9, "anger": 5.0}) == DEFAULT_EXPRESSION
    assert from_emotions({"guilt": 0.0}) == DEFAULT_EXPRESSION


def test_the_fallback_is_deterministic_on_ties() -> None:
    assert from_emotions({"joy": 50.0, "anger": 50.0}) == from_emotions(
        {"anger": 50.0, "joy": 50.0}
    )


def test_every_fallback_is_a_known_expression() -> None:
    from synthetic_soul.domain.facts import LITE_EMOTIONS, RICH_EMOTIONS

    for name in set(LITE_EMOTIONS) | set(RICH_EMOTIONS):
        assert from_emotions({name: 80.0}) in EXPRESSIONS, name


def test_image_candidates_try_the_requested_extension_first() -> None:
    assert image_candidates("joy_happy.png") == ["joy_happy.png"] + [
        f"joy_happy{e}" for e in IMAGE_EXTENSIONS if e != ".png"
    ]
    assert image_candidates("joy_happy.WEBP")[0] == "joy_happy.webp"
    assert image_candidates("joy_happy") == [f"joy_happy{e}" for e in IMAGE_EXTENSIONS]


def test_image_candidates_apply_the_alias() -> None:
    assert image_candidates("neutral.png")[0] == "neutral_listening.png"
    assert image_candidates("neutral") == [f"neutral_listening{e}" for e in IMAGE_EXTENSIONS]


@pytest.mark.parametrize(
    "unsafe",
    [
        "../x",
        "../joy_happy.png",
        "a/b",
        "a\\b.png",
        ".png",
        ".",
        "..",
        "",
        "%2e",
        "%2e%2e%2fsecret",
        "joy happy.png",
        "joy_happy.png.",
        "a.b.png",
        "joy_happy\x00.png",
        "jöy.png",
        "/etc/passwd",
    ],
)
def test_unsafe_image_names_yield_nothing(unsafe: str) -> None:
    assert image_candidates(unsafe) == []
