"""Liveness, version, queue and model status (no auth)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from synthetic_soul import API_BASE_PATH, API_VERSION
from synthetic_soul.api.deps import Soul
from synthetic_soul.api.replies import (
    LLMReply,
    ModelNames,
    PingReply,
    QueueReply,
    QueueWorkerView,
    Semver,
    VersioningPolicy,
    VersionReply,
)

router = APIRouter(prefix="/meta", tags=["meta"])
_MAJOR, _MINOR, _PATCH = (int(part) for part in API_VERSION.split("."))


@router.get("/ping")
async def ping() -> PingReply:
    return PingReply(status="ok")


@router.get("/version")
async def version() -> VersionReply:
    return VersionReply(
        version=API_VERSION,
        api_base_path=API_BASE_PATH,
        semver=Semver(major=_MAJOR, minor=_MINOR, patch=_PATCH),
        versioning_policy=VersioningPolicy(
            url_versioning="major",
            breaking_changes="major-only",
            non_breaking_changes="minor-or-patch",
        ),
    )


@router.get("/queue")
async def queue(soul: Soul) -> QueueReply:
    health = await soul.status.queue()
    stats = health.stats
    return QueueReply(
        status="ok" if health.healthy else "degraded",
        timestamp=dt.datetime.fromtimestamp(health.at, dt.UTC).isoformat(),
        backend=stats.backend,
        redis_ok=stats.broker_ok,
        worker_count=len(stats.workers),
        workers=[
            QueueWorkerView(name=w.name, state=w.state, queues=list(w.queues))
            for w in stats.workers
        ],
        queues=stats.backlog,
        total_backlog=sum(stats.backlog.values()),
    )


@router.get("/llm")
async def llm(soul: Soul) -> LLMReply:
    info = soul.status.model()
    return LLMReply(
        mode=info.mode,
        provider=info.provider,
        base_url=info.base_url,
        models=ModelNames(fast=info.fast_model, quality=info.quality_model),
        configured=info.configured,
    )
