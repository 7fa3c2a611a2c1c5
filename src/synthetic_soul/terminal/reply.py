"""Following a reply job to its end: the text as the model writes it, by polling if need be.

The job's event stream carries `token` pieces (appended, or with `reset` replacing what came
before) and ends with `done`. When the stream cannot be opened or breaks off, the job is
polled instead; both end on the same final snapshot.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from synthetic_soul.terminal.client import ApiError, Json, ServiceError, SoulClient

FINISHED = frozenset({"succeeded", "failed"})
POLL_EVERY_S = 1.0


class ReplyText:
    """The reply's text as shown so far, kept in step with the `token` events."""

    def __init__(self) -> None:
        self.text = ""

    def apply(self, piece: Mapping[str, Any]) -> str:
        text = str(piece.get("text", ""))
        self.text = text if piece.get("reset") else self.text + text
        return self.text


@dataclass(frozen=True)
class Progress:
    status: str
    progress: float | None


@dataclass(frozen=True)
class Written:
    text: str  # the whole reply so far


@dataclass(frozen=True)
class Polling:
    reason: str  # why the live stream is not used


@dataclass(frozen=True)
class Finished:
    job: Json  # the final snapshot: status, result, error


Update = Progress | Written | Polling | Finished


def follow(
    client: SoulClient,
    job_id: str,
    poll_every: float = POLL_EVERY_S,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Update]:
    """The job's updates, `Finished` last."""
    shown = ReplyText()
    try:
        for event in client.events(job_id):
            if event.name == "token":
                yield Written(shown.apply(event.data))
            elif event.name in ("status", "progress"):
                yield _progress(event.data)
            elif event.name == "done":
                yield Finished(event.data)
                return
        reason = "the live stream ended before the reply"
    except ServiceError as exc:
        reason = f"the live stream failed: {exc}"
    yield Polling(reason)
    while True:
        try:
            job = client.job(job_id)
        except ApiError as exc:
            if exc.status != 429:
                raise
            sleep(exc.retry_after or poll_every)
            continue
        if job.get("status") in FINISHED:
            yield Finished(job)
            return
        yield _progress(job)
        sleep(poll_every)


def _progress(data: Mapping[str, Any]) -> Progress:
    progress = data.get("progress")
    return Progress(
        str(data.get("status") or "running"),
        float(progress) if isinstance(progress, int | float) else None,
    )
