"""Personality at birth: an MBTI preset (lite) or 34 traits at their initial value (rich)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from synthetic_soul.domain.facts import MBTI_PRESETS, RICH_TRAIT_INITIAL, RICH_TRAITS

TRAIT_MIN = 0.0
TRAIT_MAX = 100.0


@dataclass(frozen=True)
class Personality:
    traits: dict[str, float]
    mbti: str | None = None


def born(mode: str, rng: random.Random) -> Personality:
    """A new personality: a random MBTI preset in lite mode, neutral traits in rich mode."""
    if mode == "lite":
        kind = rng.choice(sorted(MBTI_PRESETS))
        return Personality({k: float(v) for k, v in MBTI_PRESETS[kind].items()}, kind)
    return Personality({name: RICH_TRAIT_INITIAL for name in RICH_TRAITS})


def describe(personality: Personality) -> str:
    """A short description in words: the strongest and weakest traits."""
    ranked = sorted(personality.traits.items(), key=lambda item: (-item[1], item[0]))
    high = ", ".join(name.replace("_", " ") for name, _ in ranked[:3])
    low = ", ".join(name.replace("_", " ") for name, _ in ranked[-2:])
    prefix = f"{personality.mbti}: " if personality.mbti else ""
    return f"{prefix}strongest in {high}; least {low}."


PERSONALITY_CAP_PER_EVENT = 3.0
PERSONALITY_CONFIDENCE = 0.6
_DRIFT_RATE = 0.02  # trait points per unit of appraisal signal: character changes slowly

# Which lived experience nudges which trait: (trait, appraisal field, sign).
_DRIFT: tuple[tuple[str, str, float], ...] = (
    ("warmth", "liking", 1.0),
    ("friendliness", "liking", 1.0),
    ("affection", "liking", 1.0),
    ("trust_reliability", "praiseworthiness", 1.0),
    ("trust", "praiseworthiness", 1.0),
    ("empathy_compassion", "liking", 0.5),
    ("empathy", "liking", 0.5),
    ("emotional_stability", "desirability", 0.5),
    ("mood_stability", "desirability", 0.5),
    ("optimism", "desirability", 1.0),
    ("playfulness", "desirability", 0.5),
    ("humor", "desirability", 0.5),
    ("skepticism", "praiseworthiness", -1.0),
    ("neuroticism", "desirability", -0.5),
    ("curiosity_creativity", "unexpectedness", 0.3),
    ("curiosity", "unexpectedness", 0.3),
)


def drift(
    personality: Personality, signals: dict[str, float], confidence: float = PERSONALITY_CONFIDENCE
) -> Personality:
    """Personality after one experience: a small, capped, bounded nudge per trait."""
    traits = dict(personality.traits)
    for trait, field, sign in _DRIFT:
        if trait not in traits:
            continue
        delta = _DRIFT_RATE * sign * signals.get(field, 0.0) * confidence
        delta = max(-PERSONALITY_CAP_PER_EVENT, min(PERSONALITY_CAP_PER_EVENT, delta))
        traits[trait] = min(TRAIT_MAX, max(TRAIT_MIN, traits[trait] + delta))
    return Personality(traits, personality.mbti)
