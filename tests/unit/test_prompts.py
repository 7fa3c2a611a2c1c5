"""Prompt layout: what is stable goes first, so a model keeping its context evaluates it once."""

from __future__ import annotations

import random
from dataclasses import replace

from synthetic_soul.domain.agent import new_agent
from synthetic_soul.domain.personality import describe, drift
from synthetic_soul.mind.prompts import ReplyContext, persona, reply_prompt
from synthetic_soul.records import Message

NOW = 1_800_000_000.0


def test_identity_and_personality_change_the_prompt_never_the_system_prompt() -> None:
    agent = new_agent("a1", "jasmine", "lite", random.Random(1), NOW)
    drifted = drift(agent.personality, {"desirability": 3.0, "liking": 4.0})
    changed = replace(agent, identity="I have come to love quiet mornings.", personality=drifted)
    ctx = ReplyContext(changed, "ada", "friend", "", (), None, "", ("hi",), "dm", NOW)

    assert describe(drifted) != describe(agent.personality)  # the ranking of traits moved
    assert persona(changed) == persona(agent)
    assert reply_prompt(ctx).splitlines()[:2] == [
        "Your identity: I have come to love quiet mornings.",
        f"Your personality: {describe(drifted)}",
    ]


def test_a_reply_prompt_grows_at_its_end_while_the_conversation_does() -> None:
    """Turn to turn, what changes every message (feelings, memories, thought) comes after the
    conversation, so the previous turn's prompt up to its conversation is a prefix of this one."""
    agent = new_agent("a1", "jasmine", "lite", random.Random(1), NOW)
    said = [
        Message(f"m{i}", "c1", text, NOW + i, "u1", "ada", from_agent=i % 2 == 1)
        for i, text in enumerate(["I got the job!", "Congratulations!", "Thanks", "Tell me more"])
    ]
    first = ReplyContext(
        agent,
        "ada",
        "friend",
        "",
        tuple(said[:2]),
        "Ada seems happy",
        "- a memory",
        ("hi",),
        "dm",
        NOW,
    )
    later = replace(
        first,
        history=tuple(said),
        latest_thought="Ada is excited",
        memories="- another memory",
        messages=("what now?",),
        now=NOW + 600,
    )
    before, after = reply_prompt(first), reply_prompt(later)
    conversation_end = before.index("- You: Congratulations!") + len("- You: Congratulations!")
    assert after.startswith(before[:conversation_end])
    # The volatile lines come after the conversation, the message last.
    lines = after.splitlines()
    assert lines.index("- You: Tell me more") < lines.index("You remember:")
    assert lines.index("You remember:") < lines.index("Your latest thought: Ada is excited")
    assert lines[-5].startswith("You feel: ")
    assert lines[-4:] == ["Message from ada (dm):", "<<<", "what now?", ">>>"]
