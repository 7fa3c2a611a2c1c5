"""Accounts and sessions over HTTP: guest, claim, login, refresh rotation, logout, bad tokens.

This module's server sees at most ~8 claims and ~6 logins from 127.0.0.1, well under the
per-IP limits (10 and 20 a minute); the limits themselves are tested in test_rate_limits.py.
"""

from __future__ import annotations

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest

from tests.e2e.helpers import (
    ACCESS_TTL_S,
    COOKIE_NAMES,
    JWT_AUD,
    JWT_ISS,
    JWT_SECRET,
    REFRESH_MAX_AGE,
    REFRESH_PATH,
    Login,
    assert_api_headers,
    assert_error,
    assert_validation_error,
    b64url,
    bearer,
    claims_of,
    client,
    craft_token,
    guest,
    login_from,
    parse_set_cookies,
    refresh,
    unique_email,
    unique_username,
    unsigned_token,
)
from tests.support.server import Server

pytestmark = pytest.mark.e2e

GUEST_NAME = re.compile(
    r"^guest_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    username: str
    login: Login


def claim(c: httpx.Client, token: str, email: str, password: str, username: str) -> httpx.Response:
    return c.post(
        "/v1/auth/claim",
        json={"email": email, "password": password, "username": username},
        headers=bearer(token),
    )


def me(c: httpx.Client, token: str) -> httpx.Response:
    return c.get("/v1/auth/me", headers=bearer(token))


@pytest.fixture(scope="module")
def account(api: httpx.Client) -> Account:
    """One claimed account shared by the login and conflict tests."""
    g = guest(api)
    email, username = unique_email("owner"), unique_username("owner")
    claimed = login_from(claim(api, g.token, email, PASSWORD, username))
    return Account(email, PASSWORD, username, claimed)


# -- guest ---------------------------------------------------------------------------------
def test_guest_gets_a_token_reply(api: httpx.Client) -> None:
    r = api.post("/v1/auth/guest")
    assert r.status_code == 200, r.text
    assert_api_headers(r)
    body = r.json()
    assert {"access_token", "username", "expires_in"} <= set(body)
    assert GUEST_NAME.match(body["username"]), body["username"]
    assert body["expires_in"] == ACCESS_TTL_S == 900


def test_guest_access_token_is_an_hs256_jwt_with_the_contract_claims(api: httpx.Client) -> None:
    g = guest(api)
    assert jwt.get_unverified_header(g.token)["alg"] == "HS256"
    claims = claims_of(g.token)
    assert {"iss", "aud", "sub", "sid", "username", "iat", "exp"} <= set(claims)
    assert claims["iss"] == JWT_ISS and claims["aud"] == JWT_AUD
    assert claims["username"] == g.username
    assert claims["exp"] - claims["iat"] == ACCESS_TTL_S
    assert abs(claims["iat"] - time.time()) < 60
    who = me(api, g.token).json()
    assert claims["sub"] == who["user_id"]
    assert claims["sid"] == who["sid"] == g.cookies["sid"]


def test_guest_sets_the_three_refresh_cookies_with_contract_attributes(api: httpx.Client) -> None:
    cookies = parse_set_cookies(api.post("/v1/auth/guest"))
    assert set(COOKIE_NAMES) <= set(cookies)
    for name in COOKIE_NAMES:
        c = cookies[name]
        assert c.value, name
        assert (c.attr("samesite") or "").lower() == "lax", name
        assert c.attr("max-age") == str(REFRESH_MAX_AGE), name
    for name in ("sid", "rtoken"):
        assert cookies[name].http_only, f"{name} must be HttpOnly"
        assert cookies[name].attr("path") == REFRESH_PATH, name
    csrf = cookies["refresh_csrf"]
    assert not csrf.http_only, "the web UI's script must be able to read refresh_csrf"
    assert csrf.attr("path") == "/"


def test_every_guest_is_a_new_user_and_session(api: httpx.Client) -> None:
    a, b = guest(api), guest(api)
    me_a, me_b = me(api, a.token).json(), me(api, b.token).json()
    assert me_a["user_id"] != me_b["user_id"]
    assert me_a["sid"] != me_b["sid"]
    assert a.username != b.username
    assert a.cookies["rtoken"] != b.cookies["rtoken"]


def test_me_describes_the_signed_in_guest(api: httpx.Client) -> None:
    g = guest(api)
    r = me(api, g.token)
    assert r.status_code == 200
    assert_api_headers(r)
    body = r.json()
    assert {"user_id", "username", "sid", "guest"} <= set(body)
    assert body["username"] == g.username
    assert body["guest"] is True
    assert body["sid"] == g.cookies["sid"]


def test_refresh_and_csrf_tokens_and_passwords_are_not_stored_in_clear(
    api: httpx.Client, server: Server
) -> None:
    g = guest(api)
    password = f"stored-in-clear-{uuid.uuid4().hex}"
    r = claim(api, g.token, unique_email("store"), password, unique_username("store"))
    claimed = login_from(r)
    stored = b"".join(p.read_bytes() for p in server.data_dir.glob("*.sqlite3*"))
    assert stored, "the store lives under DATA_DIR"
    for secret in (g.cookies["rtoken"], g.csrf, claimed.cookies["rtoken"], claimed.csrf, password):
        assert secret.encode() not in stored


# -- claim and login -----------------------------------------------------------------------
def test_claim_upgrades_the_account_and_revokes_the_guest_session(api: httpx.Client) -> None:
    g = guest(api)
    user_id = me(api, g.token).json()["user_id"]
    email, username = unique_email("claim"), unique_username("claim")
    r = claim(api, g.token, email, PASSWORD, username)
    assert r.status_code == 200, r.text
    claimed = login_from(r)
    assert claimed.username == username
    assert r.json()["expires_in"] == ACCESS_TTL_S
    assert set(COOKIE_NAMES) <= set(claimed.cookies)
    assert claimed.cookies["sid"] != g.cookies["sid"]

    assert_error(me(api, g.token), 401, "session_revoked")
    who = me(api, claimed.token).json()
    assert who == {
        **who,
        "user_id": user_id,
        "username": username,
        "guest": False,
        "sid": claimed.cookies["sid"],
    }

    logged_in = login_from(api.post("/v1/auth/login", json={"email": email, "password": PASSWORD}))
    assert logged_in.username == username
    assert me(api, logged_in.token).json()["user_id"] == user_id


def test_login_mints_a_new_session_with_cookies(api: httpx.Client, account: Account) -> None:
    r = api.post("/v1/auth/login", json={"email": account.email, "password": account.password})
    assert r.status_code == 200, r.text
    assert_api_headers(r)
    fresh = login_from(r)
    assert fresh.username == account.username
    assert r.json()["expires_in"] == ACCESS_TTL_S
    cookies = parse_set_cookies(r)
    assert set(COOKIE_NAMES) <= set(cookies)
    assert cookies["rtoken"].http_only and cookies["rtoken"].attr("path") == REFRESH_PATH
    assert fresh.cookies["sid"] != account.login.cookies["sid"]
    who = me(api, fresh.token).json()
    assert who["guest"] is False and who["sid"] == fresh.cookies["sid"]
    # A second session does not end the first one.
    assert me(api, account.login.token).status_code == 200


def test_login_with_a_wrong_password_is_invalid_credentials(
    api: httpx.Client, account: Account
) -> None:
    wrong = api.post("/v1/auth/login", json={"email": account.email, "password": "not-it-123"})
    unknown = api.post(
        "/v1/auth/login", json={"email": unique_email("nobody"), "password": "whatever-123"}
    )
    e1 = assert_error(wrong, 401, "invalid_credentials")
    e2 = assert_error(unknown, 401, "invalid_credentials")
    assert e1["message"] == e2["message"], "no hint whether the email exists"
    assert not parse_set_cookies(wrong)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "someone@example.com"},
        {"password": "secret-pass-1"},
        {"email": 12, "password": "secret-pass-1"},
        {"email": "not-an-email", "password": "secret-pass-1"},
    ],
)
def test_login_with_a_bad_body_is_a_validation_error(
    api: httpx.Client, body: dict[str, Any]
) -> None:
    assert_validation_error(api.post("/v1/auth/login", json=body))


