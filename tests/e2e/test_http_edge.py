"""The HTTP edge of `soul serve` over real sockets: what reaches its log, how large and how slow
a request head may be, and the answers made outside any route (CORS refusals, redirects)."""

from __future__ import annotations

import contextlib
import json
import socket
import time
import uuid

import httpx

from tests.e2e.helpers import assert_api_headers, assert_error, guest, submit
from tests.support.server import Server

HEADER_TIMEOUT_S = 1.5
# The access log is at info; the suite's servers log only warnings.
SERVER_ENV = {"LOG_LEVEL": "info", "HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT_S)}
MAX_HEADER_BYTES = 32 * 1024  # the default


# -- raw HTTP ------------------------------------------------------------------------------
def _connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _read_response(sock: socket.socket, deadline_s: float = 10.0) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(deadline_s)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def _send_all_or_refused(sock: socket.socket, data: bytes) -> None:
    """Send `data`; the server may answer and close before it has read all of it."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(data)


def _assert_envelope(raw: bytes, status: int, code: str) -> None:
    got, headers, body = _parse(raw)
    assert got == status, raw[:300]
    assert headers["content-type"].startswith("application/json")
    assert headers["x-api-version"] == "1.1.0"
    error = json.loads(body)["error"]
    assert error["code"] == code
    assert error["request_id"] == headers["x-request-id"]
    assert error["message"]


# -- defect 7: secrets in the log ----------------------------------------------------------
def test_a_token_in_the_query_string_never_reaches_the_log(
    api: httpx.Client, server: Server
) -> None:
    login = guest(api)
    job_id = submit(api, login.token, "hello there")
    # EventSource's way: the token in the URL, as the contract allows for SSE.
    with api.stream(
        "GET", f"/v1/jobs/{job_id}/events", params={"access_token": login.token}
    ) as events:
        assert events.status_code == 200
        for _ in events.iter_lines():
            break
    password = f"pw-{uuid.uuid4().hex}"
    marker = f"m{uuid.uuid4().hex[:10]}"
    r = api.get(
        "/v1/meta/ping",
        params={"marker": marker, "password": password, "api_key": password, "limit": "3"},
    )
    assert r.status_code == 200
    time.sleep(0.5)  # the access line is written as the response ends
    log = server.log()
    assert f"marker={marker}" in log, "the access log is on: the request is in it"
    assert "limit=3" in log, "what is not a secret stays readable"
    assert login.token not in log
    assert password not in log
    assert "access_token=[redacted]" in log


# -- defect 8: the request head, bounded ---------------------------------------------------
def test_a_huge_header_is_refused_with_431(server: Server) -> None:
    with _connect(server) as sock:
        head = b"GET /v1/meta/ping HTTP/1.1\r\nHost: soul\r\nX-Big: "
        _send_all_or_refused(sock, head + b"a" * (4 * 1024 * 1024) + b"\r\n\r\n")
        _assert_envelope(_read_response(sock), 431, "headers_too_large")


def test_a_huge_request_line_is_refused_with_431(server: Server) -> None:
    with _connect(server) as sock:
        line = b"GET /v1/meta/ping?q=" + b"a" * (MAX_HEADER_BYTES * 2) + b" HTTP/1.1\r\n"
        _send_all_or_refused(sock, line + b"Host: soul\r\n\r\n")
        _assert_envelope(_read_response(sock), 431, "headers_too_large")


def test_many_headers_that_add_up_are_refused(server: Server) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /v1/meta/ping HTTP/1.1\r\nHost: soul\r\n")
        for i in range(200):  # each small, sent apart, 50 KiB in all
            _send_all_or_refused(sock, f"X-H{i}: {'b' * 250}\r\n".encode())
        _send_all_or_refused(sock, b"\r\n")
        _assert_envelope(_read_response(sock), 431, "headers_too_large")


def test_a_head_just_under_the_limit_is_served(api: httpx.Client) -> None:
    r = api.get("/v1/meta/ping", headers={"Cookie": "c=" + "x" * (MAX_HEADER_BYTES - 2048)})
    assert r.status_code == 200, r.text


def test_a_body_is_not_counted_as_head(api: httpx.Client) -> None:
    # Near the body limit (64 KiB) and over the head limit: still the route's answer.
    r = api.post("/v1/auth/login", content=b"{" + b" " * 60_000 + b"}")
    assert_error(r, 422, "validation_error")


def test_a_slow_header_read_is_closed_after_the_timeout(server: Server) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /v1/meta/ping HTTP/1.1\r\nHost: soul\r\n")
        started = time.monotonic()
        sock.settimeout(0.2)
        answer = b""
        while time.monotonic() - started < HEADER_TIMEOUT_S + 5:
            _send_all_or_refused(sock, b"X-Slow: a\r\n")  # one header line at a time, never done
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            answer += chunk
        else:
            raise AssertionError("a head that never ends kept its connection")
        waited = time.monotonic() - started
    assert waited >= HEADER_TIMEOUT_S - 0.2
    _assert_envelope(answer, 408, "request_timeout")


def test_a_connection_that_sends_nothing_is_closed(server: Server) -> None:
    with _connect(server) as sock:
        started = time.monotonic()
        assert _read_response(sock, deadline_s=HEADER_TIMEOUT_S + 5) == b""
        assert time.monotonic() - started >= HEADER_TIMEOUT_S - 0.2


def test_a_kept_alive_connection_serves_requests_past_the_header_timeout(
    server: Server,
) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as c:
        for _ in range(3):
            assert c.get("/v1/meta/ping").status_code == 200
            time.sleep(HEADER_TIMEOUT_S / 2)


# -- defect 13: answers made outside the routes --------------------------------------------
def test_a_refused_preflight_is_in_the_envelope(api: httpx.Client) -> None:
    r = api.options(
        "/v1/messages/submit",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    error = assert_error(r, 400, "cors_refused")
    assert "origin" in error["message"]
    assert r.headers.get("access-control-allow-origin") is None


def test_the_trailing_slash_redirect_is_relative(api: httpx.Client) -> None:
    r = api.get("/v1", headers={"Host": "evil.example"})
    assert r.status_code == 307
    assert_api_headers(r)
    assert r.headers["location"] == "/v1/"
    r = api.get("/v1/meta/ping/", params={"a": "1"}, headers={"Host": "evil.example:8443"})
    assert r.status_code == 307
    assert r.headers["location"] == "/v1/meta/ping?a=1"
    assert api.get(r.headers["location"]).json() == {"status": "ok"}


def test_a_path_with_no_route_either_way_is_a_404_envelope(api: httpx.Client) -> None:
    assert_error(api.get("/v1/no/such/route/"), 404, "not_found")
    assert_error(api.get("/ui/no-such-file.js"), 404)
