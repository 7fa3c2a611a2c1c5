"""GET /v1/ — which agent is active."""

from __future__ import annotations

from fastapi import APIRouter

from synthetic_soul.api.deps import Soul
from synthetic_soul.api.replies import RootReply

router = APIRouter(tags=["root"])


@router.get("/")
async def root(soul: Soul) -> RootReply:
    return RootReply(active_agent=soul.agents.agent.name)
