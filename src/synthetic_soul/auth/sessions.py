"""Accounts and sessions: guests, claims, logins, refresh rotation with replay detection, and
who a bearer value (an access token or a personal API key) stands for."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, replace
from typing import Protocol

from synthetic_soul.auth.passwords import Passwords
from synthetic_soul.auth.ratelimit import GUEST_WINDOW_S, enforce
from synthetic_soul.auth.tokens import (
    AccessTokens,
    is_api_key,
    keyed_hash,
    new_secret_token,
    same,
)
from synthetic_soul.domain.agent import ActiveAgent
from synthetic_soul.domain.relationship import CREATOR, new_profile_doc
from synthetic_soul.errors import Conflict, Unauthorized, Unavailable
from synthetic_soul.ports import (
    Accounts,
    Agents,
    ApiKeys,
    Clock,
    ConflictError,
    Profile,
    RateLimiter,
    Sessions,
)
from synthetic_soul.records import Session, User, folded

log = logging.getLogger(__name__)

ALREADY_CLAIMED = "This account has already been claimed."
USERNAME_RE = re.compile(r"^[a-zA-Z0-9_][a-zA-Z0-9_\-\.]{2,31}$")
# A key's `last_used_at` is written at most this often: a bot calling many times a second
# would otherwise turn every read into a write.
KEY_USE_NOTED_EVERY_S = 60.0


class AccountStore(Accounts, Sessions, ApiKeys, Agents, Protocol):
    """The ports signing in and out uses."""


@dataclass(frozen=True)
class Principal:
    """Who a request speaks for. Signed in with an API key there is no session: `session_id`
    is empty and `key_id` names the key."""

    user_id: str
    session_id: str
    username: str
    key_id: str | None = None


@dataclass(frozen=True)
class Grant:
    """A freshly minted session: the access token for the body, the rest for cookies."""

    user_id: str
    username: str
    access_token: str
    expires_in: int
    session_id: str
    refresh_token: str
    csrf_token: str


@dataclass(frozen=True)
class AuthConfig:
    pepper: str
    refresh_ttl_s: int
    agent: ActiveAgent  # whose profile a new or claimed user starts with
    developer_email: str
    guest_signups_per_hour: int = 20  # per client address


class Auth:
    def __init__(
        self,
        store: AccountStore,
        tokens: AccessTokens,
        passwords: Passwords,
        limiter: RateLimiter,
        clock: Clock,
        config: AuthConfig,
    ) -> None:
        self._store = store
        self._tokens = tokens
        self._passwords = passwords
        self._limiter = limiter
        self._clock = clock
        self._config = config

    # -- bearer tokens --------------------------------------------------------
    async def authenticate(self, token: str | None) -> Principal:
        if not token:
            raise Unauthorized("An access token is required.", "missing_token")
        if is_api_key(token):
            return await self._key_holder(token)
        claims = self._tokens.verify(token, self._clock.now())
        session = await self._store.get_session(claims.session_id)
        if session is None or session.user_id != claims.user_id:
            raise Unauthorized("The session no longer exists.", "session_revoked")
        if session.revoked_at is not None:
            raise Unauthorized("The session has been revoked.", "session_revoked")
        if session.expires_at <= self._clock.now():
            raise Unauthorized("The session has expired.", "session_expired")
        return Principal(claims.user_id, claims.session_id, claims.username)

    async def _key_holder(self, api_key: str) -> Principal:
        """The user whose key this is. The key is looked up by its keyed hash, so the lookup's
        timing tells an attacker about the hash, never about the key."""
        digest = keyed_hash(self._config.pepper, api_key)
        key = await self._store.api_key_by_hash(digest)
        if key is None or not same(key.key_hash, digest):
            raise Unauthorized("The API key is not valid.", "invalid_token")
        user = await self._store.get_user(key.user_id)
        if user is None:
            raise Unauthorized("The account no longer exists.", "invalid_token")
        now = self._clock.now()
        if key.last_used_at is None or now - key.last_used_at >= KEY_USE_NOTED_EVERY_S:
            await self._store.touch_api_key(key.id, now)
        return Principal(user.id, "", user.username, key.id)

    # -- accounts -------------------------------------------------------------
    async def guest(self, client_ip: str | None = None) -> Grant:
        """A new guest; limited per client address (None: made by the service itself)."""
        if client_ip is not None:
            limit = self._config.guest_signups_per_hour
            try:
                await enforce(self._limiter, "guest", client_ip, limit, GUEST_WINDOW_S)
            except Unavailable:
                # Signing in needs only the store: while the shared limiter is out of reach
                # guests are let in, and the caps on unfinished replies (counted by the store)
                # still keep a flood of them from the model.
                log.warning("guest sign-up limit not checked: the rate limiter is unavailable")
        now = self._clock.now()
        user = User(uuid.uuid4().hex, f"guest_{uuid.uuid4()}", True, now)
        session, grant = self._mint(user, now)
        profile = Profile(
            self._config.agent.id,
            user.id,
            user.username,
            new_profile_doc(self._config.agent.mode, now),
        )
        await self._store.create_user(user, session, profile)
        return grant

    async def login(self, email: str, password: str, client_ip: str) -> Grant:
        await enforce(self._limiter, "login", client_ip)
        user = await self._store.get_user_by_email(email)  # the store compares it folded
        ok = await self._passwords.verify(user.password_hash if user else None, password)
        if user is None or not ok:
            raise Unauthorized("Wrong email or password.", "invalid_credentials")
        session, grant = self._mint(user, self._clock.now())
        await self._store.create_session(session)
        return grant

    async def claim(
        self, who: Principal, email: str, password: str, username: str, client_ip: str
    ) -> Grant:
        await enforce(self._limiter, "claim", client_ip)
        user = await self._store.get_user(who.user_id)
        if user is None:
            raise Unauthorized("The account no longer exists.", "invalid_token")
        if not user.guest:
            raise Conflict(ALREADY_CLAIMED, "already_claimed")
        password_hash = await self._passwords.hash(password)
        now = self._clock.now()
        claimed = replace(
            user, username=username, email=email, password_hash=password_hash, guest=False
        )
        session, grant = self._mint(claimed, now)
        profile = await self._store.get_profile(self._config.agent.id, user.id)
        doc = profile.doc if profile else new_profile_doc(self._config.agent.mode, now)
        developer = folded(self._config.developer_email.strip())
        if developer and folded(email) == developer:
            doc = {**doc, "intrinsic_relationship": CREATOR}
        try:
            won = await self._store.claim_user(
                claimed,
                who.session_id,
                session,
                Profile(self._config.agent.id, user.id, username, doc),
                now,
            )
        except ConflictError as exc:
            raise Conflict("That email or username is already in use.", "email_in_use") from exc
        if not won:  # another claim of this guest got in first
            raise Conflict(ALREADY_CLAIMED, "already_claimed")
        return grant

    # -- refresh and logout ---------------------------------------------------
    async def refresh(
        self,
        session_id: str | None,
        refresh_token: str | None,
        csrf_cookie: str | None,
        csrf_header: str | None,
    ) -> Grant:
        if not session_id or not refresh_token or not csrf_cookie:
            raise Unauthorized("No refresh cookies were sent.", "no_refresh")
        if not csrf_header or not same(csrf_header, csrf_cookie):
            raise Unauthorized("The CSRF header does not match the cookie.", "csrf_mismatch")
        session = await self._store.get_session(session_id)
        pepper = self._config.pepper
        if session is None or not same(session.refresh_hash, keyed_hash(pepper, refresh_token)):
            raise Unauthorized("The refresh token is not valid.", "bad_refresh")
        if not same(session.csrf_hash, keyed_hash(pepper, csrf_cookie)):
            raise Unauthorized("The CSRF token does not belong to this session.", "csrf_mismatch")
        now = self._clock.now()
        if session.revoked_at is not None:
            if session.revoke_reason == "rotated":
                await self._replayed(session, now)
            raise Unauthorized("The session has been revoked.", "revoked")
        if session.expires_at <= now:
            raise Unauthorized("The session has expired.", "expired")
        user = await self._store.get_user(session.user_id)
        if user is None:
            raise Unauthorized("The account no longer exists.", "revoked")
        new_session, grant = self._mint(user, now)
        if not await self._store.rotate_session(session.id, new_session, now):
            await self._replayed(session, now)  # lost a race to another use of the same token
            raise Unauthorized("The session has been revoked.", "revoked")
        return grant

    async def _replayed(self, session: Session, now: float) -> None:
        """A rotated refresh token came back: someone holds a copy. End every session."""
        await self._store.revoke_user_sessions(session.user_id, "replay", now)

    async def logout(self, token: str | None, everywhere: bool = False) -> None:
        """End what the bearer value stands for: an access token's session and, as the user
        logs out, every API key of theirs (a key outlives no log-out); or, sent with a key,
        that key. `everywhere` ends every session and every API key of its user; it needs a
        value that is valid now, since it locks out every device and bot at once."""
        if not token:
            return
        if everywhere:
            try:
                who = await self.authenticate(token)
            except Unauthorized:
                return
            # Keys first: were the second write to fail, the session that asked is still
            # live to ask again (the other order could leave keys no one can end this way).
            await self._store.delete_user_api_keys(who.user_id)
            await self._store.revoke_user_sessions(who.user_id, "logout", self._clock.now())
            return
        if is_api_key(token):
            key = await self._store.api_key_by_hash(keyed_hash(self._config.pepper, token))
            if key is not None:
                await self._store.delete_api_key(key.user_id, key.id)
            return
        try:
            claims = self._tokens.verify(token, self._clock.now())
        except Unauthorized:
            return
        await self._store.delete_user_api_keys(claims.user_id)
        await self._store.revoke_session(claims.session_id, "logout", self._clock.now())

    async def forget(self, who: Principal) -> None:
        """The user asked to be forgotten: their account and all the agent holds about them."""
        await self._store.forget_user(who.user_id)

    async def me(self, who: Principal) -> User:
        user = await self._store.get_user(who.user_id)
        if user is None:
            raise Unauthorized("The account no longer exists.", "invalid_token")
        return user

    def _mint(self, user: User, now: float) -> tuple[Session, Grant]:
        refresh, csrf = new_secret_token(), new_secret_token()
        pepper = self._config.pepper
        session = Session(
            id=uuid.uuid4().hex,
            user_id=user.id,
            refresh_hash=keyed_hash(pepper, refresh),
            csrf_hash=keyed_hash(pepper, csrf),
            created_at=now,
            expires_at=now + self._config.refresh_ttl_s,
        )
        access = self._tokens.issue(user.id, session.id, user.username, now)
        grant = Grant(user.id, user.username, access, self._tokens.ttl_s, session.id, refresh, csrf)
        return session, grant
