"""Many agents over real HTTP: made, chosen per request (X-Agent or ?agent=), kept private,
deleted; each its own mind beside the default agent, whose contract does not change."""

from __future__ import annotations

import base64
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from synthetic_soul.cards import png
from tests.e2e.helpers import (
    assert_error,
    bearer,
    claimed_account,
    guest,
    seeded,
    wait_job,
)

pytestmark = pytest.mark.e2e
SERVER_ENV = {"INLINE_WORKERS": "4"}

# Every route that speaks to one agent, as (method, path): each takes X-Agent and ?agent=.
AGENT_SCOPED = (
    ("GET", "/v1/agents/active"),
    ("GET", "/v1/agents/active/history"),
    ("GET", "/v1/agents/active/relationship"),
    ("GET", "/v1/thoughts/latest"),
    ("GET", "/v1/memories"),
    ("DELETE", "/v1/memories/no-such-memory"),
    ("GET", "/v1/messages/conversation"),
    ("POST", "/v1/messages/submit"),
)


def fresh_name(prefix: str = "rose") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def make(
    api: httpx.Client, token: str, name: str, visibility: str = "public", mode: str = "lite"
) -> dict[str, Any]:
    r = api.post(
        "/v1/agents",
        json={
            "name": name,
            "mode": mode,
            "identity": f"I am {name}, a gardener who talks to bees.",
            "personality": "cheerful, curious and a little shy",
            "visibility": visibility,
        },
        headers=bearer(token),
    )
    assert r.status_code == 201, r.text
    agent: dict[str, Any] = r.json()["agent"]
    return agent


def call(
    api: httpx.Client,
    method: str,
    path: str,
    token: str,
    *,
    header: str | None = None,
    query: str | None = None,
) -> httpx.Response:
    headers = bearer(token)
    if header is not None:
        headers["X-Agent"] = header
    params = {"agent": query} if query is not None else None
    body = {"message": "hello there"} if method == "POST" else None
    return api.request(method, path, headers=headers, params=params, json=body)


def names_in(listing: dict[str, Any]) -> set[str]:
    return {a["name"] for mode in listing["agents"].values() for a in mode}


# -- making --------------------------------------------------------------------------------
def test_a_guest_cannot_make_an_agent(api: httpx.Client) -> None:
    r = api.post(
        "/v1/agents",
        json={"name": fresh_name(), "mode": "lite", "identity": "I am new."},
        headers=bearer(guest(api).token),
    )
    assert_error(r, 403, "account_required")


def test_an_account_makes_an_agent_with_a_unique_name(api: httpx.Client) -> None:
    token = claimed_account(api, "souls")
    name = fresh_name()
    made = make(api, token, name.upper())
    assert made["name"] == name  # names are handles, compared case-folded
    assert (made["visibility"], made["mine"], made["mode"]) == ("public", True, "lite")
    assert made["identity"].startswith(f"I am {name.upper()}")
    listing = api.get("/v1/agents/all", headers=bearer(token)).json()
    assert {"name": name} in listing["agents"]["lite"]
    listed = api.get("/v1/agents", headers=bearer(token)).json()["agents"]
    mine = [a for a in listed if a["name"] == name]
    assert mine == [
        {"name": name, "mode": "lite", "visibility": "public", "mine": True, "default": False}
    ]
    jasmine = {"name": "jasmine", "mode": "lite", "visibility": "public", "mine": False}
    assert {**jasmine, "default": True} in listed

    again = api.post(
        "/v1/agents",
        json={"name": name.capitalize(), "mode": "rich", "identity": "Another."},
        headers=bearer(claimed_account(api, "souls")),
    )
    assert_error(again, 409, "agent_exists")
    clash = api.post(
        "/v1/agents",
        json={"name": "Jasmine", "mode": "rich", "identity": "Another."},
        headers=bearer(token),
    )
    assert_error(clash, 409, "agent_exists")
    for bad in ("9lives", "has space", "x" * 33, "naïve"):
        r = api.post(
            "/v1/agents",
            json={"name": bad, "mode": "lite", "identity": "I am."},
            headers=bearer(token),
        )
        assert_error(r, 422, "validation_error")


