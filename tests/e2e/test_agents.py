"""The agent's state (lite mode) and its expression images, on a server nobody has talked to.

No test in this module submits a message, so the agent is exactly as it was born.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import (
    EXPRESSIONS,
    LITE_EMOTIONS,
    LITE_TRAITS,
    MBTI_TYPES,
    agent_state,
    assert_api_headers,
    assert_error,
    bearer,
    guest,
)

pytestmark = pytest.mark.e2e

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# The lite presets of the reference facts, in LITE_TRAITS order.
MBTI_PRESETS: dict[str, tuple[int, ...]] = {
    "ISTJ": (40, 25, 70, 40, 55, 75, 60, 30, 90, 60),
    "ISFJ": (70, 35, 80, 45, 85, 65, 45, 50, 85, 70),
    "INFJ": (65, 40, 75, 80, 90, 60, 55, 65, 70, 85),
    "INTJ": (30, 35, 50, 90, 45, 70, 85, 55, 85, 75),
    "ISTP": (40, 60, 50, 70, 40, 65, 70, 80, 40, 65),
    "ISFP": (65, 55, 60, 65, 70, 55, 45, 70, 45, 65),
    "INFP": (70, 60, 65, 85, 90, 50, 40, 60, 45, 80),
    "INTP": (35, 45, 55, 90, 45, 60, 50, 65, 55, 70),
    "ESTP": (60, 85, 55, 65, 45, 65, 80, 90, 35, 60),
    "ESFP": (80, 90, 65, 70, 70, 60, 65, 85, 35, 65),
    "ENFP": (85, 85, 70, 90, 80, 55, 60, 80, 40, 75),
    "ENTP": (55, 80, 50, 95, 45, 60, 75, 85, 40, 70),
    "ESTJ": (45, 35, 60, 55, 45, 70, 85, 50, 90, 60),
    "ESFJ": (85, 60, 80, 55, 85, 65, 55, 60, 80, 70),
    "ENFJ": (80, 65, 75, 75, 90, 60, 70, 65, 70, 80),
    "ENTJ": (40, 45, 55, 85, 40, 70, 95, 70, 85, 75),
}


@pytest.fixture(scope="module")
def token(api: httpx.Client) -> str:
    return guest(api).token


def assert_scale(entry: dict[str, Any]) -> None:
    assert {"value", "min", "max", "description"} <= set(entry), entry
    assert entry["min"] == 0 and entry["max"] == 100
    assert entry["min"] <= entry["value"] <= entry["max"]
    assert isinstance(entry["description"], str) and entry["description"]


# -- /v1/agents/active ---------------------------------------------------------------------
def test_active_agent_has_the_contract_shape(api: httpx.Client, token: str) -> None:
    r = api.get("/v1/agents/active", headers=bearer(token))
    assert r.status_code == 200
    assert_api_headers(r)
    agent = r.json()["agent"]
    expected = {
        "id",
        "name",
        "identity",
        "personality",
        "emotional_status",
        "global_expression",
        "memory_tags",
        "birthdate",
    }
    assert expected <= set(agent)
    assert agent["name"] == "jasmine"
    assert isinstance(agent["identity"], str) and agent["identity"]
    assert isinstance(agent["memory_tags"], list)
    assert agent["global_expression"] in EXPRESSIONS
    assert dt.datetime.fromisoformat(agent["birthdate"]).tzinfo is not None
    assert isinstance(agent["emotional_status"]["reason"], str)
    assert isinstance(agent["personality"]["description"], str)


def test_lite_agent_has_the_seven_emotions(api: httpx.Client, token: str) -> None:
    emotions = agent_state(api, token)["emotional_status"]["emotions"]
    assert set(emotions) == set(LITE_EMOTIONS)
    assert len(emotions) == 7
    for entry in emotions.values():
        assert_scale(entry)


def test_a_newborn_agent_feels_nothing_yet(api: httpx.Client, token: str) -> None:
    emotions = agent_state(api, token)["emotional_status"]["emotions"]
    assert {name: e["value"] for name, e in emotions.items()} == dict.fromkeys(LITE_EMOTIONS, 0)


def test_lite_agent_has_an_mbti_type_and_ten_traits(api: httpx.Client, token: str) -> None:
    personality = agent_state(api, token)["personality"]
    assert personality["myers-briggs"] in MBTI_TYPES
    matrix = personality["personality_matrix"]
    assert set(matrix) == set(LITE_TRAITS)
    assert len(matrix) == 10
    for entry in matrix.values():
        assert_scale(entry)


def test_a_newborn_lite_agent_wears_its_mbti_preset(api: httpx.Client, token: str) -> None:
    personality = agent_state(api, token)["personality"]
    matrix = personality["personality_matrix"]
    values = tuple(matrix[name]["value"] for name in LITE_TRAITS)
    assert values == MBTI_PRESETS[personality["myers-briggs"]]


def test_the_agent_is_the_same_across_reads(api: httpx.Client, token: str) -> None:
    first, second = agent_state(api, token), agent_state(api, guest(api).token)
    assert first["id"] == second["id"]
    assert first["personality"] == second["personality"]
    assert first["birthdate"] == second["birthdate"]


# -- /v1/agents/all and auth ---------------------------------------------------------------
def test_all_agents_lists_the_lite_agent(api: httpx.Client, token: str) -> None:
    r = api.get("/v1/agents/all", headers=bearer(token))
    assert r.status_code == 200
    assert_api_headers(r)
    agents = r.json()["agents"]
    assert set(agents) == {"normal", "lite"}
    assert {"name": "jasmine"} in agents["lite"]
    assert isinstance(agents["normal"], list)
    assert all(set(a) >= {"name"} for a in agents["normal"] + agents["lite"])
    assert {"name": "jasmine"} not in agents["normal"], "this server only runs the lite agent"


@pytest.mark.parametrize("path", ["/v1/agents/active", "/v1/agents/all", "/v1/thoughts/latest"])
def test_agent_state_needs_a_token(api: httpx.Client, path: str) -> None:
    assert_error(api.get(path), 401, "missing_token")
    assert_error(api.get(path, headers=bearer("garbage")), 401, "invalid_token")


# -- expression images ---------------------------------------------------------------------
@pytest.mark.parametrize("name", EXPRESSIONS)
def test_every_expression_is_served_as_png(api: httpx.Client, name: str) -> None:
    r = api.get(f"/static/expressions/jasmine/{name}.png")
    assert r.status_code == 200, name
    assert_api_headers(r)
    assert r.headers["content-type"] == "image/png"
    assert r.content.startswith(PNG_MAGIC)


@pytest.mark.parametrize("ext", ["jpeg", "jpg", "webp", "gif"])
def test_other_extensions_fall_back_to_the_png(api: httpx.Client, ext: str) -> None:
    png = api.get("/static/expressions/jasmine/joy_happy.png").content
    r = api.get(f"/static/expressions/jasmine/joy_happy.{ext}")
    assert r.status_code == 200, r.text
    assert r.content == png
    assert r.headers["content-type"] == "image/png", "the type is the served file's"


@pytest.mark.parametrize("ext", ["png", "jpeg", "jpg"])
def test_neutral_is_an_alias_of_neutral_listening(api: httpx.Client, ext: str) -> None:
    expected = api.get("/static/expressions/jasmine/neutral_listening.png").content
    r = api.get(f"/static/expressions/jasmine/neutral.{ext}")
    assert r.status_code == 200
    assert r.content == expected


def test_an_unknown_expression_is_expression_not_found(api: httpx.Client) -> None:
    r = api.get("/static/expressions/jasmine/not_an_expression.png")
    assert_error(r, 404, "expression_not_found")
    r = api.get("/static/expressions/nobody/joy_happy.png")
    assert_error(r, 404, "expression_not_found")
    r = api.get("/static/expressions/jasmine/" + "a" * 300 + ".png")
    assert_error(r, 404, "expression_not_found")


@pytest.mark.parametrize(
    "path",
    [
        "/static/expressions/jasmine/..%2F..%2Fetc%2Fpasswd",
        "/static/expressions/jasmine/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/static/expressions/jasmine/%2e%2e",
        "/static/expressions/jasmine/%2e%2e%2f%2e%2e%2fapi%2fapp.py",
        "/static/expressions/jasmine/%2Fetc%2Fpasswd",
        "/static/expressions/jasmine/..%5C..%5Cetc%5Cpasswd",
        "/static/expressions/jasmine/joy_happy.png%00.txt",
        "/static/expressions/%2e%2e/jasmine.png",
        "/static/expressions/..%2F..%2Fapi/app.py",
        "/static/expressions/%2Fetc/passwd",
        "/static/expressions/jasmine/..%2Fjasmine%2Fjoy_happy.png",
    ],
)
def test_path_traversal_is_a_404_envelope(api: httpx.Client, path: str) -> None:
    r = api.get(path)
    assert_error(r, 404, {"expression_not_found", "not_found"})
    assert b"root:" not in r.content
    assert b"import" not in r.content
