"""The agent's state is shared by every signed-in user: nothing in it may come from one
user's direct messages (who wrote, what they wrote, or what the model made of it)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.e2e.helpers import agent_state, bearer, guest, submit, wait_job

pytestmark = pytest.mark.e2e

SECRET = "marzipan observatory"


def _history(api: httpx.Client, token: str) -> dict[str, object]:
    r = api.get("/v1/agents/active/history", headers=bearer(token))
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()["history"]
    return body


def test_what_bob_sees_of_the_agent_holds_nothing_of_ada_s_direct_messages(
    api: httpx.Client,
) -> None:
    ada, bob = guest(api), guest(api)
    for text in (f"Thank you, you are wonderful! My secret is the {SECRET}.", "Is it safe?"):
        assert wait_job(api, ada.token, submit(api, ada.token, text))["status"] == "succeeded"
    ada_thought = api.get("/v1/thoughts/latest", headers=bearer(ada.token)).json()
    assert ada.username in ada_thought["latest_thought"]["thought"]  # hers: she may see it

    def shared() -> str:
        return json.dumps([agent_state(api, bob.token), _history(api, bob.token)])

    seen = shared()
    assert ada.username not in seen
    assert SECRET not in seen and "secret" not in seen
    # What the model read in her message (the scripted model perceives "asking") stays hers.
    reason = agent_state(api, bob.token)["emotional_status"]["reason"]
    assert "asking" not in reason and "sharing" not in reason, reason
    assert ada_thought["latest_thought"]["id"] not in seen

    assert api.delete("/v1/auth/me", headers=bearer(ada.token)).status_code == 200
    assert ada.username not in shared()
