"""The reply streams: `token` events carry its text while the model writes it, before `done`."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.helpers import KIND_MESSAGE, bearer, guest, read_events, submit

pytestmark = pytest.mark.e2e

# The scripted model spreads this over the pieces it writes: a stream opened right after
# submitting is listening well before the reply's first words.
SERVER_ENV = {"SCRIPTED_DELAY_MS": "1500"}


def test_token_events_carry_the_reply_text_before_done(api: httpx.Client) -> None:
    g = guest(api)
    job_id = submit(api, g.token, KIND_MESSAGE)
    with api.stream("GET", f"/v1/jobs/{job_id}/events", params={"access_token": g.token}) as r:
        assert r.status_code == 200
        events, _ = read_events(r)

    names = [e.event for e in events]
    assert names[0] == "status", names
    assert names[-1] == "done" and names.count("done") == 1, names
    tokens = [e.data for e in events if e.event == "token"]
    assert len(tokens) >= 2, names  # the text arrives in pieces, not at once
    assert all(t == {"job_id": job_id, "text": t["text"]} for t in tokens), tokens
    done = events[-1].data
    assert done["status"] == "succeeded", done
    response = done["result"]["response"]
    assert isinstance(response, str) and response
    assert "".join(t["text"] for t in tokens) == response

    # Polling knows nothing of tokens and agrees on the result.
    polled = api.get(f"/v1/jobs/{job_id}", headers=bearer(g.token)).json()
    assert polled == done


def test_a_finished_jobs_stream_replays_no_tokens(api: httpx.Client) -> None:
    """Tokens are pushed, never stored: a late stream gets the result from `done` alone."""
    g = guest(api)
    job_id = submit(api, g.token, KIND_MESSAGE)
    with api.stream("GET", f"/v1/jobs/{job_id}/events", params={"access_token": g.token}) as r:
        read_events(r)
    with api.stream("GET", f"/v1/jobs/{job_id}/events", params={"access_token": g.token}) as r:
        events, _ = read_events(r)
    assert [e.event for e in events] == ["status", "done"]
