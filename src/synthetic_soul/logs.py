"""Log lines without secrets: a query-string value whose name says secret, or a personal API
key anywhere in a line, never reaches a log.

EventSource cannot send headers, so SSE clients put their access token in the URL
(`?access_token=`), and uvicorn's access log writes every URL it serves. The redaction works
on each record as it is made (a record factory), so it holds for every logger and handler,
uvicorn's, the libraries' and ours, including ones configured after it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

REDACTED = "[redacted]"
# Parts of a parameter name that mark its value as a secret; `pass` covers password and
# passphrase, `auth` authorization, `sig` signature, `sid` the session id.
_SECRET_NAME = re.compile(
    r"token|secret|pass|pwd|key|auth|sig|session|sid|csrf|cred|jwt|refresh|code", re.IGNORECASE
)
# A parameter after `?`, `&` or `;` up to the end of its value: the next separator, space,
# quote or fragment (log lines quote URLs and follow them with a space).
_PARAM = re.compile(r"(?P<lead>[?&;])(?P<name>[^=&;#?\s\"'<>]+)=(?P<value>[^&;#\s\"'<>]*)")
# A personal API key wherever it stands in a line, named or not: its prefix says what it is
# (auth/tokens.py API_KEY_PREFIX), and it is a secret that lasts until revoked.
_API_KEY_PREFIX = "sk-soul-"
_API_KEY = re.compile(re.escape(_API_KEY_PREFIX) + r"[A-Za-z0-9_\-]+")


def redact(text: str) -> str:
    """`text` with the value of every secret-named query parameter, and every API key,
    replaced."""
    if _API_KEY_PREFIX in text:
        text = _API_KEY.sub(_API_KEY_PREFIX + REDACTED, text)
    if "=" not in text:
        return text

    def _hide(match: re.Match[str]) -> str:
        name = match["name"]
        if not match["value"] or not _SECRET_NAME.search(unquote(name)):
            return match[0]
        return f"{match['lead']}{name}={REDACTED}"

    return _PARAM.sub(_hide, text)


def _redact_value(value: object) -> object:
    return redact(value) if isinstance(value, str) else value


def redact_record(record: logging.LogRecord) -> None:
    """Redact a record in place, keeping its arguments' shape (uvicorn's access formatter
    unpacks them), then its whole message if a secret still shows across the parts."""
    if record.exc_info and not record.exc_text:  # formatters reuse exc_text as it is
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    args = record.args
    if isinstance(args, tuple):
        record.args = tuple(_redact_value(a) for a in args)
    elif isinstance(args, Mapping):
        record.args = {k: _redact_value(v) for k, v in args.items()}
    if isinstance(record.msg, str) and not record.args:
        record.msg = redact(record.msg)
        return
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a malformed record: logging reports it when it formats
        return
    hidden = redact(message)
    if hidden != message:
        record.msg, record.args = hidden, ()


def install_redaction() -> None:
    """Redact every log record made from now on in this process (once, however often called)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts", False):
        return

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redact_record(record)
        return record

    make.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)
