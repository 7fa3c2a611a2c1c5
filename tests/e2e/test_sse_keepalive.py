"""An idle event stream sends `: keep-alive` comments (interval shortened for the test)."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.e2e.helpers import FINISHED, bearer, guest, submit, wait_job

pytestmark = pytest.mark.e2e

# A job that stays `running` for seconds, and a keep-alive far below the 15 s maximum.
SERVER_ENV = {"SCRIPTED_DELAY_MS": "3000", "SSE_KEEPALIVE_SECONDS": "0.2"}


def test_an_idle_stream_sends_keep_alive_comments(api: httpx.Client) -> None:
    g = guest(api)
    job_id = submit(api, g.token, "take your time")
    wait_job(api, g.token, job_id, frozenset({"running"}) | FINISHED, 5, 0.05)
    lines: list[str] = []
    deadline = time.monotonic() + 2.5
    with api.stream("GET", f"/v1/jobs/{job_id}/events", params={"access_token": g.token}) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            lines.append(line)
            if line.startswith(":") or time.monotonic() > deadline:
                break
    assert lines[0] == "event: status", lines
    assert any(line.startswith(": keep-alive") for line in lines), lines
    # The job still completes normally.
    assert wait_job(api, g.token, job_id)["status"] == "succeeded"
    assert api.get(f"/v1/jobs/{job_id}", headers=bearer(g.token)).status_code == 200
