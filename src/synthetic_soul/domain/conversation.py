"""What is said between a user and the agent: messages, and a conversation of them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str
    message: str
    timestamp: float
    sender_id: str
    sender_username: str
    from_agent: bool
    purpose: str = ""
    tone: str = ""
    job_id: str | None = None
    kind: str = "dm"
    answered_by: str | None = None  # the job whose reply answered this user message
    channel: str | None = None  # the group chat of a group message ("" the shared one)


@dataclass(frozen=True)
class Conversation:
    id: str
    user_id: str
    agent_name: str
    messages: tuple[Message, ...] = ()