def test_claim_with_a_taken_email_conflicts_and_keeps_the_guest(
    api: httpx.Client, account: Account
) -> None:
    g = guest(api)
    r = claim(api, g.token, account.email, PASSWORD, unique_username("dup"))
    assert_error(r, 409, "email_in_use")
    r = claim(api, g.token, account.email.upper(), PASSWORD, unique_username("dup"))
    assert_error(r, 409, "email_in_use")
    who = me(api, g.token)
    assert who.status_code == 200, "a failed claim must not revoke the guest session"
    assert who.json()["guest"] is True


def test_claim_with_a_taken_username_conflicts(api: httpx.Client, account: Account) -> None:
    g = guest(api)
    r = claim(api, g.token, unique_email("dup"), PASSWORD, account.username)
    assert_error(r, 409, "email_in_use")
    assert me(api, g.token).json()["guest"] is True


def test_two_guests_racing_for_one_email_get_one_account(api: httpx.Client) -> None:
    email = unique_email("race")
    guests = [guest(api), guest(api)]

    def attempt(g: Login) -> httpx.Response:
        with client(str(api.base_url)) as c:
            return claim(c, g.token, email, PASSWORD, unique_username("race"))

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(attempt, guests))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409], [r.text for r in results]
    assert_error(next(r for r in results if r.status_code == 409), 409, "email_in_use")


