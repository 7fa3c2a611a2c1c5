"""The MCP server with the official `mcp` client: `soul mcp` over stdio (a subprocess talking
to a real `soul serve` with an API key) and `/mcp` of that same service over streamable HTTP.
Both must offer the same tools, act as the key's user, and keep each user's scope."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from synthetic_soul.mcp_server.access import SoulUnavailable
from synthetic_soul.mcp_server.over_http import HttpSoul
from tests.e2e.conftest import Spawn
from tests.e2e.helpers import (
    agent_state,
    assert_error,
    bearer,
    claimed_account,
    claims_of,
    client,
    conversation,
    new_key,
    wait_job,
)
from tests.support.server import Server, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]

TOOLS = {"talk", "feelings", "memories", "list_agents"}
STATE_TEMPLATE = "soul://agents/{name}/state"
TRANSPORTS = ("stdio", "http")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def db(server: Server) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(server.data_dir / "soul.sqlite3", timeout=10, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def user(api: httpx.Client) -> tuple[str, str]:
    """A fresh account: (its access token, an API key of it)."""
    token = claimed_account(api, "mcp")
    return token, new_key(api, token)["key"]


@asynccontextmanager
async def over_stdio(url: str, key: str | None) -> AsyncIterator[ClientSession]:
    env = {"SOUL_URL": url, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    if key is not None:
        env["SOUL_API_KEY"] = key
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "synthetic_soul.cli", "mcp"], env=env
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


@asynccontextmanager
async def over_http(url: str, key: str) -> AsyncIterator[ClientSession]:
    async with (
        httpx2.AsyncClient(headers=bearer(key), timeout=30) as http,
        streamable_http_client(f"{url}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def connect(transport: str, server: Server, key: str) -> Any:
    return over_stdio(server.url, key) if transport == "stdio" else over_http(server.url, key)


def structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    body: dict[str, Any] = json.loads(result.content[0].text)
    return body


def error_text(result: Any) -> str:
    assert result.is_error, result
    text: str = result.content[0].text
    return text


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_the_tools_and_the_state_resource_are_offered(
    transport: str, server: Server, user: tuple[str, str]
) -> None:
    async with connect(transport, server, user[1]) as session:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        templates = (await session.list_resource_templates()).resource_templates
    assert set(tools) == TOOLS
    assert "message" in tools["talk"].input_schema["required"]
    assert "agent" in tools["feelings"].input_schema["properties"]
    assert [t.uri_template for t in templates] == [STATE_TEMPLATE]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_talk_replies_and_the_exchange_lands_in_the_users_conversation(
    transport: str, server: Server, api: httpx.Client, user: tuple[str, str]
) -> None:
    token, key = user
    said = f"Hello from an assistant over {transport}, {uuid.uuid4().hex[:8]}!"
    before = agent_state(api, token)["events_felt"]
    async with connect(transport, server, key) as session:
        reply = structured(await session.call_tool("talk", {"message": said}))
    assert reply["reply"], reply
    assert reply["expression"]
    messages = conversation(api, token)["messages"]
    assert [m["message"] for m in messages] == [said, reply["reply"]]
    assert [m["from_agent"] for m in messages] == [False, True]
    assert {m["job_id"] for m in messages} == {reply["job_id"]}
    assert agent_state(api, token)["events_felt"] > before  # the message moved its feelings


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_feelings_are_the_agents_state_now(
    transport: str, server: Server, api: httpx.Client, user: tuple[str, str]
) -> None:
    token, key = user
    async with connect(transport, server, key) as session:
        for said in ("You are wonderful, thank you!", "I am scared and sad today."):
            structured(await session.call_tool("talk", {"message": said}))
        felt = structured(await session.call_tool("feelings", {}))
    state = agent_state(api, token)
    assert felt["agent"] == state["name"]
    assert felt["expression"] == state["global_expression"]
    assert felt["mood"]["name"] == state["mood"]["name"]
    assert set(felt["mood"]) == set(state["mood"])
    emotions = {
        name: scale["value"] for name, scale in state["emotional_status"]["emotions"].items()
    }
    strongest = sorted((v for v in emotions.values() if v > 0), reverse=True)[:3]
    assert len(set(strongest)) > 1, emotions  # an order to get wrong
    assert [e["value"] for e in felt["top_emotions"]] == strongest
    for e in felt["top_emotions"]:
        assert emotions[e["emotion"]] == e["value"]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_agents_are_listed_and_their_state_is_a_resource(
    transport: str, server: Server, api: httpx.Client, user: tuple[str, str]
) -> None:
    token, key = user
    state = agent_state(api, token)
    async with connect(transport, server, key) as session:
        listed = structured(await session.call_tool("list_agents", {}))
        read = await session.read_resource(f"soul://agents/{state['name']}/state")
    assert {"name": state["name"], "mode": state["mode"]} in listed["agents"]
    body = json.loads(read.contents[0].text)
    assert (body["id"], body["name"], body["identity"]) == (
        state["id"],
        state["name"],
        state["identity"],
    )
    assert set(body["emotional_status"]["emotions"]) == set(state["emotional_status"]["emotions"])


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_an_unknown_agent_is_a_tool_error(
    transport: str, server: Server, user: tuple[str, str]
) -> None:
    async with connect(transport, server, user[1]) as session:
        result = await session.call_tool("feelings", {"agent": "nobody-" + uuid.uuid4().hex[:6]})
    assert "agent_not_found" in error_text(result)


def remember(db: sqlite3.Connection, agent_id: str, user_id: str, event: str) -> None:
    """A memory row as the reflection job writes one (reflection is not what is tested)."""
    row: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "agent_id": agent_id,
        "user_id": user_id,
        "event": event,
        "thoughts": "I should remember this.",
        "significance": "medium",
        "importance": 6,
        "tags": json.dumps(["music"]),
        "emotional_impact": "warmth",
        "kind": "episode",
        "sources": "[]",
        "created_at": 1_700_000_000.0,
        "last_accessed": 1_700_000_000.0,
        "recall_count": 0,
    }
    db.execute(
        f"INSERT INTO memories ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_memories_are_the_callers_own(
    transport: str, server: Server, api: httpx.Client, db: sqlite3.Connection
) -> None:
    alice, bob = claimed_account(api, "mcp"), claimed_account(api, "mcp")
    agent_id = agent_state(api, alice)["id"]
    event = f"Alice told me she plays the cello ({uuid.uuid4().hex[:6]})."
    remember(db, agent_id, claims_of(alice)["sub"], event)
    async with connect(transport, server, new_key(api, alice)["key"]) as session:
        hers = structured(await session.call_tool("memories", {}))
    async with connect(transport, server, new_key(api, bob)["key"]) as session:
        his = structured(await session.call_tool("memories", {}))
    assert [m["event"] for m in hers["memories"]] == [event]
    assert hers["count"] == 1
    assert his == {"count": 0, "memories": []}


# -- a key that does not open the door ---------------------------------------------------


def refused_by_server(exc: BaseException) -> bool:
    """The client's error for an HTTP error answer, however deep in exception groups."""
    if isinstance(exc, BaseExceptionGroup):
        return any(refused_by_server(inner) for inner in exc.exceptions)
    return isinstance(exc, MCPError) and "error response" in str(exc)


