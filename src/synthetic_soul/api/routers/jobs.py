"""Job status by polling or by server-sent events: /v1/jobs/*."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from synthetic_soul.api.deps import SignedIn, Soul, bearer_token
from synthetic_soul.api.replies import JobSnapshot
from synthetic_soul.api.sse import framed
from synthetic_soul.job_handlers import snapshot

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("/{job_id}")
async def poll(job_id: str, soul: Soul, who: SignedIn) -> JobSnapshot:
    # The shape is stated once, in `snapshot`, which the event stream sends as well.
    return JobSnapshot.model_validate(snapshot(await soul.watching.poll(job_id, who.user_id)))


@router.get(
    "/{job_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The job's events, until `done`.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def events(
    job_id: str,
    request: Request,
    soul: Soul,
    access_token: str | None = Query(None, description="the bearer token, for EventSource"),
) -> StreamingResponse:
    """`status` first; `progress`, and `token` (the reply's text as the model writes it:
    `{"job_id", "text"}` to append, `"reset": true` when it replaces what came before),
    as they happen; `done` (the final snapshot) last."""
    who = await soul.auth.authenticate(access_token or bearer_token(request))
    return StreamingResponse(
        framed(await soul.watching.follow(job_id, who.user_id)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