def test_claim_without_a_token_is_unauthorized(api: httpx.Client) -> None:
    r = api.post(
        "/v1/auth/claim",
        json={"email": unique_email(), "password": PASSWORD, "username": unique_username()},
    )
    assert_error(r, 401, "missing_token")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "ab"),  # too short
        ("username", "x" * 33),  # too long
        ("username", "-starts-with-dash"),
        ("username", "has space"),
        ("username", "bad/slash"),
        ("password", "short12"),  # 7 chars
        ("password", "p" * 129),
        ("email", "no-at-sign"),
        ("email", 42),
    ],
)
def test_claim_with_a_bad_body_is_a_validation_error(
    api: httpx.Client, field: str, value: Any
) -> None:
    g = guest(api)
    body: dict[str, Any] = {
        "email": unique_email(),
        "password": "a-secret-password-9",
        "username": unique_username(),
    }
    body[field] = value
    r = api.post("/v1/auth/claim", json=body, headers=bearer(g.token))
    assert_validation_error(r)
    assert "a-secret-password-9" not in r.text, "inputs (passwords) are never echoed"
    assert me(api, g.token).json()["guest"] is True


def test_claim_with_missing_fields_is_a_validation_error(api: httpx.Client) -> None:
    g = guest(api)
    r = api.post("/v1/auth/claim", json={"email": unique_email()}, headers=bearer(g.token))
    details = assert_validation_error(r)
    missing = {d["loc"][-1] for d in details}
    assert {"password", "username"} <= missing


# -- refresh -------------------------------------------------------------------------------
def test_refresh_rotates_the_session(api: httpx.Client) -> None:
    g = guest(api)
    r = refresh(api, g.cookies, g.csrf)
    assert r.status_code == 200, r.text
    assert_api_headers(r)
    rotated = login_from(r)
    assert rotated.username == g.username
    assert r.json()["expires_in"] == ACCESS_TTL_S
    for name in COOKIE_NAMES:
        assert rotated.cookies[name] != g.cookies[name], f"{name} must be new"
    cookies = parse_set_cookies(r)
    assert cookies["sid"].attr("path") == REFRESH_PATH and cookies["sid"].http_only
    assert cookies["refresh_csrf"].attr("path") == "/"

    who = me(api, rotated.token).json()
    assert who["sid"] == rotated.cookies["sid"] and who["username"] == g.username
    assert_error(me(api, g.token), 401, "session_revoked")

    again = refresh(api, rotated.cookies, rotated.csrf)
    assert again.status_code == 200, "the rotated cookies refresh again"


def test_replayed_refresh_token_revokes_every_session_of_the_user(api: httpx.Client) -> None:
    g = guest(api)
    rotated = login_from(refresh(api, g.cookies, g.csrf))
    newest = login_from(refresh(api, rotated.cookies, rotated.csrf))
    assert me(api, newest.token).status_code == 200

    replay = refresh(api, g.cookies, g.csrf)
    assert_error(replay, 401, "revoked")

    assert_error(me(api, newest.token), 401, "session_revoked")
    assert_error(refresh(api, newest.cookies, newest.csrf), 401, "revoked")


