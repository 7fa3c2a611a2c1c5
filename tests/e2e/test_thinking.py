"""Autonomous thinking over the real service: after a friendly chat the agent writes first.

The server thinks every second with a fixed seed. Whether a tick brings a thought, and of
which vibe, is random per tick; with the scripted model a bright vibe reaches out, so an
outreach comes within seconds, and the wait is bounded.
"""

from __future__ import annotations

import datetime as dt
import time

import httpx
import pytest

from tests.e2e.helpers import conversation, guest, submit, wait_job

pytestmark = pytest.mark.e2e

SERVER_ENV = {"THINKING_ENABLED": "true", "THINKING_RATE_SECONDS": "1", "SOUL_SEED": "11"}
WAIT_S = 60.0


def outreaches(conv: dict[str, object]) -> list[dict[str, object]]:
    messages = conv["messages"]
    assert isinstance(messages, list)
    return [m for m in messages if m["from_agent"] and m["purpose"] == "outreach"]


def test_after_a_friendly_chat_the_agent_writes_first(api: httpx.Client) -> None:
    # The agent writes only in an hour of the day the user writes in: keep the chat and the
    # wait inside one UTC hour.
    now = dt.datetime.now(dt.UTC)
    if now.minute == 59:
        time.sleep(61 - now.second)

    g = guest(api)
    for text in ("Hi! You are wonderful.", "Thank you, that is so kind.", "You are a good friend"):
        body = wait_job(api, g.token, submit(api, g.token, text))
        assert body["status"] == "succeeded", body

    deadline = time.monotonic() + WAIT_S
    found: list[dict[str, object]] = []
    while time.monotonic() < deadline and not found:
        found = outreaches(conversation(api, g.token))
        time.sleep(0.5)

    assert found, f"no outreach within {WAIT_S}s"
    (letter,) = found  # unanswered: no second one
    assert letter["sender_username"] == "jasmine"
    assert letter["type"] == "dm"
    assert isinstance(letter["message"], str) and g.username in letter["message"]
    messages = conversation(api, g.token)["messages"]
    assert messages[-1]["id"] == letter["id"]

    # Her answer is answered as usual, and the thread goes on.
    body = wait_job(api, g.token, submit(api, g.token, "Oh hi! So nice of you to write."))
    assert body["status"] == "succeeded", body
