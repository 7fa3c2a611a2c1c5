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
