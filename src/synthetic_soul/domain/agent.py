"""The agent's own state and its document form (what a store keeps)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from typing import Any

from synthetic_soul.domain.affect import Affect
from synthetic_soul.domain.emotions import Emotion, initial_emotions
from synthetic_soul.domain.expressions import DEFAULT_EXPRESSION
from synthetic_soul.domain.mood import Mood, default_mood, mood_name
from synthetic_soul.domain.personality import Personality, born
from synthetic_soul.domain.reasons import BORN

# An agent's name is its handle: in a header (X-Agent), a query, a URL path and a folder of
# expression images, and said in a group to call on it; so lower-case letters, digits and
# underscores, starting with a letter; made lower-case, so names compare case-folded.
AGENT_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_AGENT_NAME = 32


def agent_handle(name: str) -> str | None:
    """The name as an agent is known by (case-folded), or None if it cannot be one."""
    handle = name.strip().casefold()
    return handle if AGENT_NAME.fullmatch(handle) else None


PUBLIC = "public"
PRIVATE = "private"
VISIBILITIES = (PUBLIC, PRIVATE)


@dataclass(frozen=True)
class ActiveAgent:
    """The agent the use cases speak for, resolved once (its id from the store at start-up)
    rather than its name, mode and id passed about apart."""

    id: str
    name: str
    mode: str

    @classmethod
    def of(cls, state: AgentState) -> ActiveAgent:
        return cls(state.id, state.name, state.mode)


@dataclass(frozen=True)
class AgentState:
    id: str
    name: str
    mode: str
    identity: str
    personality: Personality
    emotions: dict[str, Emotion]
    mood: Mood
    mood_t0: float
    birthdate: float
    reason: str = ""
    global_expression: str = DEFAULT_EXPRESSION
    memory_tags: tuple[str, ...] = ()
    events_felt: int = 0  # events that changed the state; a lost update would lose one
    version: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    # Who made it (None: the deployment's own, such as the default agent) and who may talk
    # to it: anyone ("public") or its owner alone ("private").
    owner_id: str | None = None
    visibility: str = PUBLIC

    def may_talk(self, user_id: str) -> bool:
        """Whether this user may talk to it (and so learn that it exists)."""
        return self.visibility == PUBLIC or (self.owner_id is not None and self.owner_id == user_id)

    @property
    def affect(self) -> Affect:
        return Affect(self.emotions, self.mood, self.mood_t0)

    def emotions_at(self, now: float) -> dict[str, float]:
        return self.affect.emotions_at(self.personality, now)

    def mood_at(self, now: float) -> Mood:
        return self.affect.mood_at(self.personality, now)

    def mood_name(self, now: float) -> str:
        """The mood in words against this character's own default ("calm" near it)."""
        return mood_name(self.mood_at(now), default_mood(self.personality))

    def with_affect(self, affect: Affect, reason: str) -> AgentState:
        """The state after one felt event."""
        return replace(
            self,
            emotions=affect.emotions,
            mood=affect.mood,
            mood_t0=affect.mood_t0,
            reason=reason,
            events_felt=self.events_felt + 1,
        )


def new_agent(agent_id: str, name: str, mode: str, rng: random.Random, now: float) -> AgentState:
    display = name[:1].upper() + name[1:]
    personality = born(mode, rng)
    return AgentState(
        id=agent_id,
        name=name,
        mode=mode,
        identity=f"I am {display}, a curious and warm digital companion, new to the world.",
        personality=personality,
        emotions=initial_emotions(mode, now),
        mood=default_mood(personality),
        mood_t0=now,
        birthdate=now,
        reason=BORN,
    )


def to_doc(state: AgentState) -> dict[str, Any]:
    return {
        "id": state.id,
        "name": state.name,
        "mode": state.mode,
        "identity": state.identity,
        "personality": {"traits": state.personality.traits, "mbti": state.personality.mbti},
        "emotions": {k: [e.value, e.t0] for k, e in state.emotions.items()},
        "mood": [*state.mood.as_tuple(), state.mood_t0],
        "birthdate": state.birthdate,
        "reason": state.reason,
        "global_expression": state.global_expression,
        "memory_tags": list(state.memory_tags),
        "events_felt": state.events_felt,
        "extra": state.extra,
        "owner_id": state.owner_id,
        "visibility": state.visibility,
    }


def from_doc(doc: dict[str, Any], version: int = 0) -> AgentState:
    traits = doc["personality"]
    personality = Personality(
        {k: float(v) for k, v in traits["traits"].items()}, traits.get("mbti")
    )
    p, a, d, mood_t0 = doc.get("mood") or [*default_mood(personality).as_tuple(), doc["birthdate"]]
    return AgentState(
        id=doc["id"],
        name=doc["name"],
        mode=doc["mode"],
        identity=doc["identity"],
        personality=personality,
        emotions={k: Emotion(float(v), float(t0)) for k, (v, t0) in doc["emotions"].items()},
        mood=Mood(float(p), float(a), float(d)),
        mood_t0=float(mood_t0),
        birthdate=float(doc["birthdate"]),
        reason=doc.get("reason", ""),
        global_expression=doc.get("global_expression", DEFAULT_EXPRESSION),
        memory_tags=tuple(doc.get("memory_tags", ())),
        events_felt=int(doc.get("events_felt", 0)),
        version=version,
        extra=dict(doc.get("extra", {})),
        owner_id=doc.get("owner_id"),
        visibility=str(doc.get("visibility", PUBLIC)),
    )
