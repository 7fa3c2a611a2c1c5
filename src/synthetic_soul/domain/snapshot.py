"""The agent's feelings at one instant, kept for history charts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AffectSnapshot:
    """The agent's feelings at one instant, kept for history charts."""

    agent_id: str
    at: float
    emotions: dict[str, float]
    mood: dict[str, float]  # pleasure, arousal, dominance
