"""What the agent remembers about the signed-in user: /v1/memories."""

from __future__ import annotations

from fastapi import APIRouter

from synthetic_soul.api.deps import SignedIn, Soul, Speaking
from synthetic_soul.api.replies import DoneReply, MemoriesReply, MemoryView
from synthetic_soul.api.routers.messages import iso
from synthetic_soul.domain.memory import Memory

router = APIRouter(tags=["memories"])


def memory_view(m: Memory) -> MemoryView:
    return MemoryView(
        id=m.id,
        event=m.event,
        thoughts=m.thoughts,
        significance=m.significance,
        importance=m.importance,
        tags=list(m.tags),
        emotional_impact=m.emotional_impact,
        kind=m.kind,
        created_at=iso(m.created_at),
        last_accessed=iso(m.last_accessed),
        recall_count=m.recall_count,
    )


@router.get("/memories")
async def list_memories(soul: Soul, who: SignedIn, agent: Speaking) -> MemoriesReply:
    return MemoriesReply(memories=[memory_view(m) for m in await soul.memories.about(who, agent)])


@router.delete("/memories/{memory_id}")
async def delete_memory(memory_id: str, soul: Soul, who: SignedIn, agent: Speaking) -> DoneReply:
    await soul.memories.forget(who, memory_id, agent)
    return DoneReply(ok=True)
