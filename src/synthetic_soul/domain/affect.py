"""Affect dynamics: baselines from personality, appraisal to emotion with mood feedback,
personality modulation and saturating reinforcement, and the mood that follows.

Pure functions of state, event and `now`. Emotions are (value, t0) pairs decaying toward
their baselines; a rise is `cap * (1 - exp(-(x / scale) ** 2)) * room`, where x is the
confidence-weighted potential (0..10) and room the share of the scale left: an S-curve that
barely moves for mild events, answers strong ones strongly, never passes the per-event cap,
and vanishes near the top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from synthetic_soul.domain.appraisal import Appraisal, potentials
from synthetic_soul.domain.emotions import MAX_VALUE, Emotion, clamp
from synthetic_soul.domain.mood import Mood, big_five, default_mood, push, settle
from synthetic_soul.domain.personality import Personality

# The most one event can raise an emotion (0..100): a strong event (potential 8) raises it
# by about 22, three in a minute bring it to about 52, a mild one (potential 3) by about 5.
EMOTION_CAP_PER_EVENT = 30.0
# The confidence-weighted potential (0..10) at which a rise reaches 63% of the cap.
EMOTION_RISE_SCALE = 4.9
EMOTION_CONFIDENCE = 0.7
# Potential points (0..10) that a mood a whole unit of pleasure above (below) its default
# adds to positive (negative) emotions and removes from the others. Measured from the
# default: the resting mood's own colour is already in the personality's gain.
MOOD_FEEDBACK = 2.0
# Personality changes how strongly a feeling lands, within these bounds: a very stable or
# very cool character still feels a strong event as one.
_GAIN_RANGE = (0.8, 1.25)

POSITIVE = frozenset(
    {
        "joy",
        "happiness",
        "love",
        "pride",
        "hope",
        "gratitude",
        "compassion",
        "serenity",
        "contentment",
        "trust",
        "relief",
        "affection",
        "excitement",
        "love_for_self",
    }
)
NEGATIVE = frozenset(
    {
        "sadness",
        "anger",
        "fear",
        "disgust",
        "guilt",
        "shame",
        "envy",
        "frustration",
        "anxiety",
        "loneliness",
        "embarrassment",
        "bitterness",
        "self_loathing",
    }
)
# A potential for the key soothes these (by half of what it would add to itself).
_SOOTHES: dict[str, tuple[str, ...]] = {
    "joy": ("sadness",),
    "happiness": ("sadness", "loneliness"),
    "love": ("disgust",),
    "affection": ("loneliness",),
    "sadness": ("joy", "happiness", "contentment"),
    "anger": ("joy", "love", "happiness", "trust", "serenity"),
    "fear": ("serenity", "contentment"),
    "disgust": ("love", "affection"),
}


def valence(name: str) -> int:
    return 1 if name in POSITIVE else -1 if name in NEGATIVE else 0


def baselines(personality: Personality, names: tuple[str, ...] | list[str]) -> dict[str, float]:
    """Where each emotion rests: a little warmth for agreeable, outgoing characters,
    a little unease for unstable ones, nothing for most."""
    f = big_five(personality)
    warm = max(0.0, (f["A"] + f["E"]) / 2.0)
    uneasy = max(0.0, -f["S"])
    rest: dict[str, float] = {}
    for name in names:
        if name in ("joy", "happiness", "contentment", "serenity"):
            rest[name] = 4.0 + 8.0 * warm
        elif name in ("love", "affection", "trust", "compassion"):
            rest[name] = 2.0 + 6.0 * max(0.0, f["A"])
        elif name in ("fear", "anxiety", "sadness"):
            rest[name] = 6.0 * uneasy
        else:
            rest[name] = 0.0
    return rest


def _gain(name: str, f: dict[str, float]) -> float:
    """How strongly this character feels an emotion: stability damps the negative ones,
    agreeableness raises love and damps anger, extraversion brightens joy."""
    gain = 1.0
    if name in NEGATIVE:
        gain *= 1.0 - 0.4 * f["S"]
    if name in ("love", "affection", "compassion", "gratitude"):
        gain *= 1.0 + 0.4 * f["A"]
    if name in ("anger", "bitterness", "frustration"):
        gain *= 1.0 - 0.3 * f["A"]
    if name in ("joy", "happiness", "excitement"):
        gain *= 1.0 + 0.2 * f["E"]
    if name == "surprise":
        gain *= 1.0 + 0.2 * f["O"]
    return min(_GAIN_RANGE[1], max(_GAIN_RANGE[0], gain))


def _rise(potential: float, current: float, confidence: float) -> float:
    x = max(0.0, potential) * confidence / EMOTION_RISE_SCALE
    room = (MAX_VALUE - current) / MAX_VALUE
    return EMOTION_CAP_PER_EVENT * (1.0 - math.exp(-x * x)) * room


@dataclass(frozen=True)
class Affect:
    """The agent's feelings: emotions with their clocks, and the mood with its own."""

    emotions: dict[str, Emotion]
    mood: Mood
    mood_t0: float

    def emotions_at(self, personality: Personality, now: float) -> dict[str, float]:
        rest = baselines(personality, list(self.emotions))
        return {n: e.at(now, n, rest[n]) for n, e in self.emotions.items()}

    def mood_at(self, personality: Personality, now: float) -> Mood:
        """The mood at `now`, settling toward the default since the last event."""
        return settle(self.mood, default_mood(personality), now - self.mood_t0)


def feel(
    affect: Affect,
    appraisal: Appraisal,
    mode: str,
    personality: Personality,
    now: float,
    confidence: float = EMOTION_CONFIDENCE,
    affinity: float = 0.0,
) -> Affect:
    """The affect after one appraised event at `now`, told by a user of `affinity`
    (-100..100; 0, a stranger's, when no one in particular is concerned)."""
    pots = potentials(appraisal, mode, affinity)
    return feel_potentials(affect, pots, personality, now, confidence)


def feel_potentials(
    affect: Affect,
    pots: dict[str, float],
    personality: Personality,
    now: float,
    confidence: float = EMOTION_CONFIDENCE,
) -> Affect:
    """The affect after an event given as emotion potentials (0..10): an appraised message
    (`feel`) or an occasion that is no message (`occasions`)."""
    confidence = min(1.0, max(0.0, confidence))
    mood = affect.mood_at(personality, now)
    lift = mood.pleasure - default_mood(personality).pleasure
    rest = baselines(personality, list(affect.emotions))
    f = big_five(personality)
    current = {n: e.at(now, n, rest[n]) for n, e in affect.emotions.items()}
    felt: dict[str, float] = {}
    for name, p in pots.items():
        if p > 0 and name in current:
            p = max(0.0, p + valence(name) * lift * MOOD_FEEDBACK)
            felt[name] = min(10.0, p * _gain(name, f))
    updated = dict(current)
    for name, p in felt.items():
        updated[name] = updated[name] + _rise(p, current[name], confidence)
    for name, p in felt.items():
        for other in _SOOTHES.get(name, ()):
            if other in updated:
                fall = 0.5 * _rise(p, 0.0, confidence) * current[other] / MAX_VALUE
                updated[other] = updated[other] - fall
    emotions = {n: Emotion(clamp(v), max(now, affect.emotions[n].t0)) for n, v in updated.items()}
    changes = {n: e.value - current[n] for n, e in emotions.items()}
    return Affect(emotions, push(mood, changes), now)
