"""Submitting messages and reading the conversation: /v1/messages/*."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from synthetic_soul.api.deps import ClientIP, SignedIn, Soul, Speaking
from synthetic_soul.api.replies import ConversationReply, ConversationView, MessageView, SubmitReply
from synthetic_soul.domain.conversation import Message

router = APIRouter(prefix="/messages", tags=["messages"])


class SubmitBody(BaseModel):
    message: str = Field(min_length=1, max_length=4000)
    type: Literal["dm", "group"] = "dm"
    channel_id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.:\-]{1,100}$",
        description="the group chat of a group message; all group messages without one "
        "share one group context",
    )


def iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat()


def message_view(m: Message) -> MessageView:
    return MessageView(
        id=m.id,
        message=m.message,
        purpose=m.purpose,
        tone=m.tone,
        timestamp=iso(m.timestamp),
        sender_id=m.sender_id,
        sender_username=m.sender_username,
        from_agent=m.from_agent,
        type=m.kind,
        channel_id=m.channel,
        job_id=m.job_id,
    )


@router.post("/submit", status_code=202)
async def submit(
    body: SubmitBody,
    response: Response,
    soul: Soul,
    who: SignedIn,
    ip: ClientIP,
    agent: Speaking,
) -> SubmitReply:
    job = await soul.conversations.submit(
        who, body.message, body.type, body.channel_id, ip, agent=agent
    )
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    response.headers["Retry-After"] = "3"
    return SubmitReply(job_id=job.id, status=job.status)


@router.get("/conversation")
async def conversation(soul: Soul, who: SignedIn, agent: Speaking) -> ConversationReply:
    c = await soul.conversations.conversation(who, agent)
    return ConversationReply(
        conversation=ConversationView(
            id=c.id,
            user_id=c.user_id,
            agent_name=c.agent_name,
            messages=[message_view(m) for m in c.messages],
        )
    )
