"""`soul mcp`: the tools over stdio, for an assistant that starts the server itself."""

from __future__ import annotations

from synthetic_soul.mcp_server.over_http import HttpSoul
from synthetic_soul.mcp_server.tools import build


async def serve(url: str, api_key: str | None) -> None:
    """Serves until the client closes stdin. Nothing but the protocol goes to stdout."""
    soul = HttpSoul(url, api_key)
    try:
        await build(lambda _ctx: soul).run_stdio_async()
    finally:
        await soul.aclose()
