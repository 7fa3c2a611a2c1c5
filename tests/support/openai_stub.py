"""A stand-in OpenAI-compatible server on loopback: records every request, answers as told.

Runs `http.server` in a thread, so it serves both async tests in this process and the real
service in a subprocess. Answers are queued (`stub.then(...)`), else chosen by `responder`.
A request with `"stream": true` gets its 200 answer as server-sent `chat.completion.chunk`
events (a few characters of content each, a usage chunk last if asked for, then `[DONE]`),
over a chunked body that an answer may cut off mid-stream like a dropped connection.
A 200 to `/v1/embeddings` carries a vector for each input (`stub_vector`, listed last input
first, each with its `index`), as floats or as base64, as `encoding_format` asks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: Any = None  # JSON; None with status 200 means a completion of `content`
    content: str = "{}"
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # never answer (until the stub stops)
    usage: dict[str, int] | None = field(
        default_factory=lambda: {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    )
    # When streamed: characters of content per chunk, the pause before each chunk, and the
    # number of content chunks after which the connection drops (None: the stream completes).
    chunk_chars: int = 8
    chunk_delay_s: float = 0.0
    cut_after: int | None = None


def content(data: Any, **usage: int) -> Answer:
    """A 200 whose message content is `data` (a string as is, anything else as JSON)."""
    text = data if isinstance(data, str) else json.dumps(data)
    if usage:
        return Answer(content=text, usage=usage)
    return Answer(content=text)


def failure(status: int, message: str = "stub failure", **headers: str) -> Answer:
    body = {"error": {"message": message, "type": "stub", "code": None}}
    return Answer(status=status, body=body, headers=headers)


HANG = Answer(hang=True)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # lower-cased names
    body: dict[str, Any]

    @property
    def user_prompt(self) -> str:
        return str(self.body["messages"][-1]["content"])


class OpenAIStub:
    def __init__(self, responder: Callable[[Received], Answer] | None = None) -> None:
        self.requests: list[Received] = []
        self._queued: deque[Answer] = deque()
        self._responder = responder or (lambda _: content({}))
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def then(self, *answers: Answer) -> OpenAIStub:
        """Answer the next requests with these, in order."""
        with self._lock:
            self._queued.extend(answers)
        return self

    def respond_with(self, responder: Callable[[Received], Answer]) -> None:
        with self._lock:
            self._responder = responder

    def start(self) -> OpenAIStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, received: Received) -> Answer:
        with self._lock:
            self.requests.append(received)
            if self._queued:
                return self._queued.popleft()
            responder = self._responder
        return responder(received)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                received = Received(self.path, headers, json.loads(raw or b"{}"))
                answer = stub._answer(received)
                if answer.hang:
                    stub._stopping.wait(60)
                    self.close_connection = True
                    return
                body = answer.body
                if body is None and answer.status == 200 and received.body.get("stream"):
                    self._stream(received, answer)
                    return
                if body is None and answer.status == 200 and self.path.endswith("/embeddings"):
                    body = _embeddings(received.body)
                if body is None:
                    body = _completion(str(received.body.get("model")), answer)
                data = json.dumps(body).encode()
                self.send_response(answer.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in answer.headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, received: Received, answer: Answer) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                for n, event in enumerate(_chunks(received.body, answer)):
                    if answer.cut_after is not None and n > answer.cut_after:
                        # No closing zero-length chunk: the client reads a broken body.
                        self.close_connection = True
                        return
                    pause = answer.chunk_delay_s if n > 0 else 0.0
                    if pause and stub._stopping.wait(pause):
                        return
                    data = f"data: {event}\n\n".encode()
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")

        return Handler


def _chunks(request: dict[str, Any], answer: Answer) -> list[str]:
    """The SSE data lines of a streamed completion, as OpenAI sends them: a role chunk, the
    content in pieces, a finish chunk, a usage chunk (when asked for), `[DONE]`."""
    model = str(request.get("model"))
    with_usage = bool((request.get("stream_options") or {}).get("include_usage"))

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        body: dict[str, Any] = {
            "id": "chatcmpl-stub",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }
        if with_usage:
            body["usage"] = None  # on every chunk but the last, as OpenAI does
        return json.dumps(body)

    text, size = answer.content, max(1, answer.chunk_chars)
    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": text[i : i + size]}) for i in range(0, len(text), size)]
    events.append(chunk({}, "stop"))
    if with_usage and answer.usage is not None:
        last = json.loads(chunk({}))
        last.update(choices=[], usage=answer.usage)
        events.append(json.dumps(last))
    events.append("[DONE]")
    return events


STUB_DIMENSIONS = 8


def stub_vector(text: str) -> list[float]:
    """The stub's embedding of `text`: 8 numbers from its sha256, not of unit length."""
    digest = hashlib.sha256(text.encode()).digest()
    return [(b - 127.5) / 16 for b in digest[:STUB_DIMENSIONS]]


def _embeddings(request: dict[str, Any]) -> dict[str, Any]:
    texts = request.get("input")
    texts = [texts] if isinstance(texts, str) else list(texts or [])
    as_base64 = request.get("encoding_format") == "base64"
    data = []
    for index, text in enumerate(texts):
        vector: Any = stub_vector(str(text))
        if as_base64:
            packed = struct.pack(f"<{len(vector)}f", *vector)
            vector = base64.b64encode(packed).decode()
        data.append({"object": "embedding", "index": index, "embedding": vector})
    words = sum(len(str(text).split()) for text in texts)
    return {
        "object": "list",
        "data": data[::-1],  # the index, not the position, says whose vector it is
        "model": str(request.get("model")),
        "usage": {"prompt_tokens": words, "total_tokens": words},
    }


def _completion(model: str, answer: Answer) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.content},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
    }
    if answer.usage is not None:
        body["usage"] = answer.usage
    return body


@contextmanager
def running_stub(responder: Callable[[Received], Answer] | None = None) -> Iterator[OpenAIStub]:
    stub = OpenAIStub(responder).start()
    try:
        yield stub
    finally:
        stub.stop()
