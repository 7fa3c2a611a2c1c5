"""A card's personality seeded by the model over real HTTP: the import answers at once with
the words' seeding, a job asks the model afterwards, and `GET /v1/agents/{name}` shows which
seeding stands; with the model failing, the words' seeding stands and says why."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from synthetic_soul.cards import seed
from synthetic_soul.domain.facts import MBTI_PRESETS
from tests.e2e.conftest import Spawn
from tests.e2e.helpers import assert_error, bearer, claimed_account, client, seeded
from tests.support.openai_stub import Answer, OpenAIStub, Received, content, failure

pytestmark = pytest.mark.e2e

DESCRIPTION = "A baker who sings to her bread at dawn."
PERSONALITY = "cheerful, outgoing, talkative and playful; never lazy"


def card_of(name: str) -> dict[str, Any]:
    data = {"name": name, "description": DESCRIPTION, "personality": PERSONALITY}
    return {"spec": "chara_card_v2", "spec_version": "2.0", "data": data}


def imported(api: httpx.Client, token: str, visibility: str = "public") -> dict[str, Any]:
    name = f"baker_{uuid.uuid4().hex[:8]}"
    r = api.post(
        "/v1/agents/import",
        params={"visibility": visibility},
        json=card_of(name),
        headers=bearer(token),
    )
    assert r.status_code == 201, r.text
    agent: dict[str, Any] = r.json()["agent"]
    return agent


def test_the_import_answers_with_the_words_and_then_the_model_seeds(api: httpx.Client) -> None:
    token = claimed_account(api, "seeder")
    made = imported(api, token)
    assert made["seeding"]["method"] == "words-v1"  # at once: nobody waits for the model

    agent = seeded(api, token, made["name"])
    # The scripted model takes the preset the card's words point to, as it is.
    chosen = seed("lite", DESCRIPTION, PERSONALITY).preset
    assert chosen is not None
    assert agent["seeding"] == {
        "method": "model",
        "model": {"provider": "scripted", "model": "scripted"},
        "preset": chosen,
        "replaced": made["seeding"],
    }
    assert agent["personality"]["myers-briggs"] == chosen
    matrix = {t: s["value"] for t, s in agent["personality"]["personality_matrix"].items()}
    assert matrix == MBTI_PRESETS[chosen]
    assert matrix != {t: s["value"] for t, s in made["personality"]["personality_matrix"].items()}


def test_one_agent_is_shown_to_those_who_may_talk_to_it(api: httpx.Client) -> None:
    owner = claimed_account(api, "seeder")
    other = claimed_account(api, "seeder")
    private = imported(api, owner, visibility="private")

    mine = api.get(f"/v1/agents/{private['name']}", headers=bearer(owner)).json()["agent"]
    assert (mine["name"], mine["mine"], mine["visibility"]) == (private["name"], True, "private")
    assert_error(
        api.get(f"/v1/agents/{private['name']}", headers=bearer(other)), 404, "agent_not_found"
    )
    jasmine = api.get("/v1/agents/jasmine", headers=bearer(other)).json()["agent"]
    assert (jasmine["name"], jasmine["mine"], jasmine["seeding"]) == ("jasmine", False, None)
    # The routes a name could shadow still answer as before.
    assert "agent" in api.get("/v1/agents/active", headers=bearer(other)).json()
    assert "agents" in api.get("/v1/agents/all", headers=bearer(other)).json()


# -- with the model failing ----------------------------------------------------------------
def refusing(received: Received) -> Answer:
    """A server whose model fails the seeding (told apart by the schema it is sent)."""
    fields = received.body["response_format"]["schema"]["properties"]
    return failure(500) if "mbti" in fields else content({})


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    s = OpenAIStub(refusing).start()
    try:
        yield s
    finally:
        s.stop()


def test_with_the_model_failing_the_words_stand_and_say_why(
    spawn: Spawn, stub: OpenAIStub, tmp_path: Path
) -> None:
    server = spawn(
        tmp_path,
        {
            "LLM_MODE": "compatible",
            "COMPATIBLE_BASE_URL": stub.url,
            "COMPATIBLE_API_KEY": "sk-e2e-secret-abcdef0123456789",
            "COMPATIBLE_FAST_MODEL": "stub-fast",
            "COMPATIBLE_QUALITY_MODEL": "stub-quality",
            "LLM_TIMEOUT_SECONDS": "5",
            "LLM_MAX_RETRIES": "0",
        },
    )
    with client(server.url) as c:
        token = claimed_account(c, "seeder")
        made = imported(c, token)
        agent = seeded(c, token, made["name"])

    assert agent["seeding"] == {**made["seeding"], "model_failed": "llm_unavailable"}
    assert agent["personality"] == made["personality"]
    assert any("mbti" in r.body["response_format"]["schema"]["properties"] for r in stub.requests)
