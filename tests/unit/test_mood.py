"""Mood (ALMA): default from personality, pulled by emotions, home again without them."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.domain.facts import MBTI_PRESETS
from synthetic_soul.domain.mood import (
    NEUTRAL,
    Mood,
    default_mood,
    emotion_centre,
    evolve,
    intensity,
    octant,
)
from synthetic_soul.domain.personality import Personality, born

pads = st.floats(-1, 1)
moods = st.builds(Mood, pads, pads, pads)
feelings = st.dictionaries(
    st.sampled_from(["joy", "sadness", "anger", "fear", "surprise", "love", "disgust"]),
    st.floats(0, 100),
)


@pytest.mark.parametrize("kind", sorted(MBTI_PRESETS))
def test_default_moods_are_in_the_pad_cube(kind: str) -> None:
    mood = default_mood(Personality({k: float(v) for k, v in MBTI_PRESETS[kind].items()}, kind))
    assert all(-1.0 <= x <= 1.0 for x in mood.as_tuple())


def test_warm_outgoing_characters_start_more_pleasant_than_cool_ones() -> None:
    def preset(kind: str) -> Personality:
        return Personality({k: float(v) for k, v in MBTI_PRESETS[kind].items()}, kind)

    assert default_mood(preset("ENFJ")).pleasure > default_mood(preset("INTJ")).pleasure


@given(moods, moods, feelings, st.floats(0, 86400))
def test_mood_stays_in_the_cube(mood: Mood, home: Mood, felt: dict[str, float], dt: float) -> None:
    later = evolve(mood, home, felt, dt)
    assert all(-1.0 - 1e-9 <= x <= 1.0 + 1e-9 for x in later.as_tuple())


@given(moods, moods, feelings, st.floats(0, 7200), st.floats(0, 7200))
def test_with_feelings_held_fixed_mood_moves_exactly_for_any_split(
    mood: Mood, home: Mood, felt: dict[str, float], a: float, b: float
) -> None:
    whole = evolve(mood, home, felt, a + b)
    split = evolve(evolve(mood, home, felt, a), home, felt, b)
    assert whole.as_tuple() == pytest.approx(split.as_tuple(), abs=1e-9)


def test_joy_pulls_the_mood_toward_pleasure_and_anger_toward_hostility() -> None:
    glad = evolve(NEUTRAL, NEUTRAL, {"joy": 80.0}, 600)
    assert glad.pleasure > 0.05
    cross = evolve(NEUTRAL, NEUTRAL, {"anger": 80.0}, 1800)
    assert octant(cross) == "hostile"


def test_without_feelings_the_mood_returns_home() -> None:
    home = default_mood(born("lite", random.Random(2)))
    far = Mood(-1.0, 1.0, -1.0)
    back = evolve(far, home, {}, 3 * 3600)
    assert back.as_tuple() == pytest.approx(home.as_tuple(), abs=0.01)


def test_weak_feelings_have_no_centre() -> None:
    assert emotion_centre({"joy": 1.0}) is None
    centre = emotion_centre({"joy": 50.0, "sadness": 50.0})
    assert centre is not None


def test_names_for_moods() -> None:
    assert octant(NEUTRAL) == "neutral"
    assert octant(Mood(0.5, 0.5, 0.5)) == "exuberant"
    assert octant(Mood(-0.5, 0.5, -0.5)) == "anxious"
    assert octant(Mood(0.5, -0.5, 0.5)) == "relaxed"
    assert intensity(Mood(0.05, 0, 0)) == "slightly"
    assert intensity(Mood(1, 1, 1)) == "fully"
