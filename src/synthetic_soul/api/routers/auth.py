"""Accounts and sessions: /v1/auth/*. Refresh state travels only in cookies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Header, Query, Request, Response
from pydantic import AfterValidator, BaseModel, Field

from synthetic_soul.api.deps import ClientIP, SignedIn, Soul, bearer_token
from synthetic_soul.api.replies import DoneReply, ForgottenReply, MeReply, TokenReply
from synthetic_soul.auth.emails import normalized_email
from synthetic_soul.auth.sessions import Grant
from synthetic_soul.settings import EdgeConfig

router = APIRouter(prefix="/auth", tags=["auth"])

SID, RTOKEN, CSRF = "sid", "rtoken", "refresh_csrf"
REFRESH_PATH = "/v1/auth/refresh"
USERNAME_PATTERN = r"^[a-zA-Z0-9_][a-zA-Z0-9_\-\.]{2,31}$"
# An address as email-validator takes it, in its normalised form (see auth/emails.py).
Email = Annotated[str, Field(max_length=320), AfterValidator(normalized_email)]


class LoginBody(BaseModel):
    email: Email
    password: str = Field(min_length=1, max_length=128)


class ClaimBody(BaseModel):
    email: Email
    password: str = Field(min_length=8, max_length=128)
    username: str = Field(pattern=USERNAME_PATTERN)


def _issue(response: Response, grant: Grant, edge: EdgeConfig) -> TokenReply:
    common: dict[str, Any] = {
        "max_age": edge.refresh_max_age_s,
        "secure": edge.cookie_secure,
        "samesite": "lax",
    }
    response.set_cookie(SID, grant.session_id, httponly=True, path=REFRESH_PATH, **common)
    response.set_cookie(RTOKEN, grant.refresh_token, httponly=True, path=REFRESH_PATH, **common)
    response.set_cookie(CSRF, grant.csrf_token, httponly=False, path="/", **common)
    return TokenReply(
        access_token=grant.access_token, username=grant.username, expires_in=grant.expires_in
    )


@router.post("/guest")
async def guest(response: Response, soul: Soul, ip: ClientIP) -> TokenReply:
    return _issue(response, await soul.auth.guest(ip), soul.edge)


@router.post("/login")
async def login(body: LoginBody, response: Response, soul: Soul, ip: ClientIP) -> TokenReply:
    return _issue(response, await soul.auth.login(body.email, body.password, ip), soul.edge)


@router.post("/claim")
async def claim(
    body: ClaimBody, response: Response, soul: Soul, who: SignedIn, ip: ClientIP
) -> TokenReply:
    grant = await soul.auth.claim(who, body.email, body.password, body.username, ip)
    return _issue(response, grant, soul.edge)


@router.post("/refresh")
async def refresh(
    response: Response,
    soul: Soul,
    sid: Annotated[str | None, Cookie()] = None,
    rtoken: Annotated[str | None, Cookie()] = None,
    refresh_csrf: Annotated[str | None, Cookie()] = None,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> TokenReply:
    grant = await soul.auth.refresh(sid, rtoken, refresh_csrf, x_csrf_token)
    return _issue(response, grant, soul.edge)


def _clear_cookies(response: Response, edge: EdgeConfig) -> None:
    for name, path in ((SID, REFRESH_PATH), (RTOKEN, REFRESH_PATH), (CSRF, "/")):
        response.delete_cookie(
            name, path=path, secure=edge.cookie_secure, samesite="lax", httponly=name != CSRF
        )


@router.post("/logout")
async def logout(
    request: Request,
    response: Response,
    soul: Soul,
    everywhere: Annotated[
        bool, Query(description="end every session and API key of the user, not only this one")
    ] = False,
) -> DoneReply:
    await soul.auth.logout(bearer_token(request), everywhere)
    _clear_cookies(response, soul.edge)
    return DoneReply(ok=True)


@router.delete("/me")
async def forget_me(response: Response, soul: Soul, who: SignedIn) -> ForgottenReply:
    """Forget this user: the account, conversation, profile, memories and thoughts about them."""
    await soul.forgetting.forget(who)
    _clear_cookies(response, soul.edge)
    return ForgottenReply(ok=True, forgotten=True)


@router.get("/me")
async def me(soul: Soul, who: SignedIn) -> MeReply:
    user = await soul.auth.me(who)
    return MeReply(user_id=user.id, username=user.username, sid=who.session_id, guest=user.guest)
