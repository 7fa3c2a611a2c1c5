"""Server-sent events read from lines, as an EventSource would (comments and unknowns skipped)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SseEvent:
    name: str
    data: dict[str, Any]


def parse(lines: Iterable[str]) -> Iterator[SseEvent]:
    """The events in a stream's lines; an event's data is one JSON object.

    Data that is not a JSON object belongs to no event this client knows, so it is passed
    over as an EventSource passes over an event it has no listener for.
    """
    name, data = "message", list[str]()
    for line in lines:
        if not line:
            if data:
                event = _event(name, "\n".join(data))
                if event is not None:
                    yield event
            name, data = "message", []
            continue
        if line.startswith(":"):  # a comment: the server's keep-alive
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value or "message"
        elif field == "data":
            data.append(value)


def _event(name: str, data: str) -> SseEvent | None:
    try:
        decoded = json.loads(data)
    except ValueError:
        return None
    return SseEvent(name, decoded) if isinstance(decoded, dict) else None
