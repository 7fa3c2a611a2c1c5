"""Personal API keys over HTTP: /v1/auth/keys, a key as the bearer of every route, and the ways
a key ends (revoked, logged out, forgotten). The real service in a subprocess, on SQLite."""

from __future__ import annotations

import sqlite3
import uuid

import httpx
import pytest

from tests.e2e.helpers import (
    assert_error,
    bearer,
    claimed_account,
    claims_of,
    conversation,
    guest,
    login_from,
    new_key,
    submit,
    wait_job,
)
from tests.support.server import Server

pytestmark = pytest.mark.e2e

PREFIX = "sk-soul-"
JOB_POLLS_PER_MINUTE = 120  # the contract's limit per user


def test_a_key_is_made_once_and_listed_without_itself(api: httpx.Client) -> None:
    token = claimed_account(api, "keys")
    made = new_key(api, token, "discord bot")

    assert set(made) == {"id", "name", "key"}
    assert made["name"] == "discord bot"
    assert made["key"].startswith(PREFIX) and len(made["key"]) >= len(PREFIX) + 43

    listed = api.get("/v1/auth/keys", headers=bearer(token))
    assert listed.status_code == 200, listed.text
    (view,) = listed.json()["keys"]
    assert {"id", "name", "prefix", "created_at", "last_used_at"} == set(view)
    assert (view["id"], view["name"]) == (made["id"], "discord bot")
    assert made["key"].startswith(view["prefix"]) and view["prefix"] != made["key"]
    assert view["last_used_at"] is None
    assert made["key"] not in listed.text


def test_the_store_holds_no_key_only_its_hash(api: httpx.Client, server: Server) -> None:
    made = new_key(api, claimed_account(api, "keys"))
    secret_part = made["key"][len(PREFIX) :]
    db = sqlite3.connect(server.data_dir / "soul.sqlite3")
    try:
        rows = db.execute("SELECT * FROM api_keys WHERE id = ?", (made["id"],)).fetchall()
    finally:
        db.close()
    assert len(rows) == 1
    assert all(secret_part not in str(column) for column in rows[0])


def test_a_key_acts_as_its_user_on_bearer_routes(api: httpx.Client) -> None:
    token = claimed_account(api, "keys")
    key = new_key(api, token)["key"]

    me = api.get("/v1/auth/me", headers=bearer(key))
    assert me.status_code == 200, me.text
    assert me.json()["user_id"] == claims_of(token)["sub"]
    assert me.json()["guest"] is False
    assert api.get("/v1/agents/active", headers=bearer(key)).status_code == 200

    job = submit(api, key, "Hello from my bot, Jasmine!")
    assert wait_job(api, key, job)["status"] == "succeeded"
    said = [m["message"] for m in conversation(api, token)["messages"]]
    assert "Hello from my bot, Jasmine!" in said, "the key's words are in the user's conversation"
    used = api.get("/v1/auth/keys", headers=bearer(token)).json()["keys"][0]
    assert used["last_used_at"] is not None

    events = api.get(f"/v1/jobs/{job}/events", params={"access_token": key})
    assert events.status_code == 200
    assert "event: done" in events.text


def test_a_key_shares_its_users_rate_limit(api: httpx.Client) -> None:
    token = claimed_account(api, "keys")
    key = new_key(api, token)["key"]
    unknown = uuid.uuid4().hex
    for n in range(JOB_POLLS_PER_MINUTE):
        r = api.get(f"/v1/jobs/{unknown}", headers=bearer(token if n % 2 else key))
        assert_error(r, 404, "not_found")

    assert_error(api.get(f"/v1/jobs/{unknown}", headers=bearer(key)), 429, "rate_limited")
    assert_error(api.get(f"/v1/jobs/{unknown}", headers=bearer(token)), 429, "rate_limited")


def test_a_revoked_key_is_refused_at_once(api: httpx.Client) -> None:
    token = claimed_account(api, "keys")
    made = new_key(api, token)
    assert api.get("/v1/auth/me", headers=bearer(made["key"])).status_code == 200

    gone = api.delete(f"/v1/auth/keys/{made['id']}", headers=bearer(token))

    assert gone.status_code == 200 and gone.json() == {"ok": True}
    assert_error(api.get("/v1/auth/me", headers=bearer(made["key"])), 401, "invalid_token")
    assert api.get("/v1/auth/keys", headers=bearer(token)).json() == {"keys": []}
    again = api.delete(f"/v1/auth/keys/{made['id']}", headers=bearer(token))
    assert_error(again, 404, "key_not_found")


