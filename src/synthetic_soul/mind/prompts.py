"""Prompt rendering: compact words and numbers, with a stable persona prefix for caching."""

from __future__ import annotations

from dataclasses import dataclass

from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.expressions import EXPRESSIONS
from synthetic_soul.domain.personality import describe
from synthetic_soul.records import Message

MESSAGE_OPEN = "<<<"
MESSAGE_CLOSE = ">>>"
_NOTABLE = 5.0  # emotions weaker than this are left out of the prompt


@dataclass(frozen=True)
class ReplyContext:
    agent: AgentState
    username: str
    relationship: str
    summary: str
    history: tuple[Message, ...]
    latest_thought: str | None
    messages: tuple[str, ...]  # what the user said since the last reply, oldest first
    kind: str
    now: float

    @property
    def said(self) -> str:
        return "\n".join(self.messages)


def persona(agent: AgentState) -> str:
    """The system prompt: identical across turns until identity or personality changes."""
    display = agent.name[:1].upper() + agent.name[1:]
    return (
        f"You are {display}, a digital companion with real, changing feelings.\n"
        f"Identity: {agent.identity}\n"
        f"Personality: {describe(agent.personality)}\n"
        "Answer with one JSON object only, following the given schema. Appraise the message "
        "from your own point of view (integers, -10..10; unexpectedness 0..10). In a group "
        "chat decide whether the message is meant for you, even implicitly; you may choose "
        "not to respond. Keep replies short and in character.\n"
        f"Expressions you can show: {', '.join(EXPRESSIONS)}."
    )


def feelings_in_words(emotions: dict[str, float]) -> str:
    notable = sorted(
        ((name, value) for name, value in emotions.items() if value >= _NOTABLE),
        key=lambda item: (-item[1], item[0]),
    )
    if not notable:
        return "calm, no strong feelings"
    return ", ".join(f"{name} {value:.0f}/100" for name, value in notable[:6])


def reply_prompt(ctx: ReplyContext) -> str:
    lines = [
        f"You feel: {feelings_in_words(ctx.agent.emotions_at(ctx.now))}.",
        f"{ctx.username} is your {ctx.relationship}."
        + (f" What you know: {ctx.summary}" if ctx.summary else ""),
    ]
    if ctx.latest_thought:
        lines.append(f"Your latest thought: {ctx.latest_thought}")
    if ctx.history:
        lines.append("Recent conversation:")
        for m in ctx.history:
            who = "You" if m.from_agent else m.sender_username
            lines.append(f"- {who}: {m.message}")
    if len(ctx.messages) > 1:
        lines.append(f"{ctx.username} sent {len(ctx.messages)} messages; answer them together.")
    lines.append(f"Message from {ctx.username} ({ctx.kind}):")
    lines.append(MESSAGE_OPEN)
    lines.append(ctx.said)
    lines.append(MESSAGE_CLOSE)
    return "\n".join(lines)
