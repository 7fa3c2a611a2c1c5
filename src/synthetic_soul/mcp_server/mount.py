"""`/mcp` on the service itself: the MCP tools over streamable HTTP, for the bearer's user.

Every request is authenticated as the v1 routes authenticate (an API key or an access token,
checked on each request, so a revoked key stops at once) and answered 401 in the contract's
envelope otherwise. The server is stateless: each request stands alone and carries its own
credential, so any API process can answer it and no session outlives its key. Browsers'
DNS-rebinding attacks are no concern here: a page gets nowhere without the bearer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.mcpserver import Context
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from synthetic_soul.api.deps import bearer_token, client_ip
from synthetic_soul.api.errors import envelope, request_id_of
from synthetic_soul.bootstrap import Container
from synthetic_soul.errors import Unauthorized
from synthetic_soul.mcp_server.access import Soul
from synthetic_soul.mcp_server.in_process import InProcessSoul
from synthetic_soul.mcp_server.tools import build

PATH = "/mcp"
# Where the mount leaves the caller for the tools, in the request's ASGI scope.
_CALLER = "synthetic_soul.mcp_caller"


class McpMount:
    """The ASGI endpoint at `/mcp`; `running(container)` spans the application's life."""

    def __init__(self) -> None:
        self._server = build(self._caller)
        self._sessions: StreamableHTTPSessionManager | None = None
        self._container: Container | None = None

    @asynccontextmanager
    async def running(self, container: Container) -> AsyncIterator[None]:
        # A session manager runs once; a new one for each life of the application.
        self._server.streamable_http_app(
            stateless_http=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        self._sessions = self._server.session_manager
        self._container = container
        try:
            async with self._sessions.run():
                yield
        finally:
            self._sessions = None
            self._container = None

    def route(self) -> Route:
        # POST only: stateless, there is no session to stream to (GET) or to end (DELETE).
        return Route(PATH, self, methods=["POST"], include_in_schema=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        container, sessions = self._container, self._sessions
        if scope["type"] != "http" or container is None or sessions is None:
            raise RuntimeError("/mcp is served only while the application runs")
        request = Request(scope)
        try:
            who = await container.auth.authenticate(bearer_token(request))
        except Unauthorized as exc:
            response = envelope(
                401,
                exc.code,
                exc.message,
                request_id_of(scope.get("state")),
                headers={"WWW-Authenticate": 'Bearer realm="synthetic-soul"'},
            )
            await response(scope, receive, send)
            return
        scope[_CALLER] = InProcessSoul(container, who, client_ip(request, container))
        await sessions.handle_request(scope, receive, send)

    def _caller(self, ctx: Context) -> Soul:
        request: Any = ctx.request_context.request
        soul: Soul = request.scope[_CALLER]
        return soul