async def test_stdio_says_in_one_line_when_the_key_is_refused_missing_or_the_service_gone(
    server: Server,
) -> None:
    async with over_stdio(server.url, "sk-soul-" + "x" * 43) as session:
        refused = error_text(await session.call_tool("feelings", {}))
        tools = (await session.list_tools()).tools  # the server is still up
    async with over_stdio(server.url, None) as session:
        missing = error_text(await session.call_tool("list_agents", {}))
    async with over_stdio(f"http://127.0.0.1:{free_port()}", "sk-soul-abc") as session:
        gone = error_text(await session.call_tool("talk", {"message": "hello?"}))
    assert "refused SOUL_API_KEY" in refused and "invalid_token" in refused
    assert {t.name for t in tools} == TOOLS
    assert "SOUL_API_KEY is not set" in missing
    assert "Cannot reach the soul service" in gone
    for line in (refused, missing, gone):
        assert "\n" not in line and "Traceback" not in line


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}


def post_mcp(api: httpx.Client, credential: str | None) -> httpx.Response:
    headers = bearer(credential) if credential else {}
    return api.post("/mcp", json=INITIALIZE, headers=headers)


def test_mcp_answers_401_in_the_envelope_without_a_valid_bearer(api: httpx.Client) -> None:
    assert_error(post_mcp(api, None), 401, "missing_token")
    refused = post_mcp(api, "sk-soul-" + "x" * 43)
    assert_error(refused, 401, "invalid_token")
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert_error(post_mcp(api, "not-a-token"), 401, "invalid_token")


def test_mcp_is_stateless_so_it_takes_only_posts(api: httpx.Client, user: tuple[str, str]) -> None:
    """No session to stream to or end: a GET would otherwise hold a stream open for nothing."""
    for method in ("GET", "DELETE"):
        r = api.request(method, "/mcp", headers=bearer(user[1]))
        assert_error(r, 405, "method_not_allowed")
    answered = post_mcp(api, user[1])
    assert answered.status_code == 200, answered.text
    assert "mcp-session-id" not in answered.headers


async def test_the_mcp_client_fails_to_connect_with_a_bad_key(server: Server) -> None:
    with pytest.raises(Exception) as caught:
        async with over_http(server.url, "sk-soul-" + "y" * 43):
            pass
    assert refused_by_server(caught.value)


def revoke_keys(api: httpx.Client, token: str) -> None:
    for key in api.get("/v1/auth/keys", headers=bearer(token)).json()["keys"]:
        r = api.delete(f"/v1/auth/keys/{key['id']}", headers=bearer(token))
        assert r.status_code == 200, r.text


async def test_http_takes_an_access_token_and_a_revoked_key_stops_at_once(
    server: Server, api: httpx.Client, user: tuple[str, str]
) -> None:
    token, key = user
    async with over_http(server.url, token) as session:
        assert structured(await session.call_tool("list_agents", {}))["agents"]
    async with over_http(server.url, key) as session:
        assert structured(await session.call_tool("list_agents", {}))["agents"]
        revoke_keys(api, token)
        with pytest.raises(Exception) as caught:
            await session.call_tool("list_agents", {})
    assert refused_by_server(caught.value)
    assert_error(post_mcp(api, key), 401, "invalid_token")


async def test_a_reply_slower_than_the_wait_is_one_line_and_still_lands(
    spawn: Spawn, tmp_path: Path
) -> None:
    slow = spawn(tmp_path / "slow", {"SCRIPTED_DELAY_MS": "3000"})
    with client(slow.url) as api:
        token = claimed_account(api, "mcp")
        soul = HttpSoul(slow.url, new_key(api, token)["key"], reply_wait_s=0.5)
        try:
            with pytest.raises(SoulUnavailable) as waited:
                await soul.talk(None, "Take your time.")
        finally:
            await soul.aclose()
        said = str(waited.value)
        assert said.startswith("No reply within 0.5 s") and "\n" not in said
        job_id = said.rsplit("(job ", 1)[1].rstrip(").")
        assert wait_job(api, token, job_id)["status"] == "succeeded"
        assert [m["job_id"] for m in conversation(api, token)["messages"]] == [job_id, job_id]
