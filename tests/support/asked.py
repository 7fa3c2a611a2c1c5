"""What a hand-built model request is about: the facts the scripted model answers from.

A request built by a use case carries the context its prompt was rendered from; a test that
builds one by hand gives it one of these, so the scripted model reads the same facts.
"""

from __future__ import annotations

import random

from synthetic_soul.domain.agent import new_agent
from synthetic_soul.domain.prompt_context import ReplyContext

NOW = 1_800_000_000.0


def message_to_jasmine(*messages: str, username: str = "ada", kind: str = "dm") -> ReplyContext:
    """A reply's context: `username` wrote `messages` to Jasmine, who knows nothing else."""
    agent = new_agent("agent-1", "jasmine", "lite", random.Random(3), NOW)
    return ReplyContext(agent, username, "stranger", "", (), None, "", messages, kind, NOW)
