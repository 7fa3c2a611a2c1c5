"""The agent's latest thought, on a fresh server: none before any message, one after a dm."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.e2e.helpers import assert_api_headers, assert_error, bearer, guest, submit, wait_job

pytestmark = pytest.mark.e2e


def test_latest_thought_is_404_before_any_message_and_present_after_a_dm(
    api: httpx.Client,
) -> None:
    g = guest(api)
    r = api.get("/v1/thoughts/latest", headers=bearer(g.token))
    assert_error(r, 404, "thought_not_found")

    # The scripted model always has a thought about a dm.
    body = wait_job(api, g.token, submit(api, g.token, "I went to the sea today", kind="dm"))
    assert body["status"] == "succeeded", body

    r = api.get("/v1/thoughts/latest", headers=bearer(g.token))
    assert r.status_code == 200, r.text
    assert_api_headers(r)
    thought = r.json()["latest_thought"]
    assert {"id", "thought", "timestamp"} <= set(thought)
    assert isinstance(thought["id"], str) and thought["id"]
    assert isinstance(thought["thought"], str) and thought["thought"]
    assert dt.datetime.fromisoformat(thought["timestamp"]).tzinfo is not None
