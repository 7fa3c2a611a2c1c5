"""Rate limits (per 60 s): login per IP, claim per IP, submit and job polling per user.

A dedicated server, so the other modules never run into these limits.
"""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.helpers import (
    WEB_ORIGIN,
    assert_cors,
    assert_error,
    bearer,
    guest,
    submit,
    unique_email,
    unique_username,
    wait_job,
)

pytestmark = pytest.mark.e2e

LOGIN_PER_IP = 20
CLAIM_PER_IP = 10
SUBMIT_PER_USER = 60
POLL_PER_USER = 120
EVENTS_PER_USER = 120
PASSWORD = "rate-limit-password"


def assert_rate_limited(r: httpx.Response) -> int:
    assert_error(r, 429, "rate_limited")
    retry_after = r.headers.get("Retry-After")
    assert retry_after is not None, "429 carries Retry-After"
    assert retry_after.isdigit(), f"Retry-After is integer seconds: {retry_after!r}"
    seconds = int(retry_after)
    assert 1 <= seconds <= 60
    return seconds


def test_the_21st_login_in_a_minute_from_one_ip_is_rate_limited(api: httpx.Client) -> None:
    body = {"email": unique_email("rl"), "password": PASSWORD}
    for _ in range(LOGIN_PER_IP):
        assert_error(api.post("/v1/auth/login", json=body), 401, "invalid_credentials")

    r = api.post("/v1/auth/login", json=body, headers={"Origin": WEB_ORIGIN})
    assert_rate_limited(r)
    assert_cors(r)
    assert "retry-after" in r.headers["access-control-expose-headers"].lower()
    assert not r.headers.get_list("set-cookie"), "no session is minted when limited"

    # The limit is per client IP; a spoofed X-Forwarded-For does not reset it.
    r = api.post("/v1/auth/login", json=body, headers={"X-Forwarded-For": "203.0.113.7"})
    assert_rate_limited(r)


def test_the_11th_claim_in_a_minute_from_one_ip_is_rate_limited(api: httpx.Client) -> None:
    for _ in range(CLAIM_PER_IP):
        g = guest(api)
        r = api.post(
            "/v1/auth/claim",
            json={"email": unique_email(), "password": PASSWORD, "username": unique_username()},
            headers=bearer(g.token),
        )
        assert r.status_code == 200, r.text
    g = guest(api)
    r = api.post(
        "/v1/auth/claim",
        json={"email": unique_email(), "password": PASSWORD, "username": unique_username()},
        headers=bearer(g.token),
    )
    assert_rate_limited(r)
    who = api.get("/v1/auth/me", headers=bearer(g.token)).json()
    assert who["guest"] is True, "a limited claim changes nothing"


def test_the_61st_submit_in_a_minute_is_rate_limited_per_user(api: httpx.Client) -> None:
    g = guest(api)
    for i in range(SUBMIT_PER_USER):
        submit(api, g.token, f"message number {i}")
    r = api.post(
        "/v1/messages/submit",
        json={"message": "one too many", "type": "dm"},
        headers=bearer(g.token),
    )
    assert_rate_limited(r)

    # Per user: someone else still gets through.
    other = guest(api)
    submit(api, other.token, "my first message")

    # Nothing from the limited request was stored.
    messages = api.get("/v1/messages/conversation", headers=bearer(g.token)).json()
    texts = [m["message"] for m in messages["conversation"]["messages"] if not m["from_agent"]]
    assert "one too many" not in texts
    assert len(texts) == SUBMIT_PER_USER


def test_the_121st_poll_in_a_minute_is_rate_limited_per_user(api: httpx.Client) -> None:
    g = guest(api)
    job_id = submit(api, g.token, "poll me")
    for _ in range(POLL_PER_USER):
        r = api.get(f"/v1/jobs/{job_id}", headers=bearer(g.token))
        assert r.status_code == 200, r.text
    assert_rate_limited(api.get(f"/v1/jobs/{job_id}", headers=bearer(g.token)))


def test_the_121st_event_stream_in_a_minute_is_rate_limited_per_user(api: httpx.Client) -> None:
    g = guest(api)
    job_id = submit(api, g.token, "stream me")
    wait_job(api, g.token, job_id)
    url = f"/v1/jobs/{job_id}/events"
    for _ in range(EVENTS_PER_USER):
        r = api.get(url, params={"access_token": g.token})  # a finished job: status, done, end
        assert r.status_code == 200, r.text
    assert_rate_limited(api.get(url, params={"access_token": g.token}))
