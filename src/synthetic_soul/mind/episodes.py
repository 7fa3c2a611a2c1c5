"""An episode the agent keeps from what the model wrote, in a reflection or a spell alone."""

from __future__ import annotations

import uuid

from synthetic_soul.domain.memory import Memory
from synthetic_soul.mind.schemas import MemoryOut


def episode(out: MemoryOut, agent_id: str, user_id: str | None, now: float) -> Memory:
    """The memory as written, trimmed, with at most three distinct lower-case tags."""
    return Memory(
        id=uuid.uuid4().hex,
        agent_id=agent_id,
        user_id=user_id,
        event=out.event.strip(),
        thoughts=out.thoughts.strip(),
        significance=out.significance,
        importance=out.importance,
        created_at=now,
        last_accessed=now,
        tags=tuple(dict.fromkeys(t.strip().lower() for t in out.tags if t.strip()))[:3],
        emotional_impact=out.emotional_impact.strip(),
    )
