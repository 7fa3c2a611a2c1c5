"""The MCP tools and resources, stated once for both transports.

Each reads the caller's `Soul` (`access.py`) for the request it serves, so the stdio server
and the `/mcp` mount differ only in how they reach the service. A failure the person can act
on (a refused key, an unknown agent, the service down) comes back as one line: a tool error,
or a resource error, never a crash of the server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from pydantic import Field

from synthetic_soul import __version__
from synthetic_soul.mcp_server.access import Soul, SoulUnavailable

# The feelings worth naming: the strongest few above nothing.
TOP_EMOTIONS = 3
MEMORY_FIELDS = ("id", "event", "thoughts", "kind", "importance", "tags", "created_at")

AgentName = Annotated[
    str | None,
    Field(description="the agent's name (see list_agents); omit it for the default agent"),
]

INSTRUCTIONS = (
    "A synthetic soul: an agent with its own feelings, mood, memories and relationships, "
    "kept on its server. `talk` speaks to it as the user whose key this server holds; "
    "`feelings` and `memories` read how it feels and what it remembers about that user."
)

Callers = Callable[[Context], Soul]
T = TypeVar("T")


def build(caller: Callers) -> MCPServer:
    """The server with its tools; `caller` gives the `Soul` of the request's caller."""
    # The SDK configures the root logger as it builds a server; the service and `soul mcp`
    # configure their own logging (cli.py), so what it did is undone.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    server = MCPServer("synthetic-soul", version=__version__, instructions=INSTRUCTIONS)
    root.handlers[:] = handlers
    root.setLevel(level)

    @server.tool()
    async def talk(
        message: Annotated[str, Field(min_length=1, max_length=4000, description="what to say")],
        ctx: Context,
        agent: AgentName = None,
    ) -> dict[str, Any]:
        """Say something to the agent and wait for its reply. The message and the reply join
        your conversation with it, and move its feelings as any message does."""
        job = await _tool(caller(ctx).talk(agent, message))
        if job.get("status") != "succeeded":
            raise ToolError(f"The agent could not reply ({job.get('error') or job.get('status')}).")
        result = job.get("result") or {}
        return {
            "reply": result.get("response"),
            "expression": result.get("expression"),
            "fallback": result.get("fallback"),
            "answered_by": result.get("answered_by"),
            "job_id": job.get("job_id"),
        }

    @server.tool()
    async def feelings(ctx: Context, agent: AgentName = None) -> dict[str, Any]:
        """How the agent feels now: its mood, its strongest emotions, the face it shows, and
        why it feels so (a sentence that names no one)."""
        return _feelings(await _tool(caller(ctx).state(agent)))

    @server.tool()
    async def memories(
        ctx: Context,
        agent: AgentName = None,
        limit: Annotated[int, Field(ge=1, le=100, description="at most this many")] = 20,
    ) -> dict[str, Any]:
        """What the agent remembers about you (only you: never about anyone else), newest
        first."""
        found = await _tool(caller(ctx).memories(agent))
        return {
            "count": len(found),
            "memories": [{k: m.get(k) for k in MEMORY_FIELDS} for m in found[:limit]],
        }

    @server.tool()
    async def list_agents(ctx: Context) -> dict[str, Any]:
        """The agents you may talk to, with the mode each thinks in (lite or rich)."""
        return {"agents": _agents(await _tool(caller(ctx).agents()))}

    @server.resource(
        "soul://agents/{name}/state",
        name="agent-state",
        description="The agent's whole state now: identity, personality, emotions, mood, "
        "expression (the API's GET /v1/agents/active).",
        mime_type="application/json",
    )
    async def agent_state(name: str, ctx: Context) -> str:
        try:
            state = await caller(ctx).state(name)
        except SoulUnavailable as exc:
            raise ResourceError(str(exc)) from exc
        return json.dumps(state, ensure_ascii=False)

    return server


async def _tool(pending: Awaitable[T]) -> T:
    """Awaits a `Soul` call; what the caller can act on becomes a one-line tool error."""
    try:
        return await pending
    except SoulUnavailable as exc:
        raise ToolError(str(exc)) from exc


def _feelings(state: dict[str, Any]) -> dict[str, Any]:
    emotions = state.get("emotional_status", {}).get("emotions", {})
    strongest = sorted(
        ((name, scale.get("value", 0)) for name, scale in emotions.items()),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return {
        "agent": state.get("name"),
        "mood": state.get("mood"),
        "top_emotions": [
            {"emotion": name, "value": value}
            for name, value in strongest[:TOP_EMOTIONS]
            if value > 0
        ],
        "expression": state.get("global_expression"),
        "reason": state.get("emotional_status", {}).get("reason"),
    }


def _agents(by_mode: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    # The API's `normal` is the rich mode's old name.
    modes = {"normal": "rich", "lite": "lite"}
    return [
        {**agent, "mode": modes.get(mode, mode)}
        for mode, agents in by_mode.items()
        for agent in agents
    ]
