"""The FastAPI application: middleware, routers, lifespan. No logic of its own."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from synthetic_soul import API_BASE_PATH, API_VERSION
from synthetic_soul.api import errors, openapi
from synthetic_soul.api.middleware import ApiHeaders, BodyLimit, Cors, CrashGuard
from synthetic_soul.api.routers import (
    agents,
    auth,
    characters,
    chat,
    expressions,
    jobs,
    keys,
    memories,
    messages,
    meta,
    root,
)
from synthetic_soul.bootstrap import running
from synthetic_soul.cards.limits import MAX_UPLOAD_BYTES
from synthetic_soul.mcp_server.mount import McpMount
from synthetic_soul.settings import Settings

# The dashboard: static files only, served by the API itself (no build step, no CDN).
WEB = Path(__file__).resolve().parents[1] / "web"
DASHBOARD_HEADERS = {
    "Cache-Control": "no-cache",
    # Everything it loads and talks to is this origin: the page cannot reach anywhere else.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


async def dashboard() -> FileResponse:
    return FileResponse(WEB / "index.html", headers=DASHBOARD_HEADERS)


def create_app(settings: Settings) -> FastAPI:
    settings.check_secrets()  # fail before binding a port, not at the first request
    mcp = McpMount()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # `soul serve` opens the store before it starts the application (`app.state.store`).
        opened = getattr(app.state, "store", None)
        async with running(settings, store=opened) as container, mcp.running(container):
            app.state.container = container
            # What lives from start-up on is never garbage: keep it out of full collections
            # (with many connections opening, they paused every request for 60-190 ms).
            gc.freeze()
            yield

    app = FastAPI(
        title="Synthetic Soul API",
        version=API_VERSION,
        description="The backend of a digital mind: talk to the agent, watch its state.",
        lifespan=lifespan,
        # Starlette's redirect builds its Location from the Host header; `errors` redirects
        # to the other form of the path itself, relatively.
        redirect_slashes=False,
    )
    errors.install(app)
    for router in (
        root.router,
        meta.router,
        auth.router,
        keys.router,
        messages.router,
        jobs.router,
        characters.router,
        agents.router,
        memories.router,
        chat.router,
    ):
        app.include_router(router, prefix=API_BASE_PATH)
    app.include_router(expressions.router)
    openapi.document_failures(app)
    app.router.routes.append(mcp.route())
    app.add_api_route("/", dashboard, methods=["GET", "HEAD"], include_in_schema=False)
    app.mount("/ui", StaticFiles(directory=WEB), name="ui")
    # Order matters: the last added wraps the rest.
    app.add_middleware(BodyLimit, larger={f"{API_BASE_PATH}/agents/import": MAX_UPLOAD_BYTES})
    app.add_middleware(CrashGuard)
    app.add_middleware(
        Cors,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization", "X-CSRF-Token", "X-Request-ID"],
        expose_headers=["X-Request-ID", "X-API-Version", "Location", "Retry-After"],
    )
    app.add_middleware(ApiHeaders)
    return app
