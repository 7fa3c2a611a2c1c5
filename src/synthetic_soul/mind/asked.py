"""What each job of the mind is asked, typed: written into a job's payload when it is queued,
read back by its handler, so no handler reads loose keys."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from synthetic_soul.records import CLIENT_KEY, Job


def _payload(asked: object) -> dict[str, Any]:
    return {k: v for k, v in asdict(asked).items() if v is not None}  # type: ignore[call-overload]


@dataclass(frozen=True)
class ReplyAsked:
    """Answer the user's message `message_id` as agent (`agent`, `mode`)."""

    agent: str
    mode: str
    message_id: str
    client: str | None = None  # the keyed hash of the sender's address (`CLIENT_KEY`)

    def payload(self) -> dict[str, Any]:
        return _payload(self)

    @classmethod
    def of(cls, job: Job) -> ReplyAsked:
        p = job.payload
        return cls(str(p["agent"]), str(p["mode"]), str(p["message_id"]), p.get(CLIENT_KEY))


@dataclass(frozen=True)
class ReflectionAsked:
    """Reflect on what `user_id` and the agent said since the last reflection."""

    agent: str
    mode: str
    user_id: str

    def payload(self) -> dict[str, Any]:
        return _payload(self)

    @classmethod
    def of(cls, job: Job) -> ReflectionAsked:
        p = job.payload
        return cls(str(p["agent"]), str(p["mode"]), str(p["user_id"]))


@dataclass(frozen=True)
class ThinkingAsked:
    """A spell of thinking for the scheduler's tick `tick`."""

    agent: str
    mode: str
    tick: int

    def payload(self) -> dict[str, Any]:
        return _payload(self)

    @classmethod
    def of(cls, job: Job) -> ThinkingAsked:
        p = job.payload
        return cls(str(p["agent"]), str(p["mode"]), int(p["tick"]))


@dataclass(frozen=True)
class FarewellAsked:
    """Feel that a user the agent held at `affinity` asked to be forgotten (no user id)."""

    agent: str
    mode: str
    affinity: float

    def payload(self) -> dict[str, Any]:
        return _payload(self)

    @classmethod
    def of(cls, job: Job) -> FarewellAsked:
        p = job.payload
        return cls(str(p["agent"]), str(p["mode"]), float(p["affinity"]))


@dataclass(frozen=True)
class EmbeddingAsked:
    """Give what `user_id` and the agent said that has no vector yet its vector."""

    agent: str
    user_id: str

    def payload(self) -> dict[str, Any]:
        return _payload(self)

    @classmethod
    def of(cls, job: Job) -> EmbeddingAsked:
        p = job.payload
        return cls(str(p["agent"]), str(p["user_id"]))


@dataclass(frozen=True)
class SeedingAsked:
    """Ask the model the personality of agent `agent_id`'s card; apply it only while the
    agent's personality is still `seeded` (its traits and type as the words seeded them)."""

    agent: str
    mode: str
    agent_id: str
    traits: dict[str, float]
    mbti: str | None = None

    def payload(self) -> dict[str, Any]:
        return _payload(self)

    @classmethod
    def of(cls, job: Job) -> SeedingAsked:
        p = job.payload
        traits = {str(k): float(v) for k, v in dict(p["traits"]).items()}
        mbti = p.get("mbti")
        return cls(str(p["agent"]), str(p["mode"]), str(p["agent_id"]), traits, mbti)
