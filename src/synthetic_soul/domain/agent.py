"""The agent's own state and its document form (what a store keeps)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any

from synthetic_soul.domain.emotions import Emotion, current_values, initial_emotions
from synthetic_soul.domain.expressions import DEFAULT_EXPRESSION
from synthetic_soul.domain.personality import Personality, born


@dataclass(frozen=True)
class AgentState:
    id: str
    name: str
    mode: str
    identity: str
    personality: Personality
    emotions: dict[str, Emotion]
    birthdate: float
    reason: str = ""
    global_expression: str = DEFAULT_EXPRESSION
    memory_tags: tuple[str, ...] = ()
    version: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def emotions_at(self, now: float) -> dict[str, float]:
        return current_values(self.emotions, now)

    def with_emotions(self, emotions: dict[str, Emotion], reason: str) -> AgentState:
        return replace(self, emotions=emotions, reason=reason)


def new_agent(agent_id: str, name: str, mode: str, rng: random.Random, now: float) -> AgentState:
    display = name[:1].upper() + name[1:]
    return AgentState(
        id=agent_id,
        name=name,
        mode=mode,
        identity=f"I am {display}, a curious and warm digital companion, new to the world.",
        personality=born(mode, rng),
        emotions=initial_emotions(mode, now),
        birthdate=now,
        reason="Just born; nothing has happened yet.",
    )


def to_doc(state: AgentState) -> dict[str, Any]:
    return {
        "id": state.id,
        "name": state.name,
        "mode": state.mode,
        "identity": state.identity,
        "personality": {"traits": state.personality.traits, "mbti": state.personality.mbti},
        "emotions": {k: [e.value, e.t0] for k, e in state.emotions.items()},
        "birthdate": state.birthdate,
        "reason": state.reason,
        "global_expression": state.global_expression,
        "memory_tags": list(state.memory_tags),
        "extra": state.extra,
    }


def from_doc(doc: dict[str, Any], version: int = 0) -> AgentState:
    personality = doc["personality"]
    return AgentState(
        id=doc["id"],
        name=doc["name"],
        mode=doc["mode"],
        identity=doc["identity"],
        personality=Personality(
            {k: float(v) for k, v in personality["traits"].items()}, personality.get("mbti")
        ),
        emotions={k: Emotion(float(v), float(t0)) for k, (v, t0) in doc["emotions"].items()},
        birthdate=float(doc["birthdate"]),
        reason=doc.get("reason", ""),
        global_expression=doc.get("global_expression", DEFAULT_EXPRESSION),
        memory_tags=tuple(doc.get("memory_tags", ())),
        version=version,
        extra=dict(doc.get("extra", {})),
    )
