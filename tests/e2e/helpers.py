"""Client-side helpers for the end-to-end suite: a plain HTTP client's view of the v1 contract.

The names and numbers below are copied from the wire contract (reference facts), not imported
from the service, so a drift in the service shows up as a failing test.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx
import jwt

from tests.support.server import TEST_ENV

API_VERSION = "1.1.0"
WEB_ORIGIN = "http://localhost:5173"
JWT_SECRET = TEST_ENV["JWT_SECRET_ENV"]
JWT_ISS = "synthetic-soul-api"
JWT_AUD = "synthetic-soul-client"
REFRESH_PATH = "/v1/auth/refresh"
REFRESH_MAX_AGE = 90 * 86400
ACCESS_TTL_S = 15 * 60
COOKIE_NAMES = ("sid", "rtoken", "refresh_csrf")

LITE_EMOTIONS = ("joy", "sadness", "anger", "fear", "surprise", "love", "disgust")
RICH_EMOTIONS = (
    "happiness",
    "anger",
    "sadness",
    "fear",
    "surprise",
    "disgust",
    "love",
    "guilt",
    "shame",
    "pride",
    "hope",
    "gratitude",
    "envy",
    "compassion",
    "serenity",
    "frustration",
    "contentment",
    "anxiety",
    "loneliness",
    "embarrassment",
    "trust",
    "relief",
    "affection",
    "bitterness",
    "excitement",
    "self_loathing",
    "love_for_self",
)
LITE_TRAITS = (
    "warmth",
    "playfulness",
    "trust_reliability",
    "curiosity_creativity",
    "empathy_compassion",
    "emotional_stability",
    "assertiveness_confidence",
    "adaptability",
    "discipline_responsibility",
    "perspective",
)
RICH_TRAITS = (
    "friendliness",
    "flirtatiousness",
    "trust",
    "curiosity",
    "empathy",
    "humor",
    "seriousness",
    "optimism",
    "confidence",
    "adventurousness",
    "patience",
    "independence",
    "compassion",
    "creativity",
    "stubbornness",
    "impulsiveness",
    "discipline",
    "assertiveness",
    "skepticism",
    "affection",
    "adaptability",
    "sociability",
    "diplomacy",
    "humility",
    "loyalty",
    "jealousy",
    "resilience",
    "mood_stability",
    "forgiveness",
    "gratitude",
    "self_consciousness",
    "openness",
    "neuroticism",
    "excitement",
)
MBTI_TYPES = frozenset(a + b + c + d for a in "IE" for b in "SN" for c in "TF" for d in "JP")
EXPRESSIONS = (
    "affection",
    "anger_frustration",
    "blushing",
    "celebrating",
    "confused",
    "crying_tearful",
    "curious_interested",
    "disgust",
    "embarrased_shy",
    "encouraging",
    "excited_enthusiastic",
    "fear_nervous",
    "focused_determined",
    "joking",
    "joy_happy",
    "listening_deeply",
    "love",
    "neutral_listening",
    "playful_cheeky",
    "pleased_smug",
    "polite_smile",
    "relieved",
    "sad",
    "sarcastic",
    "skeptical_unimpressed",
    "sleepy_tired",
    "supportive",
    "surprise",
    "thinking",
    "thinking_hard",
)
JOB_STATUSES = frozenset({"queued", "running", "succeeded", "failed"})
FINISHED = frozenset({"succeeded", "failed"})
KIND_MESSAGE = "Thank you so much, you are wonderful, kind and amazing. I love you, friend."


# -- the client ----------------------------------------------------------------------------
class _NoCookies(DefaultCookiePolicy):
    """Keep the client's jar empty: tests send every cookie explicitly."""

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


