"""`soul serve` thinking with an OpenAI-compatible server (a stub on loopback, LLM_MODE=compatible).

A message is answered by the server's model; `/v1/meta/llm` says where the model lives and
never the key; with the server failing every call the job still succeeds with the fallback
and its result names the cause (`fallback: "llm_unavailable"`).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.e2e.conftest import Spawn
from tests.e2e.helpers import (
    bearer,
    client,
    conversation,
    guest,
    read_events,
    submit,
    wait_job,
)
from tests.support.openai_stub import Answer, OpenAIStub, Received, content, failure

pytestmark = pytest.mark.e2e

KEY = "sk-e2e-secret-abcdef0123456789"
STUB_REPLY = "Hello from the model behind the stub!"
FALLBACK_REPLY = "Sorry, my thoughts got tangled for a moment. Could you say that again?"
TEXT = "Hi Jasmine, how is your day going?"


def answer(received: Received) -> Answer:
    """A valid object for whichever task asks (told apart by the schema it sends)."""
    fields = received.body["response_format"]["schema"]["properties"]
    if "respond" in fields:
        return content(
            {
                "appraisal": {
                    "desirability": 3,
                    "praiseworthiness": 1,
                    "liking": 2,
                    "unexpectedness": 1,
                },
                "perception": {"purpose": "asking", "tone": "friendly"},
                "addressed": True,
                "respond": True,
                "reply": {"message": STUB_REPLY, "purpose": "answer", "tone": "warm"},
                "expression": "joy_happy",
                "thought": None,
            },
            prompt_tokens=120,
            completion_tokens=40,
        )
    if "summary" in fields:
        return content({"summary": "They asked about my day."})
    return content({})


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    s = OpenAIStub(answer).start()
    try:
        yield s
    finally:
        s.stop()


def env(stub: OpenAIStub) -> dict[str, str]:
    return {
        "LLM_MODE": "compatible",
        "COMPATIBLE_BASE_URL": stub.url,
        "COMPATIBLE_API_KEY": KEY,
        "COMPATIBLE_FAST_MODEL": "stub-fast",
        "COMPATIBLE_QUALITY_MODEL": "stub-quality",
        "LLM_TIMEOUT_SECONDS": "5",
        "LLM_MAX_RETRIES": "1",
    }


def test_a_message_is_answered_by_the_servers_model(
    spawn: Spawn, stub: OpenAIStub, tmp_path: Path
) -> None:
    server = spawn(tmp_path, env(stub))
    with client(server.url) as c:
        g = guest(c)
        body = wait_job(c, g.token, submit(c, g.token, TEXT))

        assert body["status"] == "succeeded", body
        assert body["result"]["response"] == STUB_REPLY
        assert body["result"]["fallback"] is None
        said = [(m["from_agent"], m["message"]) for m in conversation(c, g.token)["messages"]]
        assert said[:2] == [(False, TEXT), (True, STUB_REPLY)]

    with closing(sqlite3.connect(tmp_path / "soul.sqlite3")) as db:
        calls = db.execute(
            "SELECT provider, model, prompt_tokens, completion_tokens, latency_ms, ok"
            " FROM llm_calls WHERE job_id = ? AND task = 'reply'",
            (body["job_id"],),
        ).fetchall()
    assert len(calls) == 1, "the cost of the call is recorded with the job"
    assert calls[0][:4] == ("compatible", "stub-fast", 120, 40)
    assert calls[0][4] > 0 and calls[0][5] == 1

    reply = next(r for r in stub.requests if "respond" in str(r.body["response_format"]))
    assert reply.path == "/v1/chat/completions"
    assert reply.headers["authorization"] == f"Bearer {KEY}"
    assert reply.body["model"] == "stub-fast"
    assert reply.body["response_format"]["type"] == "json_object"
    assert TEXT in reply.user_prompt


def test_the_servers_streamed_reply_reaches_the_client_as_token_events(
    spawn: Spawn, stub: OpenAIStub, tmp_path: Path
) -> None:
    # A few characters every 50 ms: the client's stream is open before the reply's words.
    stub.respond_with(lambda r: dataclasses.replace(answer(r), chunk_chars=6, chunk_delay_s=0.05))
    server = spawn(tmp_path, env(stub))
    with client(server.url) as c:
        g = guest(c)
        job_id = submit(c, g.token, TEXT)
        with c.stream("GET", f"/v1/jobs/{job_id}/events", params={"access_token": g.token}) as r:
            events, _ = read_events(r)

    names = [e.event for e in events]
    assert names[0] == "status" and names[-1] == "done", names
    tokens = [e.data["text"] for e in events if e.event == "token"]
    assert len(tokens) >= 2, names
    assert "".join(tokens) == STUB_REPLY == events[-1].data["result"]["response"]
    reply = next(r for r in stub.requests if "respond" in str(r.body["response_format"]))
    assert reply.body["stream"] is True
    assert reply.body["stream_options"] == {"include_usage": True}
    with closing(sqlite3.connect(tmp_path / "soul.sqlite3")) as db:
        usage = db.execute(
            "SELECT prompt_tokens, completion_tokens FROM llm_calls WHERE job_id = ?", (job_id,)
        ).fetchall()
    assert usage == [(120, 40)], "the usage chunk at the stream's end is recorded"


def test_meta_llm_reports_the_server_and_no_key(
    spawn: Spawn, stub: OpenAIStub, tmp_path: Path
) -> None:
    server = spawn(tmp_path, env(stub))
    with client(server.url) as c:
        r = c.get("/v1/meta/llm")

    assert r.status_code == 200
    assert r.json() == {
        "mode": "compatible",
        "provider": "compatible",
        "base_url": stub.url,
        "models": {"fast": "stub-fast", "quality": "stub-quality"},
        "configured": True,
    }
    assert KEY not in r.text and "key" not in r.text.lower()


def test_with_the_server_down_the_job_succeeds_with_the_fallback_and_says_why(
    spawn: Spawn, stub: OpenAIStub, tmp_path: Path
) -> None:
    stub.respond_with(lambda _: failure(500, "the model crashed"))
    server = spawn(tmp_path, env(stub))
    with client(server.url) as c:
        g = guest(c)
        job_id = submit(c, g.token, TEXT)
        body = wait_job(c, g.token, job_id, timeout=30)

        assert body["status"] == "succeeded", body
        assert body["error"] is None
        assert body["result"]["response"] == FALLBACK_REPLY
        assert body["result"]["fallback"] == "llm_unavailable"  # why the fallback spoke
        said = [(m["from_agent"], m["message"]) for m in conversation(c, g.token)["messages"]]
        assert said == [(False, TEXT), (True, FALLBACK_REPLY)]
        # Tried, retried, asked again with the error quoted, retried: then the fallback.
        assert len(stub.requests) >= 4
        assert c.get("/v1/auth/me", headers=bearer(g.token)).status_code == 200
    assert KEY not in server.log()
