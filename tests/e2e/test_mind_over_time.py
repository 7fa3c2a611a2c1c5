"""The mind over HTTP: twenty turns move the state the expected way; history and the
relationship are there for a client to chart."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.helpers import (
    agent_state,
    assert_error,
    bearer,
    guest,
    submit,
    wait_job,
)
from tests.support.server import Server

pytestmark = pytest.mark.e2e

KIND = (
    "Thank you so much, you are wonderful!",
    "I love talking with you, you're so kind.",
    "You are a great friend, I appreciate you.",
    "That was brilliant, thanks!",
)
HOSTILE = (
    "You are stupid and useless.",
    "I hate you, you're pathetic.",
    "Shut up, you are annoying and boring.",
    "Worthless, terrible answer, idiot.",
)


def _talk(api: httpx.Client, token: str, lines: tuple[str, ...], turns: int) -> None:
    for i in range(turns):
        done = wait_job(api, token, submit(api, token, lines[i % len(lines)]))
        assert done["status"] == "succeeded", done


def _relationship(api: httpx.Client, token: str) -> dict[str, object]:
    r = api.get("/v1/agents/active/relationship", headers=bearer(token))
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()["relationship"]
    return body


def test_twenty_kind_turns_warm_the_agent_and_its_view_of_the_user(api: httpx.Client) -> None:
    g = guest(api)
    before = agent_state(api, g.token)
    start = _relationship(api, g.token)
    assert start["extrinsic_relationship"] == "stranger"
    assert start["interactions"] == 0

    _talk(api, g.token, KIND, 20)

    after = agent_state(api, g.token)
    emotions = after["emotional_status"]["emotions"]
    assert emotions["joy"]["value"] > before["emotional_status"]["emotions"]["joy"]["value"]
    assert emotions["love"]["value"] > before["emotional_status"]["emotions"]["love"]["value"]
    assert emotions["joy"]["value"] > emotions["anger"]["value"]
    assert after["events_felt"] >= before["events_felt"] + 20
    seen = _relationship(api, g.token)
    assert seen["interactions"] == 20
    assert isinstance(seen["affinity"], float) and seen["affinity"] > 20
    assert seen["extrinsic_relationship"] in ("friend", "best friend")
    assert seen["summary"], "reflection wrote a summary of the user"
    warm = seen["sentiments"]
    assert isinstance(warm, dict)
    assert warm["positive"]["value"] > warm["negativity"]["value"]


def test_twenty_hostile_turns_anger_the_agent_and_make_an_enemy(api: httpx.Client) -> None:
    g = guest(api)
    before = agent_state(api, g.token)["emotional_status"]["emotions"]["anger"]["value"]
    _talk(api, g.token, HOSTILE, 20)
    after = agent_state(api, g.token)["emotional_status"]["emotions"]
    assert after["anger"]["value"] > before
    seen = _relationship(api, g.token)
    assert isinstance(seen["affinity"], float) and seen["affinity"] < 0
    assert seen["extrinsic_relationship"] == "enemy"


def test_history_has_a_point_per_turn_and_marks_for_messages(api: httpx.Client) -> None:
    g = guest(api)
    _talk(api, g.token, KIND, 3)
    r = api.get("/v1/agents/active/history", headers=bearer(g.token))
    assert r.status_code == 200, r.text
    history = r.json()["history"]
    points, marks = history["points"], history["marks"]
    assert len(points) >= 4  # a point after each turn, and one for now
    assert set(points[-1]["emotions"]) == {
        "joy",
        "sadness",
        "anger",
        "fear",
        "surprise",
        "love",
        "disgust",
    }
    assert {"pleasure", "arousal", "dominance", "label"} <= set(points[-1]["mood"])
    assert [p["timestamp"] for p in points] == sorted(p["timestamp"] for p in points)
    kinds = [m["kind"] for m in marks]
    assert kinds.count("message") == 3 and kinds.count("reply") == 3
    assert "thought" in kinds
    limited = api.get("/v1/agents/active/history", params={"limit": 2}, headers=bearer(g.token))
    assert len(limited.json()["history"]["points"]) == 2


def test_history_and_relationship_need_a_token(api: httpx.Client, server: Server) -> None:
    for path in ("/v1/agents/active/history", "/v1/agents/active/relationship"):
        assert_error(api.get(path), 401, "missing_token")
    bad = api.get("/v1/agents/active/history", params={"limit": 0}, headers={})
    assert bad.status_code in (401, 422)


def test_in_a_group_the_agent_answers_only_when_addressed(api: httpx.Client) -> None:
    g = guest(api)
    aside = wait_job(api, g.token, submit(api, g.token, "did anyone see the game?", kind="group"))
    assert aside["status"] == "succeeded"
    assert aside["result"]["response"] is None
    called = wait_job(
        api, g.token, submit(api, g.token, "Jasmine, what do you think?", kind="group")
    )
    assert called["status"] == "succeeded"
    assert isinstance(called["result"]["response"], str) and called["result"]["response"]
