"""A grudge: the agent's memory of being hurt by one user, kept in that user's profile doc.

It is one number in 0..1. Hostile turns raise it, kind turns wear it down, days of silence
let it fade, and while it lasts it damps how far a kind turn can restore warm sentiments,
so that an apology is the start of a reconciliation rather than an eraser.
"""

from __future__ import annotations

from typing import Any

GRUDGE_KEY = "grudge"
GRUDGE_AT_KEY = "grudge_at"
# Old profile docs lack these keys: no grudge, nothing to fade.
GRUDGE_DEFAULTS: dict[str, Any] = {GRUDGE_KEY: 0.0, GRUDGE_AT_KEY: None}

# A full-strength insult from a stranger leaves half a grudge; from someone the agent was
# close to, up to a whole one (0.5 keeps `rise * (1 + closeness)` within 1).
GRUDGE_PER_HURT = 0.5
# While held, a kind turn restores warm sentiments by `1 - 0.9 * grudge` of its usual step.
GRUDGE_DAMP = 0.9
# A full-strength kind turn wears away this share of the grudge.
GRUDGE_FORGIVE = 0.25
# Left alone, half of a grudge is gone in two days.
GRUDGE_HALF_LIFE_S = 2 * 24 * 60 * 60.0


def held(doc: dict[str, Any], now: float) -> float:
    """The grudge at `now`, faded exactly since it was last written."""
    value = float(doc.get(GRUDGE_KEY, GRUDGE_DEFAULTS[GRUDGE_KEY]) or 0.0)
    since = doc.get(GRUDGE_AT_KEY, GRUDGE_DEFAULTS[GRUDGE_AT_KEY])
    if value <= 0.0 or since is None:
        return max(0.0, value)
    elapsed = max(0.0, now - float(since))
    fade: float = 2.0 ** (-elapsed / GRUDGE_HALF_LIFE_S)
    return value * fade


def restoring_factor(grudge: float) -> float:
    """How much of a restoring sentiment step a kind turn keeps while the grudge is held."""
    return 1.0 - GRUDGE_DAMP * min(1.0, max(0.0, grudge))


def after_turn(grudge: float, warmth: float, closeness: float) -> float:
    """The grudge after a turn of the given warmth (-10..10), from a user this close (0..1).

    Hostility raises it with friction toward 1, more for a close user (their regard mattered
    more, so its loss hurts more); kindness wears it down in proportion to how kind.
    """
    grudge = min(1.0, max(0.0, grudge))
    if warmth < 0.0:
        hurt = GRUDGE_PER_HURT * min(1.0, -warmth / 10.0) * (1.0 + min(1.0, max(0.0, closeness)))
        return min(1.0, grudge + (1.0 - grudge) * hurt)
    return grudge * (1.0 - GRUDGE_FORGIVE * min(1.0, warmth / 10.0))
