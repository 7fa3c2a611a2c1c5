"""Plain records of the service that cross the ports: users, sessions, API keys, jobs, model
calls, the queue's state. What the mind itself is about (messages, thoughts, memories,
snapshots of its feelings) lives in `domain/`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

JobStatus = Literal["queued", "running", "succeeded", "failed"]
TERMINAL_STATUSES: frozenset[str] = frozenset({"succeeded", "failed"})
QUEUE_NAMES: tuple[str, ...] = ("high", "default", "low")
# The payload key of a reply job that holds the keyed hash of the client address it was
# submitted from (never the address itself): the pending caps count by it, and the
# in-process queue takes turns by it.
CLIENT_KEY = "client"


@dataclass(frozen=True)
class User:
    id: str
    username: str
    guest: bool
    created_at: float
    email: str | None = None
    password_hash: str | None = None


def folded(name: str) -> str:
    """How usernames and emails compare: case-folded (casefold, so 'STRASSE' meets 'straße').
    A user keeps the form they typed for display."""
    return name.casefold()


@dataclass(frozen=True)
class Session:
    id: str
    user_id: str
    refresh_hash: str
    csrf_hash: str
    created_at: float
    expires_at: float
    revoked_at: float | None = None
    revoke_reason: str | None = None

    def active_at(self, now: float) -> bool:
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class ApiKey:
    """A personal API key as the store keeps it: never the key itself, only its keyed hash
    (`key_hash`) and the few characters that help its owner tell it apart (`prefix`)."""

    id: str
    user_id: str
    name: str
    key_hash: str
    prefix: str
    created_at: float
    last_used_at: float | None = None


@dataclass(frozen=True)
class Job:
    id: str
    owner_id: str
    kind: str
    queue: str
    payload: dict[str, Any]
    status: JobStatus
    created_at: float
    updated_at: float
    progress: float | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    attempts: int = 0

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @classmethod
    def queued(
        cls, id: str, owner_id: str, kind: str, queue: str, payload: dict[str, Any], now: float
    ) -> Job:
        """A new job, waiting for a worker since `now`."""
        return cls(id, owner_id, kind, queue, payload, "queued", now, now)


@dataclass(frozen=True)
class LLMCall:
    """What one model call cost: recorded for every call."""

    provider: str
    model: str
    task: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    # Why the call gave no usable answer: `llm_unavailable` (the provider failed or could not
    # be reached) or `llm_invalid_output` (it answered outside the schema); None if it did.
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class QueueWorker:
    name: str
    state: str
    queues: tuple[str, ...]


@dataclass(frozen=True)
class QueueStats:
    backend: str
    broker_ok: bool
    workers: tuple[QueueWorker, ...]
    backlog: dict[str, int] = field(default_factory=dict)
