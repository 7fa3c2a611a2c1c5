"""What the agent remembers about the signed-in user: /v1/memories."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from synthetic_soul.api.deps import SignedIn, Soul
from synthetic_soul.api.routers.messages import iso
from synthetic_soul.records import Memory

router = APIRouter(tags=["memories"])


def memory_body(m: Memory) -> dict[str, Any]:
    return {
        "id": m.id,
        "event": m.event,
        "thoughts": m.thoughts,
        "significance": m.significance,
        "importance": m.importance,
        "tags": list(m.tags),
        "emotional_impact": m.emotional_impact,
        "kind": m.kind,
        "created_at": iso(m.created_at),
        "last_accessed": iso(m.last_accessed),
        "recall_count": m.recall_count,
    }


@router.get("/memories")
async def list_memories(soul: Soul, who: SignedIn) -> dict[str, Any]:
    return {"memories": [memory_body(m) for m in await soul.memories.about(who)]}


@router.delete("/memories/{memory_id}")
async def delete_memory(memory_id: str, soul: Soul, who: SignedIn) -> dict[str, Any]:
    await soul.memories.forget(who, memory_id)
    return {"ok": True}
