"""The HTTP/1.1 connection of `soul serve`: uvicorn's httptools protocol, with the request head
(request line and headers) bounded in size and in time.

Neither uvicorn nor httptools caps a head: a 32 MiB header was answered 200, and ten clients
trickling 16 MiB heads took the process from 67 to 255 MiB. Both limits act on the bytes as
they arrive, before the parser has a request to hand to the application, so the answer is
written here, in the API's error envelope, and the connection closed.
"""

from __future__ import annotations

import asyncio
import http
import logging
import uuid
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from synthetic_soul import API_VERSION
from synthetic_soul.api.errors import envelope

log = logging.getLogger(__name__)


class BoundedHead(HttpToolsProtocol):
    """Refuse a head over `max_head_bytes` (431) or still incomplete `head_timeout_s` after
    its first byte, or after the connection opened (408 if a byte came, else just closed)."""

    max_head_bytes: ClassVar[int] = 32 * 1024
    head_timeout_s: ClassVar[float] = 10.0
    # After a refusal, how long what the client still sends is read and dropped: closing on
    # unread bytes makes the kernel reset the connection, and the client may then lose the
    # answer before it reads it.
    linger_s: ClassVar[float] = 2.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = False  # the bytes arriving are (or begin) a request's head
        self._head_bytes = 0
        self._tail = b""  # the head's last bytes, where its end may have begun
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False
        self._heads = 0  # heads completed on this connection

    # -- the connection ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._in_head = True
        self._start_timer()  # a connection that never sends a byte has the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        counted, in_head, heads = 0, self._in_head, self._heads
        if in_head:
            if self._head_timer is None:  # the first byte of the next request
                self._start_timer()
            # Up to the blank line that ends the head: a body after it is not the head's.
            window = self._tail + data
            end = window.find(b"\r\n\r\n")
            counted = len(data) if end < 0 else max(0, end + 4 - len(self._tail))
            self._tail = window[-3:]
            if self._over(counted):
                return
        super().data_received(data)
        if in_head and heads == self._heads and not self.transport.is_closing():
            self._over(len(data) - counted)  # the parser found no end there after all

    # -- parser callbacks ----------------------------------------------------------------
    def on_headers_complete(self) -> None:
        self._in_head = False
        self._heads += 1
        self._head_bytes, self._tail = 0, b""
        self._stop_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True  # what comes next is the next request (its timer: at its byte)

    # -- the limits ----------------------------------------------------------------------
    def _over(self, more: int) -> bool:
        self._head_bytes += more
        if self._head_bytes <= self.max_head_bytes:
            return False
        log.warning(
            "refused a request head over %d bytes from %s", self.max_head_bytes, self.client
        )
        self._refuse(431, "headers_too_large", "The request line or headers are too large.")
        return True

    def _start_timer(self) -> None:
        self._stop_timer()
        self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_timed_out)

    def _stop_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        if self._head_bytes == 0:
            self.transport.close()  # nothing asked, nothing to answer
            return
        log.warning(
            "closed a request head slower than %gs from %s", self.head_timeout_s, self.client
        )
        self._refuse(408, "request_timeout", "The request headers took too long to arrive.")

    def _refuse(self, status: int, code: str, message: str) -> None:
        self._refused, self._in_head = True, False
        self._stop_timer()
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined request: an answer now would land inside the previous response.
            self.transport.close()
            return
        request_id = str(uuid.uuid4())
        response = envelope(status, code, message, request_id)
        head = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}".encode()]
        head += [name + b": " + value for name, value in response.raw_headers]
        head += [
            b"x-api-version: " + API_VERSION.encode(),
            b"x-request-id: " + request_id.encode(),
            b"connection: close",
        ]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + bytes(response.body))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(self.linger_s, self.transport.close)


def bounded_head(max_head_bytes: int, head_timeout_s: float) -> type[BoundedHead]:
    """The protocol class for uvicorn's `http` option, with these limits."""

    class Configured(BoundedHead):
        pass

    Configured.max_head_bytes = max_head_bytes
    Configured.head_timeout_s = head_timeout_s
    return Configured
