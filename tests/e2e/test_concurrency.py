"""Bursts over real HTTP: concurrent sign-ups while liveness answers; parallel reply jobs."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.helpers import (
    KIND_MESSAGE,
    Login,
    agent_state,
    bearer,
    client,
    conversation,
    guest,
    submit,
    wait_job,
)
from tests.support.server import Server

pytestmark = pytest.mark.e2e

# Several workers and a small model delay, so reply jobs really overlap.
SERVER_ENV = {"INLINE_WORKERS": "4", "SCRIPTED_DELAY_MS": "150"}
SIGNUPS = 30
USERS = 6


def test_30_concurrent_guest_signups_succeed_while_ping_answers(server: Server) -> None:
    done = threading.Event()
    pings: list[int] = []

    def ping_until_done() -> None:
        with client(server.url) as c:
            while not done.is_set():
                pings.append(c.get("/v1/meta/ping").status_code)

    def sign_up(_: int) -> Login:
        with client(server.url, timeout=30) as c:
            return guest(c)

    pinger = threading.Thread(target=ping_until_done)
    pinger.start()
    try:
        with ThreadPoolExecutor(max_workers=SIGNUPS) as pool:
            logins = list(pool.map(sign_up, range(SIGNUPS)))
    finally:
        done.set()
        pinger.join(timeout=30)

    assert len(logins) == SIGNUPS
    assert len({g.username for g in logins}) == SIGNUPS, "every guest is a distinct user"
    assert len({g.cookies["sid"] for g in logins}) == SIGNUPS
    assert pings, "ping was called during the burst"
    assert set(pings) == {200}, f"every ping answered 200: {pings}"
    with client(server.url) as c:
        for g in logins:
            assert c.get("/v1/auth/me", headers=bearer(g.token)).status_code == 200


def test_parallel_reply_jobs_of_different_users_all_succeed_without_lost_updates(
    api: httpx.Client, server: Server
) -> None:
    first = guest(api)
    felt_before = agent_state(api, first.token)["events_felt"]
    users = [guest(api) for _ in range(USERS)]

    def talk(g: Login) -> tuple[Login, str, dict[str, object]]:
        with client(server.url, timeout=30) as c:
            job_id = submit(c, g.token, KIND_MESSAGE)
            return g, job_id, wait_job(c, g.token, job_id, timeout=30)

    with ThreadPoolExecutor(max_workers=USERS) as pool:
        outcomes = list(pool.map(talk, users))

    for g, job_id, body in outcomes:
        assert body["status"] == "succeeded", body
        replies = [m for m in conversation(api, g.token)["messages"] if m["from_agent"]]
        assert len(replies) == 1, f"{job_id}: one reply per job"

    state = agent_state(api, first.token)
    assert state["emotional_status"]["emotions"]["joy"]["value"] > 0
    # Every turn committed its own state change on top of the others': none overwrote another.
    assert state["events_felt"] == felt_before + USERS