# -- choosing an agent per request -----------------------------------------------------------
def test_every_agent_scoped_route_takes_x_agent_and_the_agent_query(api: httpx.Client) -> None:
    owner = claimed_account(api, "souls")
    name = fresh_name()
    made = make(api, owner, name)
    user = guest(api).token
    for method, path in AGENT_SCOPED:
        for how in ({"header": name}, {"query": name}, {"header": name.upper()}):
            r = call(api, method, path, user, **how)
            assert r.status_code != 404 or r.json()["error"]["code"] != "agent_not_found", (
                method,
                path,
                how,
            )
        for how in ({"header": "nobody_here"}, {"query": "nobody_here"}, {"header": "bad name"}):
            assert_error(call(api, method, path, user, **how), 404, "agent_not_found")
    active = call(api, "GET", "/v1/agents/active", user, query=name).json()["agent"]
    assert (active["id"], active["name"]) == (made["id"], name)
    by_header = call(api, "GET", "/v1/agents/active", user, header=name).json()["agent"]
    assert by_header["id"] == made["id"]
    default = call(api, "GET", "/v1/agents/active", user).json()["agent"]
    assert default["name"] == "jasmine"
    assert set(default) - {"myers-briggs"} == set(by_header) - {"myers-briggs"}


def test_a_private_agent_is_unknown_to_everyone_but_its_owner(api: httpx.Client) -> None:
    owner, other = claimed_account(api, "souls"), claimed_account(api, "souls")
    name = fresh_name("secret")
    make(api, owner, name, visibility="private")
    assert call(api, "GET", "/v1/agents/active", owner, header=name).status_code == 200
    for method, path in AGENT_SCOPED:
        assert_error(call(api, method, path, other, header=name), 404, "agent_not_found")
    for path in (f"/v1/agents/{name}/card.json", f"/v1/agents/{name}/card.png"):
        assert_error(api.get(path, headers=bearer(other)), 404, "agent_not_found")
    assert name not in names_in(api.get("/v1/agents/all", headers=bearer(other)).json())
    assert name in names_in(api.get("/v1/agents/all", headers=bearer(owner)).json())
    # Not even its owner's changes are open to others: the same 404, not a 403.
    r = api.patch(f"/v1/agents/{name}", json={"visibility": "public"}, headers=bearer(other))
    assert_error(r, 404, "agent_not_found")
    assert_error(api.delete(f"/v1/agents/{name}", headers=bearer(other)), 404, "agent_not_found")

    r = api.patch(f"/v1/agents/{name}", json={"visibility": "public"}, headers=bearer(owner))
    assert r.status_code == 200, r.text
    assert r.json()["agent"]["visibility"] == "public"
    assert call(api, "GET", "/v1/agents/active", other, header=name).status_code == 200
    r = api.patch(f"/v1/agents/{name}", json={"visibility": "private"}, headers=bearer(other))
    assert_error(r, 403, "not_owner")


# -- each its own mind -----------------------------------------------------------------------
def test_two_agents_talk_to_one_user_at_once_and_share_nothing(api: httpx.Client) -> None:
    owner = claimed_account(api, "souls")
    rose = fresh_name()
    make(api, owner, rose)
    user = guest(api).token
    before = {
        agent: call(api, "GET", "/v1/agents/active", user, header=agent).json()["agent"]
        for agent in ("jasmine", rose)
    }

    def talk(agent: str, text: str) -> str:
        r = api.post(
            "/v1/messages/submit",
            json={"message": text},
            headers={**bearer(user), "X-Agent": agent},
        )
        assert r.status_code == 202, r.text
        job_id: str = r.json()["job_id"]
        return job_id

    said = {"jasmine": "you are lovely, jasmine", rose: "I hate you, you are useless"}
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = dict(zip(said, pool.map(lambda a: talk(a, said[a]), said), strict=True))
    for job_id in jobs.values():
        assert wait_job(api, user, job_id)["status"] == "succeeded"

    for agent, text in said.items():
        conv = call(api, "GET", "/v1/messages/conversation", user, header=agent).json()
        messages = conv["conversation"]["messages"]
        assert conv["conversation"]["agent_name"] == agent
        assert [m["message"] for m in messages if m["sender_id"] != before[agent]["id"]] == [text]
        seen = call(api, "GET", "/v1/agents/active/relationship", user, header=agent).json()
        assert seen["relationship"]["interactions"] == 1
        after = call(api, "GET", "/v1/agents/active", user, header=agent).json()["agent"]
        assert after["events_felt"] == before[agent]["events_felt"] + 1, agent
    joy = {
        agent: call(api, "GET", "/v1/agents/active", user, header=agent).json()["agent"][
            "emotional_status"
        ]["emotions"]
        for agent in said
    }
    assert joy["jasmine"] != joy[rose]  # praised one, insulted the other


