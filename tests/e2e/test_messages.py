"""Talking to the agent over HTTP: submit, poll, server-sent events, the conversation."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import (
    EXPRESSIONS,
    FINISHED,
    JOB_STATUSES,
    WEB_ORIGIN,
    assert_api_headers,
    assert_cors,
    assert_error,
    assert_validation_error,
    bearer,
    claims_of,
    conversation,
    craft_token,
    guest,
    read_events,
    submit,
    wait_job,
)

pytestmark = pytest.mark.e2e

# Slow enough that a stream opened right after submitting sees the job live.
SERVER_ENV = {"SCRIPTED_DELAY_MS": "300"}
TEXT = '  Hello Jasmine!\nHow are   you today? Ünïcödé ✓ <b>&amp;</b> "quotes"  '


def assert_snapshot(body: dict[str, Any], job_id: str) -> None:
    assert {"job_id", "status", "progress", "result", "error"} <= set(body), body
    assert body["job_id"] == job_id
    assert body["status"] in JOB_STATUSES
    assert body["progress"] is None or isinstance(body["progress"], float | int)


def assert_succeeded(body: dict[str, Any]) -> dict[str, Any]:
    assert body["status"] == "succeeded", body
    assert body["error"] is None
    result: dict[str, Any] = body["result"]
    assert {"response", "time", "expression"} <= set(result), result
    assert result["response"] is None or isinstance(result["response"], str)
    assert isinstance(result["time"], int) and not isinstance(result["time"], bool)
    assert result["time"] >= 0
    assert result["expression"] in EXPRESSIONS, result["expression"]
    return result


def events_url(job_id: str) -> str:
    return f"/v1/jobs/{job_id}/events"


# -- submit and poll -----------------------------------------------------------------------
def test_submit_accepts_the_message_as_a_queued_job(api: httpx.Client) -> None:
    g = guest(api)
    r = api.post(
        "/v1/messages/submit", json={"message": "hi there", "type": "dm"}, headers=bearer(g.token)
    )
    assert r.status_code == 202, r.text
    assert_api_headers(r)
    body = r.json()
    assert {"job_id", "status"} <= set(body)
    assert body["status"] == "queued"
    assert isinstance(body["job_id"], str) and body["job_id"]
    assert r.headers["Location"] == f"/v1/jobs/{body['job_id']}"
    assert r.headers["Retry-After"] == "3"

    # The owner gets 200 for the job from submission on, at the Location given.
    polled = api.get(r.headers["Location"], headers=bearer(g.token))
    assert polled.status_code == 200, polled.text
    assert_snapshot(polled.json(), body["job_id"])


def test_poll_reaches_succeeded_with_a_result(api: httpx.Client) -> None:
    g = guest(api)
    job_id = submit(api, g.token, "Tell me something nice about today")
    body = wait_job(api, g.token, job_id)
    assert_snapshot(body, job_id)
    result = assert_succeeded(body)
    assert isinstance(result["response"], str) and result["response"], "a dm is answered"


def test_the_expression_of_a_result_and_the_agent_has_an_image(api: httpx.Client) -> None:
    g = guest(api)
    result = assert_succeeded(wait_job(api, g.token, submit(api, g.token, "Thank you, friend!")))
    agent = api.get("/v1/agents/active", headers=bearer(g.token)).json()["agent"]
    for name in {result["expression"], agent["global_expression"]}:
        for ext in ("jpeg", "jpg", "png", "webp"):
            r = api.get(f"/static/expressions/jasmine/{name}.{ext}")
            if r.status_code == 200:
                break
        else:
            pytest.fail(f"no image for expression {name}")


def test_a_group_message_result_agrees_with_the_conversation(api: httpx.Client) -> None:
    g = guest(api)
    job_id = submit(api, g.token, "just chatting among ourselves here", kind="group")
    result = assert_succeeded(wait_job(api, g.token, job_id))
    replies = [m for m in conversation(api, g.token)["messages"] if m["from_agent"]]
    if result["response"] is None:
        assert replies == [], "no answer means no agent message"
    else:
        assert [m["message"] for m in replies] == [result["response"]]


# -- server-sent events --------------------------------------------------------------------
def test_events_stream_status_first_and_done_last(api: httpx.Client) -> None:
    g = guest(api)
    job_id = submit(api, g.token, "Stream me the answer, please")
    with api.stream(
        "GET", events_url(job_id), params={"access_token": g.token}, headers={"Origin": WEB_ORIGIN}
    ) as r:
        assert r.status_code == 200
        assert_api_headers(r)
        assert_cors(r)
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["cache-control"] == "no-cache"
        assert r.headers["x-accel-buffering"] == "no"
        events, _ = read_events(r)

    assert events, "the stream sent nothing"
    assert events[0].event == "status"
    assert_snapshot(events[0].data, job_id)
    assert events[-1].event == "done"
    assert [e.event for e in events].count("done") == 1
    for e in events[1:-1]:
        assert e.event in {"status", "progress", "token"}, e
        assert e.data["job_id"] == job_id
        if e.event == "progress":
            assert isinstance(e.data["progress"], float | int)
        elif e.event == "token":
            assert isinstance(e.data["text"], str)
        else:
            assert_snapshot(e.data, job_id)
    done = events[-1].data
    assert_snapshot(done, job_id)
    assert done["status"] in FINISHED
    assert_succeeded(done)

    polled = api.get(f"/v1/jobs/{job_id}", headers=bearer(g.token)).json()
    assert polled == done, "polling and the stream agree on the final result"


def test_events_of_a_finished_job_are_status_then_done(api: httpx.Client) -> None:
    g = guest(api)
    job_id = submit(api, g.token, "quick one")
    final = wait_job(api, g.token, job_id)
    with api.stream("GET", events_url(job_id), params={"access_token": g.token}) as r:
        assert r.status_code == 200
        events, _ = read_events(r)
    assert [e.event for e in events] == ["status", "done"]
    assert events[0].data == final
    assert events[1].data == final


def test_events_without_a_token_is_missing_token(api: httpx.Client) -> None:
    g = guest(api)
    job_id = submit(api, g.token, "hello")
    assert_error(api.get(events_url(job_id)), 401, "missing_token")


@pytest.mark.parametrize("kind", ["garbage", "other-secret", "expired"])
def test_events_with_a_bad_query_token_is_unauthorized(api: httpx.Client, kind: str) -> None:
    g = guest(api)
    job_id = submit(api, g.token, "hello")
    claims = claims_of(g.token)
    now = int(time.time())
    token, code = {
        "garbage": ("not-a-jwt", "invalid_token"),
        "other-secret": (
            craft_token(claims, secret="another-secret-that-is-long-enough-0123456789"),
            "invalid_token",
        ),
        "expired": (craft_token({**claims, "iat": now - 3600, "exp": now - 5}), "session_expired"),
    }[kind]
    r = api.get(events_url(job_id), params={"access_token": token}, headers={"Origin": WEB_ORIGIN})
    assert_error(r, 401, code)
    assert_cors(r)


def test_events_of_an_unknown_job_is_not_found(api: httpx.Client) -> None:
    g = guest(api)
    r = api.get(events_url(uuid.uuid4().hex), params={"access_token": g.token})
    assert_error(r, 404, "not_found")


def test_events_of_another_users_job_is_not_found(api: httpx.Client) -> None:
    owner, other = guest(api), guest(api)
    job_id = submit(api, owner.token, "mine only")
    r = api.get(events_url(job_id), params={"access_token": other.token})
    assert_error(r, 404, "not_found")


# -- polling errors ------------------------------------------------------------------------
def test_poll_of_an_unknown_job_is_not_found(api: httpx.Client) -> None:
    g = guest(api)
    for job_id in (uuid.uuid4().hex, "nope", "..%2F..%2Fetc"):
        assert_error(api.get(f"/v1/jobs/{job_id}", headers=bearer(g.token)), 404, "not_found")


def test_poll_of_another_users_job_is_not_found(api: httpx.Client) -> None:
    owner, other = guest(api), guest(api)
    job_id = submit(api, owner.token, "mine only")
    assert_error(api.get(f"/v1/jobs/{job_id}", headers=bearer(other.token)), 404, "not_found")
    assert api.get(f"/v1/jobs/{job_id}", headers=bearer(owner.token)).status_code == 200


def test_poll_without_a_token_is_unauthorized(api: httpx.Client) -> None:
    g = guest(api)
    job_id = submit(api, g.token, "hello")
    assert_error(api.get(f"/v1/jobs/{job_id}"), 401, "missing_token")


# -- the conversation ----------------------------------------------------------------------
def test_a_new_users_conversation_is_empty(api: httpx.Client) -> None:
    g = guest(api)
    who = api.get("/v1/auth/me", headers=bearer(g.token)).json()
    r = api.get("/v1/messages/conversation", headers=bearer(g.token))
    assert r.status_code == 200
    assert_api_headers(r)
    conv = r.json()["conversation"]
    assert {"id", "user_id", "agent_name", "messages"} <= set(conv)
    assert conv["user_id"] == who["user_id"]
    assert conv["agent_name"] == "jasmine"
    assert conv["messages"] == []
    assert conversation(api, g.token)["id"] == conv["id"], "the conversation is kept"


def test_conversation_holds_the_exact_text_and_the_reply(api: httpx.Client) -> None:
    g = guest(api)
    who = api.get("/v1/auth/me", headers=bearer(g.token)).json()
    job_id = submit(api, g.token, TEXT)
    result = assert_succeeded(wait_job(api, g.token, job_id))

    messages = conversation(api, g.token)["messages"]
    assert len(messages) == 2, messages
    mine, reply = messages
    for m in messages:
        assert {
            "id",
            "message",
            "purpose",
            "tone",
            "timestamp",
            "sender_id",
            "sender_username",
            "from_agent",
        } <= set(m), m
        assert isinstance(m["purpose"], str) and isinstance(m["tone"], str)
        assert dt.datetime.fromisoformat(m["timestamp"]).tzinfo is not None
    assert mine["message"] == TEXT, "the text exactly as sent, never a paraphrase"
    assert mine["from_agent"] is False
    assert mine["sender_id"] == who["user_id"]
    assert mine["sender_username"] == g.username
    assert reply["from_agent"] is True
    assert reply["message"] == result["response"]
    assert reply["sender_username"].lower() == "jasmine"
    assert reply["sender_id"] != who["user_id"]
    assert mine["id"] != reply["id"]


def test_conversation_is_chronological_with_unique_ids(api: httpx.Client) -> None:
    g = guest(api)
    texts = ["first message", "second message?", "third message, thanks!"]
    for text in texts:
        wait_job(api, g.token, submit(api, g.token, text))
    messages = conversation(api, g.token)["messages"]
    assert len(messages) == 2 * len(texts)
    assert len({m["id"] for m in messages}) == len(messages), "ids are unique"
    stamps = [dt.datetime.fromisoformat(m["timestamp"]) for m in messages]
    assert stamps == sorted(stamps), "chronological order"
    assert [m["from_agent"] for m in messages] == [False, True] * len(texts)
    assert [m["message"] for m in messages if not m["from_agent"]] == texts


def test_conversations_are_per_user(api: httpx.Client) -> None:
    a, b = guest(api), guest(api)
    wait_job(api, a.token, submit(api, a.token, "secret of a"))
    assert conversation(api, b.token)["messages"] == []
    assert conversation(api, a.token)["id"] != conversation(api, b.token)["id"]


# -- bad bodies ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"type": "dm"},
        {"message": 123, "type": "dm"},
        {"message": ["hi"], "type": "dm"},
        {"message": None, "type": "dm"},
        {"message": "", "type": "dm"},
        {"message": "x" * 4001, "type": "dm"},
        {"message": "hi", "type": "channel"},
        {"message": "hi", "type": 1},
        ["message", "hi"],
    ],
    ids=[
        "empty",
        "no-message",
        "int",
        "list",
        "null",
        "empty-string",
        "4001-chars",
        "bad-type",
        "int-type",
        "array-body",
    ],
)
def test_a_bad_submit_body_is_a_validation_error(api: httpx.Client, body: Any) -> None:
    g = guest(api)
    r = api.post("/v1/messages/submit", json=body, headers=bearer(g.token))
    details = assert_validation_error(r)
    for d in details:
        assert {"loc", "msg", "type"} <= set(d), d
    assert conversation(api, g.token)["messages"] == [], "nothing was stored"


def test_invalid_json_is_a_validation_error(api: httpx.Client) -> None:
    g = guest(api)
    r = api.post(
        "/v1/messages/submit",
        content=b'{"message": "hi", ',
        headers={**bearer(g.token), "Content-Type": "application/json"},
    )
    assert_validation_error(r)


@pytest.mark.parametrize("path", ["/v1/messages/submit", "/v1/auth/login", "/v1/auth/claim"])
def test_a_body_that_is_not_utf8_is_a_validation_error(api: httpx.Client, path: str) -> None:
    """JSON text is UTF-8 (RFC 8259 section 8.1): other bytes are invalid JSON, so a 422."""
    g = guest(api)
    r = api.post(
        path,
        content=b'{"message": "\xff\xfe", "type": "dm", "email": "\xff@x.y", "password": "\xff"}',
        headers={**bearer(g.token), "Content-Type": "application/json"},
    )
    assert_validation_error(r)


def test_an_oversized_body_is_refused_in_the_envelope(api: httpx.Client) -> None:
    g = guest(api)
    r = api.post(
        "/v1/messages/submit",
        json={"message": "x" * 100_000, "type": "dm"},
        headers={**bearer(g.token), "Origin": WEB_ORIGIN},
    )
    assert_error(r, r.status_code, {"payload_too_large", "validation_error"})
    assert r.status_code in (413, 422)
    assert_cors(r)

    def chunks() -> Iterator[bytes]:
        yield b'{"type": "dm", "message": "'
        for _ in range(100):
            yield b"y" * 1000
        yield b'"}'

    r = api.post(
        "/v1/messages/submit",
        content=chunks(),
        headers={**bearer(g.token), "Content-Type": "application/json"},
    )
    assert_error(r, r.status_code, {"payload_too_large", "validation_error"})
    assert r.status_code in (413, 422)
    assert conversation(api, g.token)["messages"] == []


def test_a_4000_char_message_is_accepted_whole(api: httpx.Client) -> None:
    g = guest(api)
    text = ("abcdefghij" * 400)[:3999] + "é"
    assert len(text) == 4000
    job_id = submit(api, g.token, text)
    assert_succeeded(wait_job(api, g.token, job_id))
    mine = [m for m in conversation(api, g.token)["messages"] if not m["from_agent"]]
    assert [m["message"] for m in mine] == [text]


def test_submit_without_a_token_is_unauthorized(api: httpx.Client) -> None:
    r = api.post("/v1/messages/submit", json={"message": "hi", "type": "dm"})
    assert_error(r, 401, "missing_token")
    r = api.get("/v1/messages/conversation")
    assert_error(r, 401, "missing_token")
