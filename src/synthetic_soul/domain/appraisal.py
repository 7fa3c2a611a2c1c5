"""OCC-style appraisal of an event, and the fixed table from appraisal to emotion potentials.

Appraisal variables are -10..10 (unexpectedness 0..10); potentials are 0..10. What the
potentials do to the current emotions is `affect.feel`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Appraisal:
    desirability: float = 0.0
    praiseworthiness: float = 0.0
    liking: float = 0.0
    unexpectedness: float = 0.0


def _pos(x: float) -> float:
    return max(0.0, x)


def _neg(x: float) -> float:
    return max(0.0, -x)


def potentials(a: Appraisal, mode: str) -> dict[str, float]:
    """Emotion potentials (0..10) for the active emotion set."""
    threat = _neg(a.desirability) * a.unexpectedness / 10.0
    base = {
        "joy": _pos(a.desirability),
        "sadness": _neg(a.desirability) * 0.8,
        "anger": _neg(a.praiseworthiness),
        "fear": threat,
        "surprise": a.unexpectedness,
        "love": _pos(a.liking) * 0.8,
        "disgust": _neg(a.liking) * 0.6,
    }
    if mode == "lite":
        return base
    praise, want, like = a.praiseworthiness, a.desirability, a.liking
    return {
        "happiness": base["joy"],
        "sadness": base["sadness"],
        "anger": base["anger"],
        "fear": threat,
        "surprise": a.unexpectedness,
        "disgust": base["disgust"],
        "love": base["love"] * 0.7,
        "affection": _pos(like),
        "gratitude": min(_pos(praise), _pos(want)),
        "trust": _pos(praise) * 0.5,
        "compassion": _pos(like) * _neg(want) / 10.0,
        "frustration": _neg(want) * 0.7,
        "bitterness": _neg(praise) * 0.4,
        "hope": _pos(want) * 0.4,
        "excitement": _pos(want) * a.unexpectedness / 10.0,
        "contentment": _pos(want) * 0.5,
        "anxiety": threat * 0.8,
        "embarrassment": 0.0,
    }
