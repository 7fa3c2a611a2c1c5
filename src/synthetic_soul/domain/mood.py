"""Mood as a point in PAD space (ALMA, Gebhard 2005).

The default mood comes from personality (mapped onto the Big Five); active emotions pull
the mood toward their intensity-weighted PAD centre; with no emotion active the mood
returns to its default. Both moves are exponential approaches, so they are exact for any
split of elapsed time while the emotions are held fixed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from synthetic_soul.domain.personality import Personality

PULL_TIME_CONSTANT_S = 10 * 60.0
# Crossing the whole space (length sqrt(3)) back to default takes about 20 minutes.
RETURN_TIME_CONSTANT_S = 20 * 60.0 / 3.0
_ACTIVE = 5.0  # emotions weaker than this (0..100) do not move the mood


@dataclass(frozen=True)
class Mood:
    pleasure: float
    arousal: float
    dominance: float

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.pleasure, self.arousal, self.dominance)


NEUTRAL = Mood(0.0, 0.0, 0.0)

# Emotion -> PAD point. Lite names first, then the rich set (Gebhard 2005, table 1 style).
EMOTION_PAD: dict[str, tuple[float, float, float]] = {
    "joy": (0.40, 0.20, 0.10),
    "happiness": (0.40, 0.20, 0.10),
    "sadness": (-0.40, -0.20, -0.50),
    "anger": (-0.51, 0.59, 0.25),
    "fear": (-0.64, 0.60, -0.43),
    "surprise": (0.20, 0.70, -0.10),
    "love": (0.30, 0.10, 0.20),
    "disgust": (-0.60, 0.35, 0.11),
    "guilt": (-0.57, 0.28, -0.34),
    "shame": (-0.30, 0.10, -0.60),
    "pride": (0.40, 0.30, 0.30),
    "hope": (0.20, 0.20, -0.10),
    "gratitude": (0.40, 0.20, -0.30),
    "envy": (-0.40, 0.20, 0.10),
    "compassion": (0.20, 0.10, -0.10),
    "serenity": (0.40, -0.40, 0.20),
    "frustration": (-0.50, 0.40, -0.10),
    "contentment": (0.50, -0.20, 0.20),
    "anxiety": (-0.50, 0.50, -0.40),
    "loneliness": (-0.50, -0.30, -0.40),
    "embarrassment": (-0.30, 0.40, -0.50),
    "trust": (0.30, -0.10, 0.10),
    "relief": (0.20, -0.30, 0.40),
    "affection": (0.40, 0.10, 0.10),
    "bitterness": (-0.50, 0.20, 0.10),
    "excitement": (0.50, 0.70, 0.30),
    "self_loathing": (-0.60, 0.20, -0.60),
    "love_for_self": (0.40, 0.10, 0.40),
}

# Big Five from the lite traits (0..100), each factor the mean of the traits named.
_LITE_BIG_FIVE: dict[str, tuple[str, ...]] = {
    "O": ("curiosity_creativity", "adaptability", "perspective"),
    "C": ("discipline_responsibility", "trust_reliability"),
    "E": ("playfulness", "assertiveness_confidence", "warmth"),
    "A": ("warmth", "empathy_compassion", "trust_reliability"),
    "S": ("emotional_stability",),
}
_RICH_BIG_FIVE: dict[str, tuple[str, ...]] = {
    "O": ("openness", "curiosity", "creativity", "adventurousness"),
    "C": ("discipline", "patience", "loyalty"),
    "E": ("sociability", "excitement", "confidence", "assertiveness"),
    "A": ("friendliness", "empathy", "compassion", "forgiveness", "diplomacy"),
    "S": ("mood_stability", "resilience"),
}


def big_five(personality: Personality) -> dict[str, float]:
    """Openness, conscientiousness, extraversion, agreeableness, stability in [-1, 1]."""
    table = _LITE_BIG_FIVE if personality.mbti is not None else _RICH_BIG_FIVE
    traits = personality.traits
    factors: dict[str, float] = {}
    for factor, names in table.items():
        values = [traits[n] for n in names if n in traits]
        factors[factor] = (sum(values) / len(values) / 50.0 - 1.0) if values else 0.0
    if personality.mbti is None and "neuroticism" in traits:
        factors["S"] = (factors["S"] + (1.0 - traits["neuroticism"] / 50.0)) / 2.0
    return factors


def _clamp(x: float) -> float:
    return max(-1.0, min(1.0, x))


def default_mood(personality: Personality) -> Mood:
    f = big_five(personality)
    o, c, e, a, s = f["O"], f["C"], f["E"], f["A"], f["S"]
    return Mood(
        _clamp(0.21 * e + 0.59 * a + 0.19 * s),
        _clamp(0.15 * o + 0.30 * a - 0.57 * s),
        _clamp(0.25 * o + 0.17 * c + 0.60 * e - 0.32 * a),
    )


def emotion_centre(emotions: dict[str, float]) -> tuple[Mood, float] | None:
    """The intensity-weighted PAD centre of the active emotions, and their strength 0..1."""
    active = [(EMOTION_PAD[n], v) for n, v in emotions.items() if v >= _ACTIVE and n in EMOTION_PAD]
    total = sum(v for _, v in active)
    if total <= 0:
        return None
    centre = tuple(sum(pad[i] * v for pad, v in active) / total for i in range(3))
    strength = min(1.0, max(v for _, v in active) / 100.0 * 2.0)
    return Mood(*centre), strength


def _approach(current: Mood, target: Mood, elapsed_s: float, tau_s: float) -> Mood:
    keep = math.exp(-max(0.0, elapsed_s) / tau_s)
    return Mood(
        *(t + (c - t) * keep for c, t in zip(current.as_tuple(), target.as_tuple(), strict=True))
    )


def evolve(mood: Mood, default: Mood, emotions: dict[str, float], elapsed_s: float) -> Mood:
    """The mood after `elapsed_s` seconds with these emotions active (held fixed)."""
    pulled = emotion_centre(emotions)
    if pulled is None:
        return _approach(mood, default, elapsed_s, RETURN_TIME_CONSTANT_S)
    centre, strength = pulled
    target = Mood(
        *(
            d + (c - d) * strength
            for d, c in zip(default.as_tuple(), centre.as_tuple(), strict=True)
        )
    )
    return _approach(mood, target, elapsed_s, PULL_TIME_CONSTANT_S)


_OCTANTS = {
    (True, True, True): "exuberant",
    (False, False, False): "bored",
    (True, True, False): "dependent",
    (False, False, True): "disdainful",
    (True, False, True): "relaxed",
    (False, True, False): "anxious",
    (True, False, False): "docile",
    (False, True, True): "hostile",
}


def octant(mood: Mood) -> str:
    """ALMA's name for the mood's octant, with 'neutral' close to the origin."""
    if max(abs(x) for x in mood.as_tuple()) < 0.1:
        return "neutral"
    return _OCTANTS[(mood.pleasure >= 0, mood.arousal >= 0, mood.dominance >= 0)]


def intensity(mood: Mood) -> str:
    distance = math.sqrt(sum(x * x for x in mood.as_tuple())) / math.sqrt(3)
    return "slightly" if distance < 0.33 else "moderately" if distance < 0.66 else "fully"
