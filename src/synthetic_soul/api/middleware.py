"""Pure ASGI middleware: request id and version headers on every response; a crash guard;
CORS with refusals in the envelope."""

from __future__ import annotations

import logging
import re
import uuid

from fastapi import HTTPException
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from synthetic_soul import API_VERSION
from synthetic_soul.api.errors import envelope, request_id_of

log = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class ApiHeaders:
    """Outermost: every response, preflights and crashes included, carries both headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if _SAFE_ID.match(given) else str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-API-Version"] = API_VERSION
                headers["X-Request-ID"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CrashGuard:
    """Innermost: an unhandled exception becomes a 500 envelope that leaks nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            request_id = request_id_of(scope.get("state"))
            log.exception("unhandled error [request_id=%s]", request_id)
            if started:
                raise
            response = envelope(
                500, "internal_error", "Something went wrong on our side.", request_id
            )
            await response(scope, receive, send)


class BodyLimit:
    """Refuse request bodies over `max_bytes` before anyone buffers them."""

    def __init__(
        self, app: ASGIApp, max_bytes: int = 64 * 1024, larger: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}  # paths that take more (a card upload), and how much

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.larger.get(scope.get("path", ""), self.max_bytes)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    # The framework lets an HTTPException from the body reader through to the
                    # error handlers, which answer it in the envelope.
                    raise HTTPException(413, "The request body is too large.")
            return message

        await self.app(scope, counting_receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_of(scope.get("state"))
        response = envelope(413, "payload_too_large", "The request body is too large.", request_id)
        await response(scope, receive, send)


_REFUSAL_PREFIX = "Disallowed CORS "


class Cors(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in the error envelope (Starlette
    answers it in plain text)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await super().__call__(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if "origin" not in headers or "access-control-request-method" not in headers:
            await super().__call__(scope, receive, send)
            return
        response = self.preflight_response(request_headers=headers)
        if response.status_code >= 400:
            refused = bytes(response.body).decode().removeprefix(_REFUSAL_PREFIX)
            kept = {
                name: value
                for name, value in response.headers.items()
                if name not in ("content-length", "content-type")
            }
            response = envelope(
                response.status_code,
                "cors_refused",
                f"This cross-origin request is not allowed ({refused}).",
                request_id_of(scope.get("state")),
                headers=kept,
            )
        await response(scope, receive, send)
