"""A thought the agent had, about one user or about no one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thought:
    id: str
    agent_id: str
    thought: str
    timestamp: float
    user_id: str | None = None
    source: str = "reply"
