"""Affect dynamics: appraisal to emotion, mood feedback, personality, bounds and caps."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.domain.affect import (
    EMOTION_CAP_PER_EVENT,
    Affect,
    baselines,
    feel,
)
from synthetic_soul.domain.appraisal import Appraisal, potentials
from synthetic_soul.domain.emotions import Emotion, initial_emotions
from synthetic_soul.domain.mood import NEUTRAL, Mood, default_mood
from synthetic_soul.domain.personality import Personality, born

T0 = 1_700_000_000.0
KIND = Appraisal(desirability=8, praiseworthiness=8, liking=8, unexpectedness=2)
HOSTILE = Appraisal(desirability=-6, praiseworthiness=-9, liking=-8, unexpectedness=4)

appraisals = st.builds(
    Appraisal,
    desirability=st.floats(-10, 10),
    praiseworthiness=st.floats(-10, 10),
    liking=st.floats(-10, 10),
    unexpectedness=st.floats(0, 10),
)
modes = st.sampled_from(["lite", "rich"])
levels = st.floats(0, 100)
seeds = st.integers(0, 2**16)


def character(mode: str, seed: int = 1) -> Personality:
    return born(mode, random.Random(seed))


def affect_at(mode: str, level: float, mood: Mood = NEUTRAL) -> Affect:
    return Affect({n: Emotion(level, T0) for n in initial_emotions(mode, T0)}, mood, T0)


def values(affect: Affect, personality: Personality, now: float) -> dict[str, float]:
    return affect.emotions_at(personality, now)


@given(appraisals, modes, levels, st.integers(0, 86400), seeds)
def test_feelings_stay_within_bounds(
    a: Appraisal, mode: str, level: float, later: int, seed: int
) -> None:
    p = character(mode, seed)
    after = feel(affect_at(mode, level), a, mode, p, T0 + later)
    assert set(after.emotions) == set(initial_emotions(mode, T0))
    assert all(0.0 <= v <= 100.0 for v in values(after, p, T0 + later).values())
    assert all(-1.0 <= x <= 1.0 for x in after.mood.as_tuple())


@given(appraisals, modes, levels, st.integers(0, 86400), st.floats(0, 1), seeds)
def test_one_event_raises_any_emotion_by_at_most_the_cap(
    a: Appraisal, mode: str, level: float, later: int, confidence: float, seed: int
) -> None:
    p = character(mode, seed)
    before = affect_at(mode, level)
    now = T0 + later
    after = feel(before, a, mode, p, now, confidence)
    was, now_values = values(before, p, now), values(after, p, now)
    for name, value in now_values.items():
        assert value - was[name] <= EMOTION_CAP_PER_EVENT + 1e-9
        assert after.emotions[name].t0 == now


@given(appraisals, modes)
def test_potentials_are_between_zero_and_ten(a: Appraisal, mode: str) -> None:
    assert all(0.0 <= p <= 10.0 for p in potentials(a, mode).values())


@pytest.mark.parametrize(
    ("mode", "warm"),
    [("lite", ("joy", "love")), ("rich", ("happiness", "love", "affection", "gratitude"))],
)
def test_a_kind_appraisal_raises_joy_and_love(mode: str, warm: tuple[str, ...]) -> None:
    p = character(mode)
    before = affect_at(mode, 0.0)
    after = feel(before, KIND, mode, p, T0)
    for name in warm:
        assert after.emotions[name].value > before.emotions[name].value, name
    assert after.emotions["anger"].value == 0


@pytest.mark.parametrize("mode", ["lite", "rich"])
def test_a_hostile_appraisal_raises_anger_and_lowers_love(mode: str) -> None:
    p = character(mode)
    after = feel(affect_at(mode, 30.0), HOSTILE, mode, p, T0)
    assert after.emotions["anger"].value > 30.0
    assert after.emotions["disgust"].value > 30.0
    assert after.emotions["love"].value < 30.0


def test_a_neutral_appraisal_only_decays() -> None:
    p = character("lite")
    before = affect_at("lite", 50.0)
    after = feel(before, Appraisal(), "lite", p, T0 + 600)
    expected = values(before, p, T0 + 600)
    for name, emotion in after.emotions.items():
        assert emotion.value == pytest.approx(expected[name])


def test_less_room_means_a_smaller_rise() -> None:
    p = character("lite")
    calm = feel(affect_at("lite", 0.0), KIND, "lite", p, T0).emotions["joy"].value
    glad = feel(affect_at("lite", 95.0), KIND, "lite", p, T0).emotions["joy"].value - 95.0
    assert 0 < glad < calm


def test_small_deltas_are_not_lost() -> None:
    """A faint but real event still moves the needle, every time."""
    p = character("lite")
    faint = Appraisal(desirability=0.1)
    # At the character's own resting mood: the mood colours appraisal from its default.
    affect = affect_at("lite", 0.0, default_mood(p))
    for step in range(10):
        now = T0 + step
        before = values(affect, p, now)["joy"]
        affect = feel(affect, faint, "lite", p, now)
        assert affect.emotions["joy"].value > before


def test_a_pleasant_mood_makes_good_news_feel_better() -> None:
    p = character("lite")
    glum = feel(affect_at("lite", 0.0, Mood(-0.8, 0, 0)), KIND, "lite", p, T0)
    bright = feel(affect_at("lite", 0.0, Mood(0.8, 0, 0)), KIND, "lite", p, T0)
    assert bright.emotions["joy"].value > glum.emotions["joy"].value


def test_stability_damps_negative_emotions() -> None:
    steady = Personality({"emotional_stability": 100.0}, "ISTJ")
    shaky = Personality({"emotional_stability": 0.0}, "ISTJ")
    calm = feel(affect_at("lite", 0.0), HOSTILE, "lite", steady, T0).emotions["anger"].value
    hurt = feel(affect_at("lite", 0.0), HOSTILE, "lite", shaky, T0).emotions["anger"].value
    assert 0 < calm < hurt


@given(modes, seeds, st.integers(0, 10**6))
def test_emotions_come_to_rest_at_their_baselines(mode: str, seed: int, later: int) -> None:
    p = character(mode, seed)
    rest = baselines(p, list(initial_emotions(mode, T0)))
    far = T0 + later + 30 * 86400
    for name, value in values(affect_at(mode, 90.0), p, far).items():
        assert value == pytest.approx(rest[name], abs=1e-3)


@given(modes, seeds)
def test_mood_returns_home_when_nothing_is_felt(mode: str, seed: int) -> None:
    from synthetic_soul.domain.mood import default_mood

    p = character(mode, seed)
    rest = baselines(p, list(initial_emotions(mode, T0)))
    affect = Affect({n: Emotion(v, T0) for n, v in rest.items()}, Mood(-1, -1, -1), T0)
    home = default_mood(p)
    later = affect.mood_at(p, T0 + 6 * 3600)
    assert all(abs(x) <= 1.0 for x in later.as_tuple())
    start = sum((a - b) ** 2 for a, b in zip((-1, -1, -1), home.as_tuple(), strict=True))
    end = sum((a - b) ** 2 for a, b in zip(later.as_tuple(), home.as_tuple(), strict=True))
    assert end < start
