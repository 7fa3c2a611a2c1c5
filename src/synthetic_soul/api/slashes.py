"""The trailing-slash redirect, relative: `/v1` to `/v1/`, `/v1/meta/ping/` to `/v1/meta/ping`.

Starlette's own writes an absolute Location from the request's Host header, so a client (or a
cache before it) could be sent to any host it named; this one names only a path.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from starlette.routing import Match
from starlette.types import Scope


def _answered(request: Request, scope: Scope) -> bool:
    return any(route.matches(scope)[0] != Match.NONE for route in request.app.router.routes)


def slash_redirect(request: Request) -> RedirectResponse | None:
    """A 307 to the path with its trailing slash added or taken away, if no route answers the
    path as asked and one answers that other form (as Starlette's redirect decides)."""
    scope = request.scope
    path: str = scope["path"]
    if scope["type"] != "http" or path == "/" or _answered(request, scope):
        return None
    other = path.rstrip("/") if path.endswith("/") else f"{path}/"
    if not other or not _answered(request, {**scope, "path": other}):
        return None
    location = quote(scope.get("root_path", "") + other)
    query = scope.get("query_string", b"").decode("latin-1")
    return RedirectResponse(f"{location}?{query}" if query else location, status_code=307)
