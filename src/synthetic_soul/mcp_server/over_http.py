"""The `Soul` of `soul mcp`: the service over HTTP, as the user whose API key it holds.

The server runs on someone's desktop, started by their assistant, so each thing that can go
wrong there (no key, a revoked one, the service not running, a wrong URL) is told in one
line that says what to do, and the server stays up to be told again after it is fixed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from synthetic_soul.mcp_server.access import REPLY_WAIT_S, SoulUnavailable

KEY_PREFIX = "sk-soul-"
# A call other than waiting for a reply answers in milliseconds; this only bounds a hang.
CALL_TIMEOUT_S = 30.0


class HttpSoul:
    def __init__(self, url: str, api_key: str | None, reply_wait_s: float = REPLY_WAIT_S) -> None:
        self.url = url
        self._key = (api_key or "").strip()
        self._reply_wait_s = reply_wait_s
        self._http = httpx.AsyncClient(base_url=url, timeout=CALL_TIMEOUT_S)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def talk(self, agent: str | None, message: str) -> dict[str, Any]:
        submitted = await self._json(
            "POST", "/v1/messages/submit", agent, json={"message": message, "type": "dm"}
        )
        job_id = str(submitted["job_id"])
        done = await self._follow(job_id)
        if done is None:  # the stream broke off: the job's record says how it ended
            done = await self._json("GET", f"/v1/jobs/{job_id}", agent)
            if done.get("status") in ("queued", "running"):
                raise SoulUnavailable(f"The reply is still being written (job {job_id}).")
        return done

    async def state(self, agent: str | None) -> dict[str, Any]:
        body = await self._json("GET", "/v1/agents/active", agent)
        found: dict[str, Any] = body["agent"]
        return found

    async def memories(self, agent: str | None) -> list[dict[str, Any]]:
        body = await self._json("GET", "/v1/memories", agent)
        found: list[dict[str, Any]] = body["memories"]
        return found

    async def agents(self) -> dict[str, list[dict[str, Any]]]:
        body = await self._json("GET", "/v1/agents/all", None)
        found: dict[str, list[dict[str, Any]]] = body["agents"]
        return found

    def _headers(self, agent: str | None) -> dict[str, str]:
        if not self._key:
            raise SoulUnavailable(
                "SOUL_API_KEY is not set: make a key with POST /v1/auth/keys (signed in) and "
                "put it in this server's environment."
            )
        headers = {"Authorization": f"Bearer {self._key}"}
        if agent:
            headers["X-Agent"] = agent
        return headers

    async def _json(
        self, method: str, path: str, agent: str | None, json: Any = None
    ) -> dict[str, Any]:
        if agent:
            await self._known(agent)
        return await self._call(method, path, self._headers(agent), json)

    async def _known(self, agent: str) -> None:
        """An agent named must be one the caller may talk to. A service without several
        agents ignores `X-Agent`; asking it first keeps a message from going to another."""
        body = await self._call("GET", "/v1/agents/all", self._headers(None), None)
        names = {a["name"].casefold() for agents in body["agents"].values() for a in agents}
        if agent.casefold() not in names:
            raise SoulUnavailable(f"No agent named {agent} (agent_not_found).")

    async def _call(
        self, method: str, path: str, headers: dict[str, str], json: Any
    ) -> dict[str, Any]:
        try:
            response = await self._http.request(method, path, headers=headers, json=json)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from exc
        if response.is_error:
            raise self._refused(response)
        try:
            body: dict[str, Any] = response.json()
        except ValueError as exc:
            raise SoulUnavailable(
                f"{self.url} answered {path} with something other than JSON: is SOUL_URL the "
                "soul service?"
            ) from exc
        return body

    async def _follow(self, job_id: str) -> dict[str, Any] | None:
        """The job's `done` snapshot from its event stream, waiting `reply_wait_s` in all
        (keep-alives come every few seconds, so no read ever times out on a slow reply);
        None if the stream ended or went silent first."""
        try:
            async with asyncio.timeout(self._reply_wait_s):
                return await self._done(job_id)
        except TimeoutError as exc:
            raise SoulUnavailable(
                f"No reply within {self._reply_wait_s:g} s; it is still being written and "
                f"will be in the conversation (job {job_id})."
            ) from exc

    async def _done(self, job_id: str) -> dict[str, Any] | None:
        try:
            async with self._http.stream(
                "GET", f"/v1/jobs/{job_id}/events", headers=self._headers(None)
            ) as response:
                if response.is_error:
                    await response.aread()
                    raise self._refused(response)
                async for name, data in _events(response.aiter_lines()):
                    if name == "done":
                        done: dict[str, Any] = json.loads(data)
                        return done
        except httpx.ReadTimeout:
            return None  # silent past its keep-alives: the job's record will tell
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from exc
        return None

    def _unreachable(self, exc: httpx.HTTPError) -> SoulUnavailable:
        return SoulUnavailable(
            f"Cannot reach the soul service at {self.url} ({type(exc).__name__}): is it "
            "running, and is SOUL_URL right?"
        )

    def _refused(self, response: httpx.Response) -> SoulUnavailable:
        code, message = _error_of(response)
        if response.status_code == 401:
            hint = "" if self._key.startswith(KEY_PREFIX) else f" (a key starts {KEY_PREFIX})"
            return SoulUnavailable(
                f"The service at {self.url} refused SOUL_API_KEY{hint}: {message} ({code}). "
                "Make a new key with POST /v1/auth/keys."
            )
        if response.status_code == 429:
            wait = response.headers.get("retry-after", "a few")
            return SoulUnavailable(f"{message} ({code}); try again in {wait} s.")
        return SoulUnavailable(f"{message} ({code}, HTTP {response.status_code}).")


def _error_of(response: httpx.Response) -> tuple[str, str]:
    """The contract's envelope's code and message, or what the status says without one."""
    try:
        error = response.json()["error"]
        return str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        return f"http_{response.status_code}", response.reason_phrase or "The request failed."


async def _events(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, str]]:
    """Server-sent events as (name, data); comments (keep-alives) are skipped."""
    name, data = "message", list[str]()
    async for line in lines:
        if not line:
            if data:
                yield name, "\n".join(data)
            name, data = "message", list[str]()
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
