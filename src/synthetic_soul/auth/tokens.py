"""Access tokens (HS256 JWTs), personal API keys, and the keyed hashes that stand in for
refresh/CSRF tokens and keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import jwt

from synthetic_soul.errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "synthetic-soul-api"
AUDIENCE = "synthetic-soul-client"
CLOCK_SKEW_S = 30.0  # tolerated for tokens minted by another process with a faster clock


@dataclass(frozen=True)
class Claims:
    user_id: str
    session_id: str
    username: str


def new_secret_token() -> str:
    """A high-entropy random token (256 bits) for refresh and CSRF values."""
    return secrets.token_urlsafe(32)


API_KEY_PREFIX = "sk-soul-"
# What a key's list shows of it: the prefix and this many of its random characters (24 of
# its 256 bits), enough for its owner to tell keys apart, far too few to guess the rest.
API_KEY_SHOWN_CHARS = 4


def new_api_key() -> str:
    """A personal API key: the prefix (so a leaked one is recognisable, and a bearer value is
    told from a JWT at a glance) and 256 random bits."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def is_api_key(token: str) -> bool:
    return token.startswith(API_KEY_PREFIX)


def shown_part(api_key: str) -> str:
    return api_key[: len(API_KEY_PREFIX) + API_KEY_SHOWN_CHARS]


def keyed_hash(key: str, token: str) -> str:
    """HMAC-SHA256 of a random token: fast, and useless to whoever steals the table."""
    return hmac.new(key.encode(), token.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class AccessTokens:
    def __init__(self, secret: str, ttl_s: int) -> None:
        self._secret = secret
        self.ttl_s = ttl_s

    def issue(self, user_id: str, session_id: str, username: str, now: float) -> str:
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user_id,
            "sid": session_id,
            "username": username,
            "iat": int(now),
            "exp": int(now) + self.ttl_s,
        }
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str, now: float) -> Claims:
        """Check signature, algorithm, issuer and audience; check time against `now`."""
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={
                    "require": ["exp", "iat", "iss", "aud", "sub", "sid"],
                    "verify_exp": False,  # checked below against the injected clock
                    "verify_iat": False,
                },
            )
            expires, issued = float(payload["exp"]), float(payload["iat"])
        except (jwt.PyJWTError, TypeError, ValueError) as exc:
            raise Unauthorized("The access token is not valid.", "invalid_token") from exc
        if issued > now + CLOCK_SKEW_S:
            raise Unauthorized("The access token is not valid yet.", "invalid_token")
        if expires <= now:
            raise Unauthorized("The access token has expired.", "session_expired")
        return Claims(str(payload["sub"]), str(payload["sid"]), str(payload.get("username", "")))
