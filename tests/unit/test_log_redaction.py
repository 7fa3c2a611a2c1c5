"""Secrets in query strings are redacted from every log line, uvicorn's access lines included."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from uvicorn.logging import AccessFormatter

from synthetic_soul.logs import REDACTED, install_redaction, redact


@pytest.mark.parametrize(
    ("line", "hidden", "kept"),
    [
        ("GET /v1/jobs/j1/events?access_token=eyJ.a.b HTTP/1.1", "eyJ.a.b", "/v1/jobs/j1/events"),
        ("/x?limit=3&password=hunter2&after=9", "hunter2", "limit=3&"),
        ("/x?a=1&api_key=K1&refresh_token=R1", "K1", "a=1"),
        ("/x?Client_Secret=S1", "S1", "Client_Secret="),
        ("/x?access%5Ftoken=T1", "T1", "/x?"),
        ('"https://h/cb?code=C1&state=ok"', "C1", "state=ok"),
    ],
)
def test_secret_parameters_are_hidden_and_the_rest_kept(line: str, hidden: str, kept: str) -> None:
    out = redact(line)
    assert hidden not in out
    assert REDACTED in out
    assert kept in out


@pytest.mark.parametrize(
    "line",
    [
        "authorization: Bearer sk-soul-Zr4_q-9xYb0cQ1w2e3r4t5y6u7i8o9p0aSdFgHjKlZx",
        "GET /v1/jobs/j1/events?t=sk-soul-Zr4_q-9xYb0cQ1w2e3r4t5y6u7i8o9p0aSdFgHjKlZx HTTP/1.1",
    ],
)
def test_an_api_key_is_hidden_wherever_it_stands(line: str) -> None:
    out = redact(line)
    assert "Zr4_q" not in out and "ZxHTTP" not in out
    assert f"sk-soul-{REDACTED}" in out


def test_a_line_without_secrets_is_unchanged() -> None:
    line = '127.0.0.1:5 - "GET /v1/messages/conversation?limit=20&before=x HTTP/1.1" 200'
    assert redact(line) == line


@pytest.fixture
def redacting() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    install_redaction()
    install_redaction()  # twice is once
    yield
    logging.setLogRecordFactory(factory)


def _capture(name: str, formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_uvicorns_access_line_is_redacted_and_still_formats(redacting: None) -> None:
    logger, stream = _capture(
        "test.redaction.access", AccessFormatter("%(request_line)s %(status_code)s")
    )
    logger.info(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        "/v1/jobs/j1/events?access_token=SECRET1",
        "1.1",
        200,
    )
    out = stream.getvalue()
    assert "SECRET1" not in out
    assert "GET /v1/jobs/j1/events?access_token=[redacted] HTTP/1.1" in out
    assert "200" in out


def test_our_own_lines_and_their_tracebacks_are_redacted(redacting: None) -> None:
    logger, stream = _capture("test.redaction.ours", logging.Formatter("%(message)s"))
    logger.warning("calling %s", "http://llm/v1?key=SECRET2")
    logger.warning("split across parts /x?token=%s", "SECRET3")
    try:
        raise RuntimeError("failed for url http://llm/v1?api_key=SECRET4")
    except RuntimeError:
        logger.exception("the model call failed")
    out = stream.getvalue()
    for secret in ("SECRET2", "SECRET3", "SECRET4"):
        assert secret not in out
    assert out.count(REDACTED) >= 3  # the traceback shows the raising line too
