"""What a claim keeps and changes, on a server with a developer email (DEVELOPER_EMAIL).

The agent's intrinsic relationship to the user (`creator`) is not exposed by the API yet, so
the developer claim checks what a client can see: it works like any other and ends the guest
session.
"""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.helpers import (
    assert_error,
    bearer,
    conversation,
    guest,
    login_from,
    refresh,
    submit,
    unique_email,
    unique_username,
    wait_job,
)

pytestmark = pytest.mark.e2e

DEVELOPER_EMAIL = "dev@example.com"
SERVER_ENV = {"DEVELOPER_EMAIL": DEVELOPER_EMAIL}
PASSWORD = "developer-password-1"


def test_claim_with_the_developer_email_works_and_revokes_the_guest_session(
    api: httpx.Client,
) -> None:
    g = guest(api)
    username = unique_username("creator")
    r = api.post(
        "/v1/auth/claim",
        json={"email": DEVELOPER_EMAIL, "password": PASSWORD, "username": username},
        headers=bearer(g.token),
    )
    claimed = login_from(r)
    assert claimed.username == username

    assert_error(api.get("/v1/auth/me", headers=bearer(g.token)), 401, "session_revoked")
    who = api.get("/v1/auth/me", headers=bearer(claimed.token)).json()
    assert who["guest"] is False and who["username"] == username

    login = api.post("/v1/auth/login", json={"email": DEVELOPER_EMAIL, "password": PASSWORD})
    assert login_from(login).username == username

    # The developer talks to the agent like anyone else, and is known as its creator.
    job = wait_job(api, claimed.token, submit(api, claimed.token, "Hello, it is me."))
    assert job["status"] == "succeeded", job
    seen = api.get("/v1/agents/active/relationship", headers=bearer(claimed.token)).json()
    assert seen["relationship"]["intrinsic_relationship"] == "creator"
    assert seen["relationship"]["username"] == username


def test_the_developer_email_cannot_be_claimed_twice(api: httpx.Client) -> None:
    first = guest(api)
    api.post(
        "/v1/auth/claim",
        json={"email": DEVELOPER_EMAIL, "password": PASSWORD, "username": unique_username()},
        headers=bearer(first.token),
    )
    second = guest(api)
    r = api.post(
        "/v1/auth/claim",
        json={"email": DEVELOPER_EMAIL, "password": PASSWORD, "username": unique_username()},
        headers=bearer(second.token),
    )
    assert_error(r, 409, "email_in_use")


def test_a_claim_keeps_the_users_jobs_and_conversation(api: httpx.Client) -> None:
    g = guest(api)
    job_id = submit(api, g.token, "hello before claiming")
    before = wait_job(api, g.token, job_id)
    username = unique_username("kept")
    r = api.post(
        "/v1/auth/claim",
        json={"email": unique_email("kept"), "password": PASSWORD, "username": username},
        headers=bearer(g.token),
    )
    claimed = login_from(r)

    # The same user owns the job and the conversation under the new session.
    polled = api.get(f"/v1/jobs/{job_id}", headers=bearer(claimed.token))
    assert polled.status_code == 200
    assert polled.json() == before
    texts = [m["message"] for m in conversation(api, claimed.token)["messages"]]
    assert "hello before claiming" in texts

    # The guest's refresh cookies died with its session.
    assert_error(refresh(api, g.cookies, g.csrf), 401, "revoked")


def test_after_a_claim_the_agent_knows_the_user_by_the_new_name(api: httpx.Client) -> None:
    """The agent's profile of the user takes the new username (visible in the relationship
    and in its thought about the message, both written from that profile)."""
    g = guest(api)
    username = unique_username("renamed")
    r = api.post(
        "/v1/auth/claim",
        json={"email": unique_email("renamed"), "password": PASSWORD, "username": username},
        headers=bearer(g.token),
    )
    claimed = login_from(r)
    job_id = submit(api, claimed.token, "Do you know who I am now?")
    assert wait_job(api, claimed.token, job_id)["status"] == "succeeded"

    messages = conversation(api, claimed.token)["messages"]
    assert [m["sender_username"] for m in messages if not m["from_agent"]] == [username]
    seen = api.get("/v1/agents/active/relationship", headers=bearer(claimed.token))
    assert seen.json()["relationship"]["username"] == username
    thought = api.get("/v1/thoughts/latest", headers=bearer(claimed.token)).json()
    assert g.username not in thought["latest_thought"]["thought"]
