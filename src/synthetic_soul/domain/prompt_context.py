"""What the agent has in mind when it is asked to reply, to reflect or to think; and what a
card says of the character an agent is made from, when the model is asked its personality.

Each is the whole of what one prompt is rendered from (`mind.prompts`), as facts rather than
words: so a model port can carry it beside the prompt, and a stand-in model (the scripted
one) answers from the facts instead of reading them back out of the rendered text.
"""

from __future__ import annotations

from dataclasses import dataclass

from synthetic_soul.domain.agent import AgentState
from synthetic_soul.domain.conversation import Message
from synthetic_soul.domain.memory import Memory


@dataclass(frozen=True)
class ReplyContext:
    agent: AgentState
    username: str
    relationship: str
    summary: str
    history: tuple[Message, ...]
    latest_thought: str | None
    memories: str  # rendered memories about this user or no one, possibly empty
    messages: tuple[str, ...]  # what the user said since the last reply, oldest first
    kind: str
    now: float
    # What was said before `history` that its last exchange brings back, best first.
    recalled: tuple[Message, ...] = ()

    @property
    def said(self) -> str:
        return "\n".join(self.messages)


@dataclass(frozen=True)
class ReflectContext:
    agent: AgentState
    username: str
    relationship: str
    summary: str
    messages: tuple[Message, ...]  # the conversation since the last reflection, oldest first
    memories: tuple[Memory, ...]  # for insights: this user's memories since the last insight
    now: float


@dataclass(frozen=True)
class ThinkContext:
    agent: AgentState
    vibe: str
    thoughts: tuple[str, ...]  # the agent's latest thoughts about no one, oldest first
    contacts: tuple[tuple[str, str], ...]  # (username, relationship) it may write to
    now: float


@dataclass(frozen=True)
class SeedContext:
    """A card's words, for the personality they describe: someone else's text, each field
    already cut to what a prompt holds."""

    mode: str  # "lite": an MBTI type is asked for; "rich": the 34 traits
    name: str
    description: str
    personality: str
