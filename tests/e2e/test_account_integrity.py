"""Accounts over HTTP that stay one person's: names unique whatever their case, addresses that
are addresses, and a guest claimed exactly once however many claims race.

This module's server sees 9 claims and 7 logins that pass validation from 127.0.0.1, under
the per-IP limits (10 and 20 a minute), and signs up only 4 guests.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import (
    Login,
    assert_error,
    assert_validation_error,
    bearer,
    client,
    guest,
    login_from,
    unique_email,
)

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
RACERS = 6


def claim(c: httpx.Client, token: str, email: str, username: str) -> httpx.Response:
    return c.post(
        "/v1/auth/claim",
        json={"email": email, "password": PASSWORD, "username": username},
        headers=bearer(token),
    )


def login(c: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return c.post("/v1/auth/login", json={"email": email, "password": password})


def test_a_case_variant_of_a_taken_username_or_email_conflicts(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8].upper()
    username, email = f"U_{tag}", f"Owner.{tag}@Example.com"
    owner = login_from(claim(api, guest(api).token, email, username))
    assert owner.username == username, "the display form is kept"

    g = guest(api)
    assert_error(claim(api, g.token, unique_email("other"), username.lower()), 409, "email_in_use")
    assert_error(claim(api, g.token, email.swapcase(), f"v_{tag.lower()}"), 409, "email_in_use")
    assert api.get("/v1/auth/me", headers=bearer(g.token)).json()["guest"] is True

    signed_in = login_from(login(api, email.lower()))
    assert signed_in.username == username


HOSTILE_EMAILS = [
    "nul\x00byte@example.com",
    "evil\u202emoc.elpmaxe@example.com",  # a right-to-left override
    "<script>alert(1)</script>@example.com",
    '"<b>"@example.com',
    "bell\x07@example.com",
    "someone@exa mple.test",
    "someone@localhost",
    "two@@example.com",
]


@pytest.fixture(scope="module")
def hopeful(api: httpx.Client) -> Login:
    """One guest for every refused claim: a refused claim leaves it a guest."""
    return guest(api)


@pytest.mark.parametrize("email", HOSTILE_EMAILS)
def test_claim_refuses_an_address_that_is_not_one(
    api: httpx.Client, hopeful: Login, email: str
) -> None:
    r = claim(api, hopeful.token, email, f"h_{uuid.uuid4().hex[:12]}")
    details = assert_validation_error(r)
    assert any(d["loc"][-1] == "email" for d in details), details
    assert api.get("/v1/auth/me", headers=bearer(hopeful.token)).json()["guest"] is True


@pytest.mark.parametrize("email", HOSTILE_EMAILS)
def test_login_refuses_an_address_that_is_not_one(api: httpx.Client, email: str) -> None:
    details = assert_validation_error(login(api, email, "whatever-password"))
    assert any(d["loc"][-1] == "email" for d in details), details


def test_concurrent_claims_of_one_guest_have_exactly_one_winner(api: httpx.Client) -> None:
    g = guest(api)
    tag = uuid.uuid4().hex[:8]
    attempts = [(f"racer{i}-{tag}@example.com", f"racer{i}_{tag}") for i in range(RACERS)]
    start = threading.Barrier(RACERS)

    def attempt(email_and_name: tuple[str, str]) -> httpx.Response:
        with client(str(api.base_url)) as c:
            start.wait()  # all claims leave together
            return claim(c, g.token, *email_and_name)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(attempt, attempts))
    statuses = [r.status_code for r in results]
    assert statuses.count(200) == 1, [r.text for r in results]
    for r in results:
        if r.status_code != 200:
            # A claim that got in before the winner committed loses the claim itself; one
            # that came after finds the guest's session already ended by the winner.
            code = "already_claimed" if r.status_code == 409 else "session_revoked"
            assert_error(r, 409 if code == "already_claimed" else 401, code)

    winner = statuses.index(200)
    logins: list[Any] = [login(api, email).status_code for email, _ in attempts]
    assert logins == [200 if i == winner else 401 for i in range(RACERS)]
