"""A job caught mid-run by a crash (SIGKILL) or a shutdown (SIGTERM) completes after a restart.

Jobs and sessions persist in SQLite under DATA_DIR, so the same access token polls the same
job on the new process. Each test starts its own servers on its own DATA_DIR.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Spawn
from tests.e2e.helpers import (
    EXPRESSIONS,
    FINISHED,
    Login,
    agent_state,
    bearer,
    client,
    conversation,
    guest,
    read_events,
    submit,
    wait_job,
)
from tests.support.server import stop

pytestmark = pytest.mark.e2e

SLOW = {"SCRIPTED_DELAY_MS": "4000", "INLINE_WORKERS": "1"}
TEXT = "Please remember this exact sentence across a restart."


def start_job_then_stop(
    spawn: Spawn, data_dir: Path, sig: int
) -> tuple[Login, str, int | None, dict[str, Any]]:
    first = spawn(data_dir, SLOW)
    with client(first.url) as c:
        g = guest(c)
        agent = agent_state(c, g.token)
        job_id = submit(c, g.token, TEXT)
        body = wait_job(c, g.token, job_id, frozenset({"running"}) | FINISHED, 10, 0.05)
        assert body["status"] == "running", body
    stop(first, sig)
    return g, job_id, first.process.returncode, agent


def assert_completed_once(
    spawn: Spawn, data_dir: Path, g: Login, job_id: str, agent: dict[str, Any]
) -> None:
    second = spawn(data_dir)
    with client(second.url) as c:
        who = c.get("/v1/auth/me", headers=bearer(g.token))
        assert who.status_code == 200, "the session survives the restart"
        after = agent_state(c, g.token)
        assert after["id"] == agent["id"], "the same agent, not a newborn"
        assert after["birthdate"] == agent["birthdate"]
        assert after["personality"]["myers-briggs"] == agent["personality"]["myers-briggs"]

        body = wait_job(c, g.token, job_id, timeout=20)
        assert body["status"] == "succeeded", body
        assert body["error"] is None
        assert isinstance(body["result"]["response"], str)
        assert body["result"]["expression"] in EXPRESSIONS

        with c.stream("GET", f"/v1/jobs/{job_id}/events", params={"access_token": g.token}) as r:
            assert r.status_code == 200
            events, _ = read_events(r)
        assert events[-1].event == "done" and events[-1].data == body

        messages = conversation(c, g.token)["messages"]
        mine = [m for m in messages if not m["from_agent"]]
        replies = [m for m in messages if m["from_agent"]]
        assert [m["message"] for m in mine] == [TEXT], "the user message is there exactly once"
        assert len(replies) == 1, f"exactly one reply for the job: {replies}"
        assert replies[0]["message"] == body["result"]["response"]
        if "job_id" in replies[0]:
            assert replies[0]["job_id"] == job_id


def test_a_job_running_when_the_process_is_killed_completes_after_restart(
    spawn: Spawn, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    g, job_id, code, agent = start_job_then_stop(spawn, data_dir, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert_completed_once(spawn, data_dir, g, job_id, agent)


def test_a_job_running_at_a_graceful_shutdown_completes_after_restart(
    spawn: Spawn, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    g, job_id, code, agent = start_job_then_stop(spawn, data_dir, signal.SIGTERM)
    # uvicorn re-raises the captured SIGTERM after its graceful shutdown: -15, never -9.
    assert code in (0, -signal.SIGTERM), f"not a clean shutdown: exit code {code}"
    assert_completed_once(spawn, data_dir, g, job_id, agent)


def test_a_job_that_keeps_crashing_its_process_fails_with_a_short_code(
    spawn: Spawn, tmp_path: Path
) -> None:
    """Killed mid-run on each of its attempts (3 by default), the job ends `failed`."""
    data_dir = tmp_path / "data"
    g, job_id, _, _ = start_job_then_stop(spawn, data_dir, signal.SIGKILL)
    for _ in range(2):
        again = spawn(data_dir, SLOW)
        with client(again.url) as c:
            body = wait_job(c, g.token, job_id, frozenset({"running"}) | FINISHED, 10, 0.05)
            assert body["status"] == "running", body
        stop(again, signal.SIGKILL)

    last = spawn(data_dir)
    with client(last.url) as c:
        body = wait_job(c, g.token, job_id, timeout=10)
        assert body["status"] == "failed", body
        assert body["error"] == "job_failed", "a short code, never internals"
        assert body["result"] is None
        with c.stream("GET", f"/v1/jobs/{job_id}/events", params={"access_token": g.token}) as r:
            events, _ = read_events(r)
        assert [e.event for e in events] == ["status", "done"]
        assert events[-1].data == body
        messages = conversation(c, g.token)["messages"]
        assert [m["message"] for m in messages if not m["from_agent"]] == [TEXT]
        assert [m for m in messages if m["from_agent"]] == []
