"""Fairness: guest sign-ups per client address, and caps on a user's and an address's
unfinished replies, so that one client cannot take the model away from everyone else.

Clients come from distinct loopback addresses (127.0.0.x, a real source address, no proxy
header), one set of addresses per test, against one server with small limits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.e2e.helpers import assert_error, bearer, client, guest, submit, wait_job
from tests.support.server import Server

pytestmark = pytest.mark.e2e

GUESTS_PER_HOUR = 4
PENDING_PER_USER = 3
PENDING_PER_ADDRESS = 5
SERVER_ENV = {
    "GUEST_SIGNUPS_PER_HOUR": str(GUESTS_PER_HOUR),
    "MAX_PENDING_REPLIES_PER_USER": str(PENDING_PER_USER),
    "MAX_PENDING_REPLIES_PER_ADDRESS": str(PENDING_PER_ADDRESS),
    # Each model call takes this long, so the replies are still pending while a test submits.
    "SCRIPTED_DELAY_MS": "2000",
}


@contextmanager
def from_address(server: Server, address: str) -> Iterator[httpx.Client]:
    """A client whose connections leave from `address` (any 127.x.y.z is this machine)."""
    with client(server.url, timeout=30.0, source=address) as c:
        yield c


def retry_after(r: httpx.Response) -> int:
    value = r.headers.get("Retry-After")
    assert value is not None and value.isdigit(), f"429 carries Retry-After: {value!r}"
    return int(value)


def test_guest_sign_ups_are_limited_per_address(server: Server) -> None:
    with from_address(server, "127.0.0.21") as flooder, from_address(server, "127.0.0.22") as other:
        for _ in range(GUESTS_PER_HOUR):
            guest(flooder)

        r = flooder.post("/v1/auth/guest")
        assert_error(r, 429, "rate_limited")
        assert 60 < retry_after(r) <= 3600, "the window is an hour"
        assert not r.headers.get_list("set-cookie"), "no session is minted when limited"
        # Proxy headers are not trusted by default: a spoofed one does not reset the limit.
        spoofed = flooder.post("/v1/auth/guest", headers={"X-Forwarded-For": "203.0.113.50"})
        assert_error(spoofed, 429, "rate_limited")

        guest(other)  # another address is not affected


def test_a_user_has_at_most_the_cap_of_unfinished_replies(server: Server) -> None:
    with from_address(server, "127.0.0.31") as c:
        g = guest(c)
        jobs = [submit(c, g.token, f"message {i}") for i in range(PENDING_PER_USER)]

        r = c.post("/v1/messages/submit", json={"message": "one more"}, headers=bearer(g.token))
        assert_error(r, 429, "too_many_pending")
        assert retry_after(r) >= 1

        for job_id in jobs:
            assert wait_job(c, g.token, job_id, timeout=30)["status"] == "succeeded"
        # Once the replies are done there is room again.
        submit(c, g.token, "and now?")


def test_an_address_has_at_most_the_cap_of_unfinished_replies(server: Server) -> None:
    with from_address(server, "127.0.0.41") as flood, from_address(server, "127.0.0.42") as other:
        first, second = guest(flood), guest(flood)
        for i in range(PENDING_PER_USER):
            submit(flood, first.token, f"first guest, message {i}")
        for i in range(PENDING_PER_ADDRESS - PENDING_PER_USER):
            submit(flood, second.token, f"second guest, message {i}")

        r = flood.post(
            "/v1/messages/submit", json={"message": "over"}, headers=bearer(second.token)
        )
        assert_error(r, 429, "too_many_pending")
        retry_after(r)
        # A fresh guest from the same address does not get around the address's cap.
        third = guest(flood)
        r = flood.post("/v1/messages/submit", json={"message": "hi"}, headers=bearer(third.token))
        assert_error(r, 429, "too_many_pending")

        someone = guest(other)
        job_id = submit(other, someone.token, "hello from elsewhere")
        assert wait_job(other, someone.token, job_id, timeout=60)["status"] == "succeeded"
