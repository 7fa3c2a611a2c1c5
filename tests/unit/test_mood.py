"""Mood (ALMA): default from personality, pushed by what is felt, home again over time."""

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
    intensity,
    octant,
    push,
    settle,
)
from synthetic_soul.domain.personality import Personality, born

pads = st.floats(-1, 1)
moods = st.builds(Mood, pads, pads, pads)
changes = st.dictionaries(
    st.sampled_from(["joy", "sadness", "anger", "fear", "surprise", "love", "disgust"]),
    st.floats(-100, 100),
)


@pytest.mark.parametrize("kind", sorted(MBTI_PRESETS))
def test_default_moods_are_in_the_pad_cube(kind: str) -> None:
    mood = default_mood(Personality({k: float(v) for k, v in MBTI_PRESETS[kind].items()}, kind))
    assert all(-1.0 <= x <= 1.0 for x in mood.as_tuple())


def test_warm_outgoing_characters_start_more_pleasant_than_cool_ones() -> None:
    def preset(kind: str) -> Personality:
        return Personality({k: float(v) for k, v in MBTI_PRESETS[kind].items()}, kind)

    assert default_mood(preset("ENFJ")).pleasure > default_mood(preset("INTJ")).pleasure


@given(moods, st.lists(changes, max_size=20), moods, st.floats(0, 86400))
def test_mood_stays_in_the_cube(
    mood: Mood, events: list[dict[str, float]], home: Mood, dt: float
) -> None:
    for felt in events:
        mood = push(mood, felt)
        assert all(-1.0 <= x <= 1.0 for x in mood.as_tuple())
    later = settle(mood, home, dt)
    assert all(-1.0 - 1e-9 <= x <= 1.0 + 1e-9 for x in later.as_tuple())


@given(moods, moods, st.floats(0, 7200), st.floats(0, 7200))
def test_settling_is_exact_for_any_split(mood: Mood, home: Mood, a: float, b: float) -> None:
    whole = settle(mood, home, a + b)
    split = settle(settle(mood, home, a), home, b)
    assert whole.as_tuple() == pytest.approx(split.as_tuple(), abs=1e-9)


@given(moods, moods, st.floats(0, 7200), st.floats(0, 7200))
def test_settling_only_ever_comes_closer_to_home(
    mood: Mood, home: Mood, a: float, b: float
) -> None:
    def gap(m: Mood) -> float:
        return sum((x - y) ** 2 for x, y in zip(m.as_tuple(), home.as_tuple(), strict=True))

    sooner, later = settle(mood, home, min(a, b)), settle(mood, home, max(a, b))
    assert gap(later) <= gap(sooner) + 1e-12


def test_joy_pushes_the_mood_toward_pleasure_and_anger_toward_hostility() -> None:
    glad = push(NEUTRAL, {"joy": 25.0})
    assert glad.pleasure > 0.05
    cross = push(push(NEUTRAL, {"anger": 25.0}), {"anger": 20.0})
    assert octant(cross) == "hostile"
    # A fall counts against its emotion: sadness easing brightens the mood.
    assert push(NEUTRAL, {"sadness": -20.0}).pleasure > 0


def test_without_feelings_the_mood_returns_home() -> None:
    home = default_mood(born("lite", random.Random(2)))
    far = Mood(-1.0, 1.0, -1.0)
    back = settle(far, home, 3 * 3600)
    assert back.as_tuple() == pytest.approx(home.as_tuple(), abs=0.01)


def test_nothing_felt_leaves_the_mood_alone() -> None:
    mood = Mood(0.3, -0.2, 0.1)
    assert push(mood, {}) == mood
    assert push(mood, {"joy": 0.0, "unknown": 40.0}) == mood


def test_names_for_moods() -> None:
    assert octant(NEUTRAL) == "neutral"
    assert octant(Mood(0.5, 0.5, 0.5)) == "exuberant"
    assert octant(Mood(-0.5, 0.5, -0.5)) == "anxious"
    assert octant(Mood(0.5, -0.5, 0.5)) == "relaxed"
    assert intensity(Mood(0.05, 0, 0)) == "slightly"
    assert intensity(Mood(1, 1, 1)) == "fully"
