"""Appraisal to emotion: bounded, capped per event, and pointing the right way."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.domain.appraisal import (
    EMOTION_CAP_PER_EVENT,
    Appraisal,
    feel,
    potentials,
)
from synthetic_soul.domain.emotions import Emotion, initial_emotions

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


def emotions_at(mode: str, level: float) -> dict[str, Emotion]:
    return {name: Emotion(level, T0) for name in initial_emotions(mode, T0)}


@given(appraisals, modes, levels, st.integers(0, 86400))
def test_feelings_stay_within_bounds(a: Appraisal, mode: str, level: float, later: int) -> None:
    after = feel(emotions_at(mode, level), a, mode, T0 + later)
    assert set(after) == set(initial_emotions(mode, T0))
    assert all(0.0 <= e.at(T0 + later, name) <= 100.0 for name, e in after.items())


@given(appraisals, modes, levels, st.integers(0, 86400), st.floats(0, 1))
def test_one_event_raises_any_emotion_by_at_most_the_cap(
    a: Appraisal, mode: str, level: float, later: int, confidence: float
) -> None:
    before = emotions_at(mode, level)
    now = T0 + later
    after = feel(before, a, mode, now, confidence)
    for name, emotion in after.items():
        rise = emotion.at(now, name) - before[name].at(now, name)
        assert -1e-9 <= rise <= EMOTION_CAP_PER_EVENT + 1e-9
        assert emotion.t0 == now


@given(appraisals, modes)
def test_potentials_are_between_zero_and_ten(a: Appraisal, mode: str) -> None:
    assert all(0.0 <= p <= 10.0 for p in potentials(a, mode).values())


@pytest.mark.parametrize(
    ("mode", "warm"),
    [("lite", ("joy", "love")), ("rich", ("happiness", "love", "affection", "gratitude"))],
)
def test_a_kind_appraisal_raises_joy_and_love(mode: str, warm: tuple[str, ...]) -> None:
    after = feel(initial_emotions(mode, T0), KIND, mode, T0)
    for name in warm:
        assert after[name].value > 0, name
    assert after["anger"].value == 0


@pytest.mark.parametrize("mode", ["lite", "rich"])
def test_a_hostile_appraisal_raises_anger(mode: str) -> None:
    after = feel(initial_emotions(mode, T0), HOSTILE, mode, T0)
    assert after["anger"].value > 0
    assert after["disgust"].value > 0
    assert after["love"].value == 0


def test_a_neutral_appraisal_only_decays() -> None:
    before = emotions_at("lite", 50.0)
    after = feel(before, Appraisal(), "lite", T0 + 600)
    for name, emotion in after.items():
        assert emotion.value == pytest.approx(before[name].at(T0 + 600, name))


def test_less_room_means_a_smaller_rise() -> None:
    calm = feel(emotions_at("lite", 0.0), KIND, "lite", T0)["joy"].value
    glad = feel(emotions_at("lite", 95.0), KIND, "lite", T0)["joy"].value - 95.0
    assert 0 < glad < calm


def test_small_deltas_are_not_lost() -> None:
    """A faint but real event still moves the needle, every time."""
    faint = Appraisal(desirability=0.1)
    emotions = initial_emotions("lite", T0)
    for step in range(10):
        before = emotions["joy"].value
        emotions = feel(emotions, faint, "lite", T0 + step)
        assert emotions["joy"].value > before * 2.0 ** (-1 / (40 * 60))