def test_refresh_without_cookies_is_no_refresh(api: httpx.Client) -> None:
    assert_error(refresh(api, None, None), 401, "no_refresh")
    g = guest(api)
    assert_error(refresh(api, {"sid": g.cookies["sid"]}, g.csrf), 401, "no_refresh")
    partial = {"sid": g.cookies["sid"], "rtoken": g.cookies["rtoken"]}
    assert_error(refresh(api, partial, g.csrf), 401, "no_refresh")


def test_refresh_without_or_with_a_wrong_csrf_header_is_csrf_mismatch(api: httpx.Client) -> None:
    g = guest(api)
    assert_error(refresh(api, g.cookies, None), 401, "csrf_mismatch")
    assert_error(refresh(api, g.cookies, g.csrf + "x"), 401, "csrf_mismatch")
    assert_error(refresh(api, g.cookies, ""), 401, "csrf_mismatch")
    other = guest(api)
    assert_error(refresh(api, g.cookies, other.csrf), 401, "csrf_mismatch")
    # None of that spent the session: the right header still works.
    assert refresh(api, g.cookies, g.csrf).status_code == 200


def test_refresh_with_a_wrong_refresh_token_is_bad_refresh(api: httpx.Client) -> None:
    g = guest(api)
    wrong = {**g.cookies, "rtoken": b64url(uuid.uuid4().bytes * 2)}
    assert_error(refresh(api, wrong, g.csrf), 401, "bad_refresh")
    unknown_sid = {**g.cookies, "sid": uuid.uuid4().hex}
    assert_error(refresh(api, unknown_sid, g.csrf), 401, "bad_refresh")
    other = guest(api)
    swapped = {**g.cookies, "rtoken": other.cookies["rtoken"]}
    assert_error(refresh(api, swapped, g.csrf), 401, "bad_refresh")
    assert refresh(api, g.cookies, g.csrf).status_code == 200


# -- logout --------------------------------------------------------------------------------
def test_logout_clears_the_cookies_and_revokes_the_session(api: httpx.Client) -> None:
    g = guest(api)
    r = api.post("/v1/auth/logout", headers=bearer(g.token))
    assert r.status_code == 200
    assert_api_headers(r)
    assert r.json() == {"ok": True}
    cleared = parse_set_cookies(r)
    expected_paths = {"sid": REFRESH_PATH, "rtoken": REFRESH_PATH, "refresh_csrf": "/"}
    for name, path in expected_paths.items():
        assert name in cleared, f"{name} is not cleared"
        assert cleared[name].value == ""
        assert cleared[name].attr("max-age") == "0"
        assert cleared[name].attr("path") == path, "a cookie is cleared only on its own path"

    assert_error(me(api, g.token), 401, "session_revoked")
    assert_error(refresh(api, g.cookies, g.csrf), 401, "revoked")


def test_logout_never_fails(api: httpx.Client) -> None:
    for headers in ({}, bearer("garbage"), {"Authorization": "Basic Zm9vOmJhcg=="}):
        r = api.post("/v1/auth/logout", headers=headers)
        assert r.status_code == 200, r.text
        assert r.json() == {"ok": True}
        assert {"sid", "rtoken", "refresh_csrf"} <= set(parse_set_cookies(r))
    g = guest(api)
    api.post("/v1/auth/logout", headers=bearer(g.token))
    r = api.post("/v1/auth/logout", headers=bearer(g.token))
    assert r.status_code == 200, "logging out twice is fine"


def test_logout_ends_only_its_own_session(api: httpx.Client, account: Account) -> None:
    a = login_from(api.post("/v1/auth/login", json={"email": account.email, "password": PASSWORD}))
    b = login_from(api.post("/v1/auth/login", json={"email": account.email, "password": PASSWORD}))
    api.post("/v1/auth/logout", headers=bearer(a.token))
    assert_error(me(api, a.token), 401, "session_revoked")
    assert me(api, b.token).status_code == 200


# -- bad bearer tokens ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_claims(api: httpx.Client) -> dict[str, Any]:
    """The claims of a live session: crafted tokens differ from a valid one in one way only."""
    return claims_of(guest(api).token)


