"""A server in rich mode (MODE=rich): 27 emotions, 34 traits, no MBTI type."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.helpers import (
    EXPRESSIONS,
    RICH_EMOTIONS,
    RICH_TRAITS,
    agent_state,
    bearer,
    guest,
    submit,
    wait_job,
)

pytestmark = pytest.mark.e2e

SERVER_ENV = {"MODE": "rich"}


@pytest.fixture(scope="module")
def token(api: httpx.Client) -> str:
    return guest(api).token


def test_rich_agent_has_27_emotions(api: httpx.Client, token: str) -> None:
    emotions = agent_state(api, token)["emotional_status"]["emotions"]
    assert set(emotions) == set(RICH_EMOTIONS)
    assert len(emotions) == 27
    for entry in emotions.values():
        assert {"value", "min", "max", "description"} <= set(entry)
        assert entry["min"] <= entry["value"] <= entry["max"]


def test_rich_agent_has_34_traits_and_no_mbti(api: httpx.Client, token: str) -> None:
    personality = agent_state(api, token)["personality"]
    assert "myers-briggs" not in personality
    matrix = personality["personality_matrix"]
    assert set(matrix) == set(RICH_TRAITS)
    assert len(matrix) == 34
    for entry in matrix.values():
        assert {"value", "min", "max", "description"} <= set(entry)
        assert entry["min"] <= entry["value"] <= entry["max"]


def test_all_agents_lists_the_rich_agent_as_normal(api: httpx.Client, token: str) -> None:
    r = api.get("/v1/agents/all", headers=bearer(token))
    assert r.status_code == 200
    assert r.json() == {"agents": {"normal": [{"name": "jasmine"}], "lite": []}}


def test_a_rich_agent_answers_a_dm(api: httpx.Client, token: str) -> None:
    body = wait_job(api, token, submit(api, token, "Thank you, you are wonderful!"))
    assert body["status"] == "succeeded", body
    assert body["result"]["expression"] in EXPRESSIONS
    assert isinstance(body["result"]["response"], str)
    emotions = agent_state(api, token)["emotional_status"]["emotions"]
    assert set(emotions) == set(RICH_EMOTIONS), "a reply keeps the rich emotion set"