def client(base_url: str, timeout: float = 10.0, source: str | None = None) -> httpx.Client:
    """A client without a cookie jar; `source`: the local address its connections leave from
    (any 127.x.y.z reaches a server on 127.0.0.1, as a distinct client address)."""
    transport = httpx.HTTPTransport(local_address=source) if source else None
    return httpx.Client(
        base_url=base_url,
        timeout=timeout,
        cookies=CookieJar(policy=_NoCookies()),
        transport=transport,
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- cookies -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SetCookie:
    name: str
    value: str
    attrs: dict[str, str | bool]  # lower-cased attribute names

    @property
    def http_only(self) -> bool:
        return "httponly" in self.attrs

    @property
    def secure(self) -> bool:
        return "secure" in self.attrs

    def attr(self, name: str) -> str | None:
        value = self.attrs.get(name.lower())
        return value if isinstance(value, str) else None


def parse_set_cookies(response: httpx.Response) -> dict[str, SetCookie]:
    found: dict[str, SetCookie] = {}
    for header in response.headers.get_list("set-cookie"):
        first, *rest = header.split(";")
        name, _, value = first.strip().partition("=")
        attrs: dict[str, str | bool] = {}
        for part in rest:
            key, eq, val = part.strip().partition("=")
            if key:
                attrs[key.lower()] = val.strip() if eq else True
        found[name] = SetCookie(name, value.strip('"'), attrs)
    return found


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@dataclass(frozen=True)
class Login:
    """What a client keeps after a token reply: the body and the refresh cookies."""

    token: str
    username: str
    cookies: dict[str, str]
    response: httpx.Response

    @property
    def csrf(self) -> str:
        return self.cookies["refresh_csrf"]


def login_from(response: httpx.Response) -> Login:
    assert response.status_code == 200, response.text
    body = response.json()
    cookies = {name: c.value for name, c in parse_set_cookies(response).items()}
    return Login(body["access_token"], body["username"], cookies, response)


def guest(c: httpx.Client) -> Login:
    return login_from(c.post("/v1/auth/guest"))


def refresh(
    c: httpx.Client, cookies: dict[str, str] | None, csrf_header: str | None
) -> httpx.Response:
    headers: dict[str, str] = {}
    if cookies:
        headers["Cookie"] = cookie_header(cookies)
    if csrf_header is not None:
        headers["X-CSRF-Token"] = csrf_header
    return c.post(REFRESH_PATH, headers=headers)


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def unique_username(prefix: str = "user") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


# -- assertions ----------------------------------------------------------------------------
def assert_api_headers(response: httpx.Response) -> None:
    assert response.headers.get("X-API-Version") == API_VERSION
    request_id = response.headers.get("X-Request-ID")
    assert request_id, "every response carries X-Request-ID"


def assert_error(
    response: httpx.Response, status: int, code: str | Iterable[str] | None = None
) -> dict[str, Any]:
    """The one error envelope, with request_id equal to the X-Request-ID header."""
    assert response.status_code == status, (response.status_code, response.text)
    assert_api_headers(response)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message", "request_id"} <= set(error), error
    assert isinstance(error["message"], str) and error["message"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    if code is not None:
        codes = {code} if isinstance(code, str) else set(code)
        assert error["code"] in codes, error
    return dict(error)


def assert_validation_error(response: httpx.Response) -> list[dict[str, Any]]:
    error = assert_error(response, 422, "validation_error")
    details = error.get("details")
    assert isinstance(details, list) and details, error
    return details


def assert_cors(response: httpx.Response, origin: str = WEB_ORIGIN) -> None:
    assert response.headers.get("access-control-allow-origin") == origin
    assert response.headers.get("access-control-allow-credentials") == "true"


# -- tokens --------------------------------------------------------------------------------
def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(
        token, JWT_SECRET, algorithms=["HS256"], audience=JWT_AUD, issuer=JWT_ISS
    )
    return decoded


def craft_token(claims: dict[str, Any], secret: str = JWT_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def unsigned_token(claims: dict[str, Any]) -> str:
    """An `alg: none` token, built by hand (header.payload. with an empty signature)."""
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    return f"{header}.{payload}."


# -- jobs ----------------------------------------------------------------------------------
def submit(c: httpx.Client, token: str, message: str, kind: str = "dm") -> str:
    r = c.post(
        "/v1/messages/submit", json={"message": message, "type": kind}, headers=bearer(token)
    )
    assert r.status_code == 202, r.text
    job_id: str = r.json()["job_id"]
    return job_id


def wait_job(
    c: httpx.Client,
    token: str,
    job_id: str,
    until: frozenset[str] = FINISHED,
    timeout: float = 20.0,
    interval: float = 0.1,
) -> dict[str, Any]:
    """Poll until the job's status is in `until`; returns the last body."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        r = c.get(f"/v1/jobs/{job_id}", headers=bearer(token))
        assert r.status_code == 200, r.text
        body = r.json()
        if body["status"] in until:
            return body
        time.sleep(interval)
    raise AssertionError(f"job {job_id} not in {sorted(until)} after {timeout}s: {body}")


@dataclass(frozen=True)
class SseEvent:
    event: str
    data: dict[str, Any]


def read_events(
    response: httpx.Response, timeout: float = 20.0
) -> tuple[list[SseEvent], list[str]]:
    """Read an SSE stream until `done` (or the end); returns the events and comment lines."""
    events: list[SseEvent] = []
    comments: list[str] = []
    name, data_lines = "message", list[str]()
    deadline = time.monotonic() + timeout
    for line in response.iter_lines():
        assert time.monotonic() < deadline, f"stream did not finish in {timeout}s: {events}"
        if line.startswith(":"):
            comments.append(line)
            continue
        if not line:
            if data_lines:
                events.append(SseEvent(name, json.loads("\n".join(data_lines))))
                if name == "done":
                    break
            name, data_lines = "message", []
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data_lines.append(value)
    return events, comments


def agent_state(c: httpx.Client, token: str) -> dict[str, Any]:
    r = c.get("/v1/agents/active", headers=bearer(token))
    assert r.status_code == 200, r.text
    agent: dict[str, Any] = r.json()["agent"]
    return agent


def conversation(c: httpx.Client, token: str) -> dict[str, Any]:
    r = c.get("/v1/messages/conversation", headers=bearer(token))
    assert r.status_code == 200, r.text
    conv: dict[str, Any] = r.json()["conversation"]
    return conv


# Claims are limited per client address, and a module may claim many accounts: each claim
# comes from an address of its own (the harness's servers trust the source address).
_CLAIM_ADDRESSES = itertools.count()


def claimed_account(api: httpx.Client, prefix: str = "user") -> str:
    """A new account (a claimed guest); its access token."""
    g = guest(api)
    n = next(_CLAIM_ADDRESSES)
    with client(str(api.base_url), source=f"127.0.{10 + n // 250}.{1 + n % 250}") as own:
        claimed = own.post(
            "/v1/auth/claim",
            json={
                "email": unique_email(prefix),
                "password": "correct horse battery",
                "username": unique_username(prefix),
            },
            headers=bearer(g.token),
        )
    return login_from(claimed).token


def new_key(api: httpx.Client, token: str, name: str = "bot") -> dict[str, str]:
    """A new personal API key of the account whose token this is: {"id", "name", "key"}."""
    r = api.post("/v1/auth/keys", json={"name": name}, headers=bearer(token))
    assert r.status_code == 201, r.text
    made: dict[str, str] = r.json()
    return made


def seeded(api: httpx.Client, token: str, name: str, timeout: float = 20.0) -> dict[str, Any]:
    """An imported agent once the model's seeding job has run (`seeding` is no longer the
    words' alone: the model's, or the words' saying why they stand)."""
    deadline = time.monotonic() + timeout
    while True:
        r = api.get(f"/v1/agents/{name}", headers=bearer(token))
        assert r.status_code == 200, r.text
        agent: dict[str, Any] = r.json()["agent"]
        seeding = agent["seeding"]
        if seeding["method"] != "words-v1" or {"model_failed", "model_skipped"} & set(seeding):
            return agent
        assert time.monotonic() < deadline, f"the seeding job did not run: {seeding}"
        time.sleep(0.1)
