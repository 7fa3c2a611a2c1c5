"""Request dependencies: the container, the signed-in principal, the client's address."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from synthetic_soul.auth.sessions import Principal
from synthetic_soul.bootstrap import Container


def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


Soul = Annotated[Container, Depends(container)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def principal(request: Request, soul: Soul) -> Principal:
    return await soul.auth.authenticate(bearer_token(request))


SignedIn = Annotated[Principal, Depends(principal)]


def client_ip(request: Request, soul: Soul) -> str:
    if soul.edge.trust_proxy_headers:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


ClientIP = Annotated[str, Depends(client_ip)]