def test_another_users_key_cannot_be_deleted(api: httpx.Client) -> None:
    owner, other = claimed_account(api, "keys"), claimed_account(api, "keys")
    made = new_key(api, owner)

    assert_error(
        api.delete(f"/v1/auth/keys/{made['id']}", headers=bearer(other)), 404, "key_not_found"
    )
    assert api.get("/v1/auth/keys", headers=bearer(other)).json() == {"keys": []}
    assert api.get("/v1/auth/me", headers=bearer(made["key"])).status_code == 200


def test_a_guest_is_asked_to_claim_first(api: httpx.Client) -> None:
    g = guest(api)
    r = api.post("/v1/auth/keys", json={"name": "bot"}, headers=bearer(g.token))
    assert_error(r, 409, "account_required")


@pytest.mark.parametrize("name", ["", "x" * 101])
def test_a_name_outside_its_bounds_is_a_validation_error(api: httpx.Client, name: str) -> None:
    r = api.post("/v1/auth/keys", json={"name": name}, headers=bearer(claimed_account(api, "keys")))
    assert_error(r, 422, "validation_error")


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (f"Bearer {PREFIX}", "invalid_token"),
        (f"Bearer {PREFIX}not-a-key", "invalid_token"),
        (f"Bearer {PREFIX}{'A' * 43}", "invalid_token"),
        (f"Basic {PREFIX}{'A' * 43}", "missing_token"),
    ],
)
def test_a_malformed_or_unknown_key_is_unauthorized(
    api: httpx.Client, header: str, code: str
) -> None:
    for method, path in (("GET", "/v1/auth/keys"), ("GET", "/v1/agents/active")):
        r = api.request(method, path, headers={"Authorization": header})
        assert_error(r, 401, code)


def test_keys_need_a_bearer(api: httpx.Client) -> None:
    assert_error(api.get("/v1/auth/keys"), 401, "missing_token")
    assert_error(api.post("/v1/auth/keys", json={"name": "bot"}), 401, "missing_token")
    assert_error(api.delete(f"/v1/auth/keys/{uuid.uuid4().hex}"), 401, "missing_token")


def test_logging_out_with_a_key_ends_it_and_logging_out_a_session_ends_every_key(
    api: httpx.Client,
) -> None:
    token = claimed_account(api, "keys")
    ended, kept = new_key(api, token, "ended"), new_key(api, token, "kept")
    session = login_from(api.post("/v1/auth/guest")).token  # unrelated, stays signed in

    assert api.post("/v1/auth/logout", headers=bearer(ended["key"])).status_code == 200
    assert_error(api.get("/v1/auth/me", headers=bearer(ended["key"])), 401, "invalid_token")
    assert [
        k["name"] for k in api.get("/v1/auth/keys", headers=bearer(kept["key"])).json()["keys"]
    ] == ["kept"]
    assert api.get("/v1/auth/me", headers=bearer(session)).status_code == 200

    assert api.post("/v1/auth/logout", headers=bearer(token)).status_code == 200
    assert_error(api.get("/v1/auth/me", headers=bearer(kept["key"])), 401, "invalid_token")
    assert api.get("/v1/auth/me", headers=bearer(session)).status_code == 200


def test_logging_out_everywhere_ends_every_key_and_session(api: httpx.Client) -> None:
    token = claimed_account(api, "keys")
    keys = [new_key(api, token, name)["key"] for name in ("one", "two")]
    bystander = claimed_account(api, "keys")
    bystanders_key = new_key(api, bystander)["key"]

    r = api.post("/v1/auth/logout", params={"everywhere": "true"}, headers=bearer(token))

    assert r.status_code == 200 and r.json() == {"ok": True}
    assert_error(api.get("/v1/auth/me", headers=bearer(token)), 401, "session_revoked")
    for key in keys:
        assert_error(api.get("/v1/auth/me", headers=bearer(key)), 401, "invalid_token")
    assert api.get("/v1/auth/me", headers=bearer(bystanders_key)).status_code == 200


def test_being_forgotten_ends_the_keys(api: httpx.Client) -> None:
    token = claimed_account(api, "keys")
    key = new_key(api, token)["key"]

    assert api.delete("/v1/auth/me", headers=bearer(key)).status_code == 200

    assert_error(api.get("/v1/auth/me", headers=bearer(key)), 401, "invalid_token")
    assert_error(api.get("/v1/auth/me", headers=bearer(token)), 401, "session_revoked")
