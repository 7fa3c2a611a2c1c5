"""The MCP tools over the service's own use cases (what `/mcp` serves), through the official
client in memory: a real container on SQLite with the scripted model, one caller a request."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from synthetic_soul.auth.sessions import Principal
from synthetic_soul.bootstrap import Container, running
from synthetic_soul.domain.memory import Memory
from synthetic_soul.mcp_server.in_process import InProcessSoul
from synthetic_soul.mcp_server.over_http import _events
from synthetic_soul.mcp_server.tools import build
from synthetic_soul.settings import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def soul(tmp_path: Path) -> AsyncIterator[Container]:
    async with container(tmp_path) as made:
        yield made


@asynccontextmanager
async def container(tmp_path: Path, **extra: Any) -> AsyncIterator[Container]:
    settings = Settings(
        APP_ENV="test",
        LLM_MODE="scripted",
        EMBEDDER="off",
        RERANKER="off",
        DATA_DIR=tmp_path,
        SOUL_SEED=7,
        INLINE_WORKERS=1,
        LOG_LEVEL="warning",
        BOT_NAME="jasmine",
        THINKING_ENABLED=False,
        **extra,
    )
    async with running(settings, background=False) as made:
        yield made


async def guest(soul: Container) -> Principal:
    grant = await soul.auth.guest()
    return await soul.auth.authenticate(grant.access_token)


def client_of(soul: Container, who: Principal) -> Client:
    return Client(build(lambda _ctx: InProcessSoul(soul, who, "127.0.0.1")))


def text_of(content: Any) -> str:
    text: str = content.text
    return text


def body(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    found: dict[str, Any] = json.loads(text_of(result.content[0]))
    return found


async def test_talk_is_a_reply_kept_in_the_callers_conversation(soul: Container) -> None:
    who = await guest(soul)
    async with client_of(soul, who) as mcp:
        said = body(await mcp.call_tool("talk", {"message": "Hi Jasmine, you are lovely!"}))
    kept = (await soul.conversations.conversation(who)).messages
    assert [m.message for m in kept] == ["Hi Jasmine, you are lovely!", said["reply"]]
    assert kept[1].from_agent and kept[1].job_id == said["job_id"]
    assert said["expression"] and said["fallback"] is None


async def test_memories_are_only_the_callers(soul: Container) -> None:
    alice, bob = await guest(soul), await guest(soul)
    agent_id = soul.agents.agent.id
    now = soul.clock.now()
    await soul.store.add_memories(
        [
            Memory(uuid.uuid4().hex, agent_id, alice.user_id, event, "", "high", 8, now + i, now)
            for i, event in enumerate(("Alice has a cat.", "Alice plays the cello."))
        ]
        + [Memory(uuid.uuid4().hex, agent_id, None, "It rained.", "", "low", 2, now, now)]
    )
    async with client_of(soul, alice) as mcp:
        hers = body(await mcp.call_tool("memories", {}))
        first = body(await mcp.call_tool("memories", {"limit": 1}))
    async with client_of(soul, bob) as mcp:
        his = body(await mcp.call_tool("memories", {}))
    assert [m["event"] for m in hers["memories"]] == ["Alice plays the cello.", "Alice has a cat."]
    assert [m["event"] for m in first["memories"]] == ["Alice plays the cello."]
    assert first["count"] == 2
    assert his == {"count": 0, "memories": []}


async def test_feelings_name_the_strongest_emotions_first(soul: Container) -> None:
    who = await guest(soul)
    async with client_of(soul, who) as mcp:
        await mcp.call_tool("talk", {"message": "You are wonderful, thank you so much!"})
        await mcp.call_tool("talk", {"message": "I am frightened and sad."})
        felt = body(await mcp.call_tool("feelings", {"agent": "Jasmine"}))
    state, now = await soul.agents.active()
    values = state.emotions_at(now)
    top = [e["value"] for e in felt["top_emotions"]]
    assert top == sorted(top, reverse=True) and len(set(top)) > 1
    assert all(abs(values[e["emotion"]] - e["value"]) <= 0.5 for e in felt["top_emotions"])
    assert felt["agent"] == "jasmine" and felt["expression"] == state.global_expression


async def test_an_unknown_agent_is_one_line_of_error(soul: Container) -> None:
    async with client_of(soul, await guest(soul)) as mcp:
        result = await mcp.call_tool("talk", {"message": "hello", "agent": "someone_else"})
        listed = body(await mcp.call_tool("list_agents", {}))
        state = await mcp.read_resource("soul://agents/jasmine/state")
    assert result.is_error
    assert text_of(result.content[0]).endswith(": No agent named someone_else. (agent_not_found).")
    assert listed == {"agents": [{"name": "jasmine", "mode": "lite"}]}
    assert json.loads(text_of(state.contents[0]))["name"] == "jasmine"


async def test_a_reply_slower_than_the_wait_is_a_line_naming_its_job(tmp_path: Path) -> None:
    async with container(tmp_path, SCRIPTED_DELAY_MS=1500) as soul:
        who = await guest(soul)
        slow = InProcessSoul(soul, who, "127.0.0.1", reply_wait_s=0.2)
        async with Client(build(lambda _ctx: slow)) as mcp:
            result = await mcp.call_tool("talk", {"message": "Take your time."})
        said = text_of(result.content[0])
        assert result.is_error and "No reply within 0.2 s" in said and "\n" not in said
        job_id = said.rsplit("(job ", 1)[1].rstrip(").")
        job = await soul.store.get_job(job_id)
        assert job is not None and job.owner_id == who.user_id


async def test_server_sent_events_are_read_as_the_api_frames_them() -> None:
    async def lines() -> AsyncIterator[str]:
        for line in [
            ": keep-alive",
            "",
            "event: status",
            'data: {"status": "running"}',
            "",
            "event: token",
            "data: two",
            "data:lines",
            "",
            "event: done",
            'data: {"status": "succeeded"}',
            "",
        ]:
            yield line

    assert [event async for event in _events(lines())] == [
        ("status", '{"status": "running"}'),
        ("token", "two\nlines"),
        ("done", '{"status": "succeeded"}'),
    ]
