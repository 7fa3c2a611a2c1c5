"""Exact lazy decay: bounded, monotone toward the baseline, and path independent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synthetic_soul.domain.emotions import (
    Emotion,
    emotion_names,
    half_life,
    initial_emotions,
)
from synthetic_soul.domain.facts import LITE_EMOTIONS, RICH_EMOTIONS

T0 = 1_700_000_000  # integer seconds keep the time arithmetic itself exact

names = st.sampled_from(sorted(set(LITE_EMOTIONS) | set(RICH_EMOTIONS)))
values = st.floats(min_value=0.0, max_value=100.0)
spans = st.integers(min_value=0, max_value=7 * 86400)


@given(names, values, values, spans, spans)
def test_decay_over_a_plus_b_is_decay_over_b_of_decay_over_a(
    name: str, value: float, baseline: float, a: int, b: int
) -> None:
    emotion = Emotion(value, T0)
    direct = emotion.at(T0 + a + b, name, baseline)
    midway = Emotion(emotion.at(T0 + a, name, baseline), T0 + a)
    stepwise = midway.at(T0 + a + b, name, baseline)
    assert direct == pytest.approx(stepwise, abs=1e-9)


@given(names, st.floats(min_value=-1e6, max_value=1e6), values, spans)
def test_values_stay_within_bounds(name: str, value: float, baseline: float, elapsed: int) -> None:
    assert 0.0 <= Emotion(value, T0).at(T0 + elapsed, name, baseline) <= 100.0


@given(names, values, values, spans, spans)
def test_decay_moves_monotonically_toward_the_baseline(
    name: str, value: float, baseline: float, earlier: int, extra: int
) -> None:
    emotion = Emotion(value, T0)
    first = emotion.at(T0 + earlier, name, baseline)
    later = emotion.at(T0 + earlier + extra, name, baseline)
    assert abs(later - baseline) <= abs(first - baseline) + 1e-12
    # Never overshoots: stays on the side of the baseline it started on.
    assert (later - baseline) * (value - baseline) >= 0


@given(names, values, values)
def test_no_time_no_change(name: str, value: float, baseline: float) -> None:
    assert Emotion(value, T0).at(T0, name, baseline) == pytest.approx(value, abs=1e-12)


@given(names, values, st.integers(min_value=1, max_value=3600))
def test_reading_before_t0_does_not_grow_the_value(name: str, value: float, before: int) -> None:
    assert Emotion(value, T0).at(T0 - before, name) == pytest.approx(value, abs=1e-12)


@pytest.mark.parametrize("name", ["joy", "surprise", "love", "guilt"])
def test_one_half_life_halves_the_distance_to_the_baseline(name: str) -> None:
    emotion = Emotion(80.0, T0)
    assert emotion.at(T0 + half_life(name), name) == pytest.approx(40.0)
    assert emotion.at(T0 + half_life(name), name, baseline=20.0) == pytest.approx(50.0)


def test_startle_fades_faster_than_attachment() -> None:
    assert half_life("surprise") < half_life("joy") < half_life("love")


def test_initial_emotions_and_their_current_values() -> None:
    assert tuple(initial_emotions("lite", T0)) == LITE_EMOTIONS == emotion_names("lite")
    assert tuple(initial_emotions("rich", T0)) == RICH_EMOTIONS == emotion_names("rich")
    assert {e.at(T0 + 60, n) for n, e in initial_emotions("rich", T0).items()} == {0.0}
