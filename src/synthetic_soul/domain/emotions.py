"""Emotion sets and exact lazy decay: a value is stored as (v0, t0), read at `now`."""

from __future__ import annotations

from dataclasses import dataclass

from synthetic_soul.domain.facts import LITE_EMOTIONS, RICH_EMOTIONS

MIN_VALUE = 0.0
MAX_VALUE = 100.0

# Half-lives in seconds: startle fades in minutes, attachment over hours.
_HALF_LIFE_S: dict[str, float] = {
    "surprise": 5 * 60,
    "excitement": 15 * 60,
    "embarrassment": 15 * 60,
    "fear": 20 * 60,
    "anxiety": 40 * 60,
    "anger": 20 * 60,
    "frustration": 30 * 60,
    "disgust": 20 * 60,
    "joy": 40 * 60,
    "happiness": 40 * 60,
    "relief": 20 * 60,
    "sadness": 90 * 60,
    "loneliness": 3 * 3600,
    "love": 6 * 3600,
    "affection": 4 * 3600,
    "trust": 8 * 3600,
    "love_for_self": 8 * 3600,
    "bitterness": 3 * 3600,
}
_DEFAULT_HALF_LIFE_S = 60 * 60


def emotion_names(mode: str) -> tuple[str, ...]:
    return LITE_EMOTIONS if mode == "lite" else RICH_EMOTIONS


def half_life(name: str) -> float:
    return _HALF_LIFE_S.get(name, _DEFAULT_HALF_LIFE_S)


def clamp(value: float, low: float = MIN_VALUE, high: float = MAX_VALUE) -> float:
    return min(high, max(low, value))


@dataclass(frozen=True)
class Emotion:
    """An intensity known at time t0; its current value decays toward a baseline."""

    value: float
    t0: float

    def at(self, now: float, name: str, baseline: float = 0.0) -> float:
        elapsed = max(0.0, now - self.t0)
        factor: float = 2.0 ** (-elapsed / half_life(name))
        return clamp(baseline + (self.value - baseline) * factor)


def initial_emotions(mode: str, now: float) -> dict[str, Emotion]:
    return {name: Emotion(0.0, now) for name in emotion_names(mode)}
