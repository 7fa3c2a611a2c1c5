"""Request dependencies: the container, the signed-in principal, the client's address."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request

from synthetic_soul.auth.sessions import Principal
from synthetic_soul.bootstrap import Container
from synthetic_soul.domain.agent import ActiveAgent


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


async def speaking(
    soul: Soul,
    who: SignedIn,
    x_agent: Annotated[
        str | None,
        Header(
            alias="X-Agent",
            description="the agent this request speaks to; absent: the default agent",
        ),
    ] = None,
    agent: Annotated[
        str | None,
        Query(
            max_length=64,
            description="the agent, for clients that cannot set X-Agent (EventSource, <img>)",
        ),
    ] = None,
) -> ActiveAgent:
    """The agent a request speaks to, resolved once a request: the header, else the query,
    else the default agent; one the user may not talk to is 404 `agent_not_found`."""
    return await soul.agents.speaking(x_agent if x_agent is not None else agent, who)


Speaking = Annotated[ActiveAgent, Depends(speaking)]


def client_ip(request: Request, soul: Soul) -> str:
    if soul.edge.trust_proxy_headers:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


ClientIP = Annotated[str, Depends(client_ip)]