def test_missing_token_is_missing_token(api: httpx.Client) -> None:
    assert_error(api.get("/v1/auth/me"), 401, "missing_token")
    assert_error(api.get("/v1/auth/me", headers={"Authorization": "Bearer"}), 401, "missing_token")


def test_a_non_bearer_scheme_is_unauthorized(api: httpx.Client) -> None:
    r = api.get("/v1/auth/me", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert_error(r, 401, {"missing_token", "invalid_token"})


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", "🙂"])
def test_garbage_token_is_invalid_token(api: httpx.Client, token: str) -> None:
    r = api.get("/v1/auth/me", headers={b"Authorization": f"Bearer {token}".encode()})
    assert_error(r, 401, "invalid_token")


def test_a_token_with_a_tampered_signature_is_invalid(api: httpx.Client) -> None:
    token = guest(api).token
    head, payload, sig = token.split(".")
    i = len(sig) // 2
    flipped = sig[:i] + ("A" if sig[i] != "A" else "B") + sig[i + 1 :]
    assert_error(me(api, f"{head}.{payload}.{flipped}"), 401, "invalid_token")


def test_a_token_with_a_tampered_payload_is_invalid(api: httpx.Client) -> None:
    token = guest(api).token
    head, _, sig = token.split(".")
    forged = b64url(jwt.utils.base64url_decode(token.split(".")[1]).replace(b"guest_", b"admin_"))
    assert_error(me(api, f"{head}.{forged}.{sig}"), 401, "invalid_token")


def test_an_alg_none_token_is_invalid(api: httpx.Client, real_claims: dict[str, Any]) -> None:
    assert_error(me(api, unsigned_token(real_claims)), 401, "invalid_token")


def test_a_token_signed_with_another_secret_is_invalid(
    api: httpx.Client, real_claims: dict[str, Any]
) -> None:
    token = craft_token(real_claims, secret="another-secret-that-is-long-enough-0123456789")
    assert_error(me(api, token), 401, "invalid_token")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_an_hs512_token_with_the_right_secret_is_invalid(
    api: httpx.Client, real_claims: dict[str, Any]
) -> None:
    assert_error(me(api, craft_token(real_claims, algorithm="HS512")), 401, "invalid_token")


def test_an_expired_token_is_session_expired(
    api: httpx.Client, real_claims: dict[str, Any]
) -> None:
    now = int(time.time())
    token = craft_token({**real_claims, "iat": now - 3600, "exp": now - 60})
    assert_error(me(api, token), 401, "session_expired")


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "someone-else"},
        {"iss": "someone-else"},
    ],
)
def test_a_token_for_another_audience_or_issuer_is_invalid(
    api: httpx.Client, real_claims: dict[str, Any], change: dict[str, str]
) -> None:
    assert_error(me(api, craft_token({**real_claims, **change})), 401, "invalid_token")


@pytest.mark.parametrize("missing", ["sub", "sid", "exp", "aud", "iss"])
def test_a_token_missing_a_required_claim_is_invalid(
    api: httpx.Client, real_claims: dict[str, Any], missing: str
) -> None:
    claims = {k: v for k, v in real_claims.items() if k != missing}
    assert_error(me(api, craft_token(claims)), 401, "invalid_token")


def test_a_well_signed_token_for_an_unknown_session_is_unauthorized(
    api: httpx.Client, real_claims: dict[str, Any]
) -> None:
    token = craft_token({**real_claims, "sid": uuid.uuid4().hex})
    assert_error(me(api, token), 401, {"session_revoked", "invalid_token"})


def test_a_token_naming_another_user_for_a_session_is_unauthorized(
    api: httpx.Client, real_claims: dict[str, Any]
) -> None:
    other = claims_of(guest(api).token)
    token = craft_token({**real_claims, "sub": other["sub"]})
    assert_error(me(api, token), 401, {"session_revoked", "invalid_token"})


def test_crafted_tokens_with_the_test_secret_and_live_claims_work(
    api: httpx.Client, real_claims: dict[str, Any]
) -> None:
    """The control for the cases above: only the one altered property makes them fail."""
    now = int(time.time())
    token = jwt.encode({**real_claims, "iat": now, "exp": now + 60}, JWT_SECRET, "HS256")
    assert me(api, token).status_code == 200