def test_deleting_an_agent_forgets_it_and_never_the_default(api: httpx.Client) -> None:
    owner = claimed_account(api, "souls")
    name = fresh_name()
    make(api, owner, name)
    user = guest(api).token
    job = call(api, "POST", "/v1/messages/submit", user, header=name).json()["job_id"]
    wait_job(api, user, job)

    assert_error(api.delete(f"/v1/agents/{name}", headers=bearer(user)), 403, "not_owner")
    r = api.delete(f"/v1/agents/{name}", headers=bearer(owner))
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert_error(call(api, "GET", "/v1/agents/active", user, header=name), 404, "agent_not_found")
    assert name not in names_in(api.get("/v1/agents/all", headers=bearer(owner)).json())
    # The name is free again, and the new agent remembers nothing of the old one.
    make(api, owner, name)
    conv = call(api, "GET", "/v1/messages/conversation", user, header=name).json()
    assert conv["conversation"]["messages"] == []
    assert_error(api.delete("/v1/agents/jasmine", headers=bearer(owner)), 403, "default_agent")


# -- cards ---------------------------------------------------------------------------------
LORE = {
    "entries": [
        {"keys": ["lighthouse"], "content": "The lighthouse has been dark for ten years."},
    ],
    "extensions": {},
}


def v2_png(name: str) -> bytes:
    card = {
        "spec": "chara_card_v2",
        "spec_version": "2.0",
        "data": {
            "name": name,
            "description": "A grumpy old sailor who keeps a lighthouse.",
            "personality": "grumpy, loyal, stubborn",
            "scenario": "A stormy night at the lighthouse.",
            "first_mes": "Who goes there?",
            "mes_example": "<START>\n{{char}}: Hmph.",
            "creator_notes": "",
            "system_prompt": "",
            "post_history_instructions": "",
            "alternate_greetings": [],
            "tags": ["sailor"],
            "creator": "tests",
            "character_version": "1",
            "extensions": {"talkativeness": "0.4"},
            "character_book": LORE,
        },
    }
    text = base64.b64encode(json.dumps(card).encode()).decode()
    return png.with_texts(png.solid(), [("chara", text)])


def v3_json(name: str) -> dict[str, Any]:
    return {
        "spec": "chara_card_v3",
        "spec_version": "3.0",
        "data": {
            "name": name,
            "description": "A cheerful baker who loves riddles.",
            "personality": "cheerful, curious, talkative",
            "scenario": "",
            "first_mes": "Fresh bread!",
            "mes_example": "",
            "creator_notes": "",
            "system_prompt": "",
            "post_history_instructions": "",
            "alternate_greetings": [],
            "group_only_greetings": [],
            "tags": [],
            "creator": "tests",
            "character_version": "1",
            "extensions": {"depth_prompt": {"depth": 4, "prompt": "x"}},
        },
    }


