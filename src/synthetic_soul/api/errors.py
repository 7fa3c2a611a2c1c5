"""The one error envelope, and the one place where use-case errors become HTTP statuses."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from synthetic_soul.api.slashes import slash_redirect
from synthetic_soul.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    SoulError,
    TooLarge,
    Unauthorized,
    Unavailable,
)

log = logging.getLogger(__name__)

_STATUS: tuple[tuple[type[SoulError], int], ...] = (
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooLarge, 413),
    (RateLimited, 429),
    (Unavailable, 503),
)
# The few codes whose status their kind of error does not say (a card over a limit).
_STATUS_OF_CODE = {"card_too_large": 413}
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def request_id_of(scope_state: dict[str, Any] | None) -> str:
    return str((scope_state or {}).get("request_id", ""))


def envelope(
    status: int,
    code: str,
    message: str,
    request_id: str,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    error: dict[str, Any] = {"code": code, "message": message, "request_id": request_id}
    if details is not None:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def _rid(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


async def _soul_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SoulError)
    status = _STATUS_OF_CODE.get(exc.code) or next(
        (s for kind, s in _STATUS if isinstance(exc, kind)), 400
    )
    headers = None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(max(1, math.ceil(exc.retry_after)))}
    return envelope(status, exc.code, exc.message, _rid(request), headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Keep what explains the problem; never echo inputs (they may hold a password).
    details = [
        {"type": e.get("type"), "loc": list(e.get("loc", ())), "msg": e.get("msg")}
        for e in exc.errors()
    ]
    return envelope(422, "validation_error", "The request is not valid.", _rid(request), details)


# FastAPI answers a body it cannot decode (e.g. not UTF-8) with this 400; it is invalid JSON.
_BODY_PARSE_DETAIL = "There was an error parsing the body"


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _BODY_PARSE_DETAIL:
        details = [{"type": "json_invalid", "loc": ["body"], "msg": "Body is not valid JSON"}]
        return envelope(
            422, "validation_error", "The request is not valid.", _rid(request), details
        )
    if exc.status_code == 404 and (redirect := slash_redirect(request)) is not None:
        return redirect
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "The request failed."
    return envelope(exc.status_code, code, message, _rid(request), headers=exc.headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(SoulError, _soul_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
