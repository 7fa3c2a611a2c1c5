"""Access tokens (HS256 JWTs only) and the keyed hashes and random tokens beside them."""

from __future__ import annotations

import base64
import json
import math
import time
from collections import Counter
from typing import Any

import jwt
import pytest

from synthetic_soul.auth.tokens import (
    AUDIENCE,
    ISSUER,
    AccessTokens,
    keyed_hash,
    new_secret_token,
    same,
)
from synthetic_soul.errors import Unauthorized

SECRET = "unit-test-jwt-secret-0123456789abcdef-0123456789abcdef"
TTL = 900


def claims(now: float, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-1",
        "sid": "session-1",
        "username": "ada",
        "iat": int(now),
        "exp": int(now) + TTL,
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def rejected(token: str, code: str = "invalid_token") -> None:
    with pytest.raises(Unauthorized) as caught:
        AccessTokens(SECRET, TTL).verify(token, time.time())
    assert caught.value.code == code


def test_issue_then_verify_round_trips_the_claims() -> None:
    tokens = AccessTokens(SECRET, TTL)
    now = time.time()
    token = tokens.issue("user-1", "session-1", "ada", now)
    got = tokens.verify(token, now)
    assert (got.user_id, got.session_id, got.username) == ("user-1", "session-1", "ada")
    payload = jwt.decode(token, options={"verify_signature": False})
    assert payload["iss"] == ISSUER
    assert payload["aud"] == AUDIENCE
    assert payload["exp"] - payload["iat"] == TTL
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


@pytest.mark.parametrize("missing", ["iss", "aud", "exp", "iat", "sub", "sid"])
def test_required_claims(missing: str) -> None:
    rejected(jwt.encode(claims(time.time(), **{missing: None}), SECRET, algorithm="HS256"))


def test_wrong_issuer_or_audience_is_rejected() -> None:
    now = time.time()
    rejected(jwt.encode(claims(now, aud="someone-else"), SECRET, algorithm="HS256"))
    rejected(jwt.encode(claims(now, iss="someone-else"), SECRET, algorithm="HS256"))


def test_wrong_secret_is_rejected() -> None:
    rejected(jwt.encode(claims(time.time()), SECRET + "x", algorithm="HS256"))


def test_hs384_is_rejected_even_with_the_right_secret() -> None:
    rejected(jwt.encode(claims(time.time()), SECRET, algorithm="HS384"))


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_alg_none_is_rejected() -> None:
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims(time.time()))}."
    rejected(unsigned)


def test_tampered_payload_is_rejected() -> None:
    token = AccessTokens(SECRET, TTL).issue("user-1", "session-1", "ada", time.time())
    header, _, signature = token.split(".")
    forged = f"{header}.{_b64(claims(time.time(), sub='admin'))}.{signature}"
    rejected(forged)


@pytest.mark.parametrize("garbage", ["", "not-a-token", "a.b.c", "Bearer x"])
def test_garbage_is_rejected(garbage: str) -> None:
    rejected(garbage)


def test_expired_token_says_session_expired() -> None:
    long_ago = time.time() - 2 * TTL
    rejected(
        AccessTokens(SECRET, TTL).issue("user-1", "session-1", "ada", long_ago), "session_expired"
    )


def test_keyed_hash_is_deterministic_and_keyed() -> None:
    assert keyed_hash("pepper", "token") == keyed_hash("pepper", "token")
    assert keyed_hash("pepper", "token") != keyed_hash("other-pepper", "token")
    assert keyed_hash("pepper", "token") != keyed_hash("pepper", "token2")
    digest = keyed_hash("pepper", "token")
    assert len(digest) == 64
    int(digest, 16)  # hex


def test_same_compares_exactly() -> None:
    assert same("abc", "abc")
    assert not same("abc", "abd")
    assert not same("abc", "abcd")


def test_new_secret_token_is_long_urlsafe_and_unique() -> None:
    made = [new_secret_token() for _ in range(1000)]
    assert len(set(made)) == 1000
    assert all(len(t) >= 43 for t in made)
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert all(set(t) <= alphabet for t in made)
    # Characters spread over the whole alphabet: about 6 bits of entropy per character.
    counts = Counter("".join(made))
    total = sum(counts.values())
    entropy = -sum(n / total * math.log2(n / total) for n in counts.values())
    assert entropy > 5.9


def test_token_issued_in_the_future_is_rejected() -> None:
    tokens = AccessTokens(SECRET, TTL)
    now = time.time()
    token = tokens.issue("user-1", "session-1", "ada", now + 600)
    with pytest.raises(Unauthorized) as caught:
        tokens.verify(token, now)
    assert caught.value.code == "invalid_token"