def test_a_v2_png_card_and_a_v3_json_card_become_agents(api: httpx.Client) -> None:
    token = claimed_account(api, "souls")
    sailor = f"Old Sailor {uuid.uuid4().hex[:6]}"
    r = api.post(
        "/v1/agents/import",
        files={"card": ("sailor.png", v2_png(sailor), "image/png")},
        headers=bearer(token),
    )
    assert r.status_code == 201, r.text
    made = r.json()["agent"]
    assert made["name"] == sailor.lower().replace(" ", "_")
    assert made["mine"] is True
    baker = fresh_name("baker")
    r = api.post("/v1/agents/import", json=v3_json(baker), headers=bearer(token))
    assert r.status_code == 201, r.text
    assert r.json()["agent"]["name"] == baker
    # The card's first message opens a new conversation with it; the default agent's opens
    # empty as ever.
    user = guest(api).token
    conv = call(api, "GET", "/v1/messages/conversation", user, header=baker).json()
    said = [(m["from_agent"], m["message"]) for m in conv["conversation"]["messages"]]
    assert said == [(True, "Fresh bread!")]
    assert (
        call(api, "GET", "/v1/messages/conversation", user).json()["conversation"]["messages"] == []
    )
    # The words seeded the personality: a cheerful, talkative baker is more outgoing than a
    # grumpy sailor.
    traits = {a["name"]: a["personality"]["personality_matrix"] for a in (made, r.json()["agent"])}
    assert traits[baker] != traits[made["name"]]


def test_an_exported_card_imports_as_the_same_persona(api: httpx.Client) -> None:
    token = claimed_account(api, "souls")
    baker = fresh_name("baker")
    api.post("/v1/agents/import", json=v3_json(baker), headers=bearer(token))
    made = {"agent": seeded(api, token, baker)}  # exported once the model's seeding is done
    r = api.get(f"/v1/agents/{baker}/card.json", headers=bearer(token))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    card = r.json()
    assert card["spec"] == "chara_card_v3"
    ours = card["data"]["extensions"]["synthetic_soul"]
    assert ours["mode"] == "lite" and ours["identity"] == made["agent"]["identity"]
    assert card["data"]["extensions"]["depth_prompt"] == {"depth": 4, "prompt": "x"}  # kept

    again = fresh_name("copy")
    r = api.post(
        "/v1/agents/import",
        params={"name": again},
        content=json.dumps(card),
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert r.status_code == 201, r.text
    copy = r.json()["agent"]
    for key in ("mode", "identity", "personality"):
        assert copy[key] == made["agent"][key], key

    as_png = api.get(f"/v1/agents/{baker}/card.png", headers=bearer(token))
    assert as_png.status_code == 200 and as_png.content.startswith(png.SIGNATURE)
    r = api.post(
        "/v1/agents/import",
        params={"name": fresh_name("png")},
        files={"card": ("baker.png", as_png.content, "image/png")},
        headers=bearer(token),
    )
    assert r.status_code == 201, r.text
    assert r.json()["agent"]["personality"] == made["agent"]["personality"]


def test_a_bad_card_is_a_4xx_in_the_envelope(api: httpx.Client) -> None:
    token = claimed_account(api, "souls")
    r = api.post("/v1/agents/import", content=b"not a card", headers=bearer(token))
    assert_error(r, 400, "card_invalid")
    r = api.post(
        "/v1/agents/import",
        files={"card": ("x.json", b'{"spec": "chara_card_v9", "data": {}}', "application/json")},
        headers=bearer(token),
    )
    assert_error(r, 400, "card_invalid")
    big = v3_json(fresh_name())
    big["data"]["description"] = "x" * 70_000  # over a text's limit
    r = api.post("/v1/agents/import", json=big, headers=bearer(token))
    assert_error(r, 413, "card_too_large")
    r = api.post("/v1/agents/import", json=v3_json(fresh_name()), headers=bearer(guest(api).token))
    assert_error(r, 403, "account_required")


def test_an_agent_without_faces_of_its_own_wears_the_default_set(api: httpx.Client) -> None:
    owner = claimed_account(api, "souls")
    public, private = fresh_name(), fresh_name("secret")
    make(api, owner, public)
    make(api, owner, private, visibility="private")
    r = api.get(f"/static/expressions/{public}/joy_happy.png")
    assert r.status_code == 200 and r.content.startswith(png.SIGNATURE)
    assert r.content == api.get("/static/expressions/jasmine/joy_happy.png").content
    for name in (private, "nobody_here"):
        r = api.get(f"/static/expressions/{name}/joy_happy.png")
        assert_error(r, 404, "expression_not_found")
