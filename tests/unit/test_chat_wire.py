"""How OpenAI's chat routes frame a reply and its failures on the wire."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from synthetic_soul.api.routers.chat import from_soul_error, streamed
from synthetic_soul.errors import RateLimited
from synthetic_soul.usecases.chatting import (
    Answer,
    Feeling,
    ReplyFailed,
    Said,
    Usage,
    Words,
)

pytestmark = pytest.mark.anyio

FEELING = Feeling("joy_happy", "slightly exuberant", "exuberant", (("joy", 12.4),))


async def replies(*said: Said, fail: bool = False) -> AsyncGenerator[Said, None]:
    for s in said:
        yield s
    if fail:
        raise ReplyFailed("The agent could not answer this message.")


async def frames(source: AsyncGenerator[Said, None], include_usage: bool) -> list[Any]:
    out: list[Any] = []
    async for raw in streamed(source, "chatcmpl-1", 1700000000, "jasmine", include_usage):
        text = raw.decode()
        if text.startswith(":"):
            out.append("keep-alive")
            continue
        assert text.startswith("data: ") and text.endswith("\n\n"), text
        body = text.removeprefix("data: ").strip()
        out.append(body if body == "[DONE]" else json.loads(body))
    return out


async def test_a_stream_is_role_words_stop_usage_done() -> None:
    answer = Answer("job-1", "Hi there", Usage(30, 4, False), FEELING, None, False)
    got = await frames(replies(Words("Hi "), None, Words("there"), answer), include_usage=True)

    assert got[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert got[1]["choices"][0]["delta"] == {"content": "Hi "}
    assert got[2] == "keep-alive"
    assert got[3]["choices"][0]["delta"] == {"content": "there"}
    stop = got[4]
    assert stop["choices"][0]["finish_reason"] == "stop" and stop["choices"][0]["delta"] == {}
    assert stop["soul"]["emotions"] == {"joy": 12} and stop["soul"]["job_id"] == "job-1"
    assert got[5]["choices"] == []
    assert got[5]["usage"] == {"prompt_tokens": 30, "completion_tokens": 4, "total_tokens": 34}
    assert all(f["usage"] is None for f in got[:5] if isinstance(f, dict))
    assert got[6] == "[DONE]" and len(got) == 7


async def test_a_failure_in_the_stream_is_an_error_object_and_no_done() -> None:
    got = await frames(replies(Words("Hel"), fail=True), include_usage=False)

    assert got[1]["choices"][0]["delta"] == {"content": "Hel"}
    assert got[-1] == {
        "error": {
            "message": "The agent could not answer this message.",
            "type": "server_error",
            "param": None,
            "code": "job_failed",
        }
    }
    assert "[DONE]" not in got


def test_a_failed_reply_is_a_500_the_sdk_will_not_retry() -> None:
    r = from_soul_error(ReplyFailed("The agent could not answer this message."))
    assert r.status_code == 500 and r.headers["x-should-retry"] == "false"
    assert json.loads(bytes(r.body))["error"]["code"] == "job_failed"


def test_a_rate_limit_keeps_its_retry_after() -> None:
    r = from_soul_error(RateLimited(2.2))
    assert r.status_code == 429 and r.headers["retry-after"] == "3"
    assert json.loads(bytes(r.body))["error"]["type"] == "rate_limit_error"
