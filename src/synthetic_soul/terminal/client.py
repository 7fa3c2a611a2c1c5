"""The service's public API (/v1) as any client speaks it: JSON over HTTP, job events by SSE."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from http.cookies import CookieError, SimpleCookie
from typing import Any

import httpx

from synthetic_soul.terminal.sse import SseEvent, parse

Json = dict[str, Any]
REFRESH_COOKIES = ("sid", "rtoken", "refresh_csrf")
# The service sends a keep-alive comment at least every 15 s on an idle stream.
STREAM_READ_TIMEOUT_S = 45.0


class ServiceError(Exception):
    """A call to the service that did not give what was asked; its text is for the user."""


class Unreachable(ServiceError):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach the service at {url}: {reason}")
        self.url = url
        self.reason = reason


class ApiError(ServiceError):
    """An error reply from the service, in its one envelope."""

    def __init__(
        self, status: int, code: str, message: str, request_id: str, retry_after: int | None
    ) -> None:
        super().__init__(f"{message} ({code})")
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.retry_after = retry_after


@dataclass(frozen=True)
class Grant:
    """A token reply: the access token, whose it is, and the refresh cookies that came with it."""

    access_token: str
    username: str
    cookies: dict[str, str]


class _NoJar(DefaultCookiePolicy):
    """Keep no cookies: the refresh cookies are sent by hand, to the refresh path alone."""

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


class SoulClient:
    """One service. `token` signs calls that need it; `renew`, if set, gets a new one on a 401."""

    def __init__(self, url: str, timeout: float = 10.0, agent: str | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.agent_name = agent  # the agent to talk to (X-Agent); None: the default agent
        self.token: str | None = None
        self.renew: Callable[[], str] | None = None
        self._http = httpx.Client(
            base_url=f"{url}/v1", timeout=timeout, cookies=CookieJar(policy=_NoJar())
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SoulClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- open to anyone ----------------------------------------------------------------
    def active_agent(self) -> str:
        if self.agent_name:
            return self.agent_name
        return str(self._field("GET", "/", "active_agent", auth=False))

    def version(self) -> Json:
        return self._json("GET", "/meta/version")

    def queue(self) -> Json:
        return self._json("GET", "/meta/queue")

    def llm(self) -> Json:
        return self._json("GET", "/meta/llm")

    # -- sessions ----------------------------------------------------------------------
    def guest(self) -> Grant:
        return _grant(self._send("POST", "/auth/guest"))

    def refresh(self, cookies: dict[str, str]) -> Grant:
        """Rotate a refresh session: these cookies are spent, the grant's replace them."""
        headers = {
            "Cookie": "; ".join(f"{name}={cookies.get(name, '')}" for name in REFRESH_COOKIES),
            "X-CSRF-Token": cookies.get("refresh_csrf", ""),
        }
        return _grant(self._send("POST", "/auth/refresh", headers=headers))

    # -- the conversation --------------------------------------------------------------
    def submit(self, message: str) -> str:
        return str(self._field("POST", "/messages/submit", "job_id", json={"message": message}))

    def job(self, job_id: str) -> Json:
        return self._json("GET", f"/jobs/{job_id}", auth=True)

    def events(self, job_id: str) -> Iterator[SseEvent]:
        """The job's events until the stream ends; raises ServiceError if it cannot be read."""
        timeout = httpx.Timeout(self.timeout, read=STREAM_READ_TIMEOUT_S)
        for attempt in (1, 2):
            params = {"access_token": self.token or ""}
            try:
                with self._http.stream(
                    "GET", f"/jobs/{job_id}/events", params=params, timeout=timeout
                ) as response:
                    if response.status_code == 401 and attempt == 1 and self.renew:
                        self.token = self.renew()
                        continue
                    if response.is_error:
                        response.read()
                        raise _api_error(response)
                    yield from parse(response.iter_lines())
                    return
            except httpx.HTTPError as exc:
                raise self._unreachable(exc) from exc

    def conversation(self) -> list[Json]:
        found: Json = self._field("GET", "/messages/conversation", "conversation")
        return list(found.get("messages", []))

    # -- the agent's mind --------------------------------------------------------------
    def agent(self) -> Json:
        found: Json = self._field("GET", "/agents/active", "agent")
        return found

    def relationship(self) -> Json:
        found: Json = self._field("GET", "/agents/active/relationship", "relationship")
        return found

    def latest_thought(self) -> Json | None:
        try:
            thought: Json = self._field("GET", "/thoughts/latest", "latest_thought")
        except ApiError as exc:
            if exc.code == "thought_not_found":
                return None
            raise
        return thought

    def memories(self) -> list[Json]:
        found: list[Json] = self._field("GET", "/memories", "memories")
        return found

    # -- the wire ----------------------------------------------------------------------
    def _field(
        self, method: str, path: str, key: str, *, auth: bool = True, json: Any = None
    ) -> Any:
        """One field of a reply, which a reply of this service always has."""
        body = self._json(method, path, auth=auth, json=json)
        if key not in body:
            raise ApiError(
                200, "unexpected_reply", f"{path} has no {key!r}: is this the service?", "", None
            )
        return body[key]

    def _json(self, method: str, path: str, *, auth: bool = False, json: Any = None) -> Json:
        response = self._send(method, path, auth=auth, json=json)
        try:
            body = response.json()
        except ValueError as exc:
            raise ApiError(
                response.status_code, "not_json", "the reply is not JSON", "", None
            ) from exc
        if not isinstance(body, dict):
            raise ApiError(response.status_code, "not_json", "the reply is not an object", "", None)
        return body

    def _send(
        self,
        method: str,
        path: str,
        *,
        auth: bool = False,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        for attempt in (1, 2):
            sent = dict(headers or {})
            if auth and self.token:
                sent["Authorization"] = f"Bearer {self.token}"
            if auth and self.agent_name:
                sent["X-Agent"] = self.agent_name
            try:
                response = self._http.request(method, path, json=json, headers=sent)
            except httpx.HTTPError as exc:
                raise self._unreachable(exc) from exc
            if response.status_code == 401 and auth and attempt == 1 and self.renew:
                self.token = self.renew()
                continue
            if response.is_error:
                raise _api_error(response)
            return response
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _unreachable(self, exc: httpx.HTTPError) -> Unreachable:
        if isinstance(exc, httpx.ConnectTimeout):
            return Unreachable(self.url, "the connection timed out")
        if isinstance(exc, httpx.ConnectError):
            return Unreachable(self.url, "nothing answers there (connection refused or no route)")
        if isinstance(exc, httpx.TimeoutException):
            return Unreachable(self.url, "it stopped answering (timed out)")
        if isinstance(exc, httpx.RemoteProtocolError):
            return Unreachable(self.url, "it dropped the connection")
        return Unreachable(self.url, type(exc).__name__)


def _api_error(response: httpx.Response) -> ApiError:
    code, message = f"http_{response.status_code}", response.reason_phrase or "error"
    request_id = response.headers.get("X-Request-ID", "")
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
        request_id = str(error.get("request_id") or request_id)
    except (ValueError, KeyError, TypeError):
        pass  # not the service's envelope (a proxy's page): keep the status line
    return ApiError(response.status_code, code, message, request_id, _retry_after(response))


def _retry_after(response: httpx.Response) -> int | None:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(1, math.ceil(seconds)) if math.isfinite(seconds) else None


def _grant(response: httpx.Response) -> Grant:
    try:
        body = response.json()
        token, username = str(body["access_token"]), str(body["username"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError(
            response.status_code, "bad_grant", "no token in the reply", "", None
        ) from exc
    cookies: dict[str, str] = {}
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        try:
            jar.load(header)
        except CookieError:
            continue  # a cookie this client does not use
        cookies.update({name: morsel.value for name, morsel in jar.items()})
    kept = {name: cookies[name] for name in REFRESH_COOKIES if name in cookies}
    return Grant(token, username, kept)
