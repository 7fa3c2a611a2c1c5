"""Privacy over the real service: nothing from Ada's direct messages (her words, or the
memories and thoughts formed from them) appears in a prompt made for Bob or for thinking.

The scripted model writes every request it gets to a log (SCRIPTED_PROMPT_LOG); the test
reads exactly what a model would have been shown.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.helpers import bearer, guest, submit, wait_job

pytestmark = pytest.mark.e2e

PROMPT_LOG = Path(tempfile.mkdtemp(prefix="soul-prompts-")) / "prompts.jsonl"
SERVER_ENV = {
    "THINKING_ENABLED": "true",
    "THINKING_RATE_SECONDS": "1",
    "SOUL_SEED": "11",
    "SCRIPTED_PROMPT_LOG": str(PROMPT_LOG),
}
SECRET = "saffron lighthouse"


def _entries() -> list[dict[str, str]]:
    return [json.loads(line) for line in PROMPT_LOG.read_text().splitlines() if line]


def test_ada_s_secret_never_reaches_bob_s_prompts_or_thinking(api: httpx.Client) -> None:
    ada, bob = guest(api), guest(api)
    for text in (
        f"Thank you, you are wonderful! My secret is the {SECRET}.",
        f"I love you, friend. Never forget the {SECRET}.",
    ):
        assert wait_job(api, ada.token, submit(api, ada.token, text))["status"] == "succeeded"
    for text in ("Hi! What do you know about secrets?", "Tell me what you remember."):
        assert wait_job(api, bob.token, submit(api, bob.token, text))["status"] == "succeeded"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(e["task"] == "think" for e in _entries()):
        time.sleep(0.2)

    entries = _entries()
    for_bob = [e for e in entries if bob.username in e["prompt"]]
    thinking = [e for e in entries if e["task"] == "think"]
    assert any(e["task"] == "reply" for e in for_bob), "Bob's replies were logged"
    assert any(e["task"] == "reflect" for e in for_bob), "reflection on Bob was logged"
    assert thinking, "the agent thought on its own"
    for entry in for_bob + thinking:
        shown = entry["system"] + entry["prompt"]
        assert SECRET not in shown, entry
        assert "secret is the" not in shown, entry
    made_for_ada = [e for e in entries if SECRET in e["prompt"]]
    assert made_for_ada, "Ada's own prompts carry her words"
    assert all(ada.username in e["prompt"] for e in made_for_ada)


def _post_in(api: httpx.Client, token: str, text: str, channel: str) -> str:
    r = api.post(
        "/v1/messages/submit",
        json={"message": text, "type": "group", "channel_id": channel},
        headers=bearer(token),
    )
    assert r.status_code == 202, r.text
    job_id: str = r.json()["job_id"]
    assert wait_job(api, token, job_id)["status"] == "succeeded"
    return job_id


def test_naming_a_channel_does_not_open_what_its_group_said_before(api: httpx.Client) -> None:
    ada, bob = guest(api), guest(api)
    _post_in(api, ada.token, "Between the two of us here: the vault opens with 7731", "vault")
    _post_in(api, bob.token, "jasmine, what have people said in this group?", "vault")
    _post_in(api, ada.token, "Welcome, newcomer!", "vault")
    _post_in(api, bob.token, "jasmine, anything new?", "vault")

    for_bob = [e for e in _entries() if f"Message from {bob.username} (group)" in e["prompt"]]
    assert len(for_bob) == 2
    assert all("7731" not in e["prompt"] for e in for_bob), for_bob
    assert "Welcome, newcomer!" in for_bob[1]["prompt"]  # said after Bob joined
