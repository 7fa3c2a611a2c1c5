"""OpenAI-compatible chat: /v1/models and /v1/chat/completions.

What chat front-ends and the `openai` SDKs call, framed as they expect it, errors included:
on these routes a failure is OpenAI's error object, not the service's envelope (the route
class below turns each one), so their clients show its message and raise their own kinds.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from contextlib import aclosing
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from synthetic_soul.api.deps import ClientIP, SignedIn, Soul
from synthetic_soul.api.openai_shapes import (
    AssistantMessage,
    ChatCompletion,
    ChatMessage,
    ChatRequest,
    Choice,
    ModelCard,
    ModelList,
    OpenAIError,
    SoulState,
    Usage,
    chunk,
)
from synthetic_soul.api.sse import KEEPALIVE
from synthetic_soul.errors import (
    NotFound,
    RateLimited,
    SoulError,
    Unauthorized,
    Unavailable,
)
from synthetic_soul.usecases.chatting import Answer, Said, Words

# As POST /v1/messages/submit: what one message may hold.
MAX_MESSAGE_CHARS = 4000
OWNED_BY = "synthetic-soul"
# The `openai` SDKs retry 5xx answers unless told not to: once the message is kept, a retry
# would say it again.
NO_RETRY = {"x-should-retry": "false"}


class BadRequest(SoulError):
    """A request OpenAI's clients would call malformed: 400 `invalid_request_error`."""

    def __init__(self, message: str, param: str | None, code: str = "invalid_value") -> None:
        super().__init__(message, code)
        self.param = param


def openai_error(
    status: int,
    message: str,
    kind: str,
    code: str | None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(message, kind, code, param), status_code=status, headers=headers)


def error_body(message: str, kind: str, code: str | None, param: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def from_soul_error(exc: SoulError) -> JSONResponse:
    """A use case's refusal in OpenAI's shape, with the status the envelope would have."""
    match exc:
        case BadRequest():
            return openai_error(400, exc.message, "invalid_request_error", exc.code, exc.param)
        case Unauthorized():
            return openai_error(401, exc.message, "authentication_error", exc.code)
        case NotFound():
            param = "model" if exc.code == "model_not_found" else None
            return openai_error(404, exc.message, "invalid_request_error", exc.code, param)
        case RateLimited():
            retry = {"Retry-After": str(max(1, math.ceil(exc.retry_after)))}
            return openai_error(429, exc.message, "rate_limit_error", exc.code, headers=retry)
        case Unavailable():
            return openai_error(503, exc.message, "service_unavailable_error", exc.code)
        case _:
            return openai_error(500, exc.message, "server_error", exc.code, headers=NO_RETRY)


def _param(loc: tuple[Any, ...]) -> str | None:
    """Pydantic's location of a problem as OpenAI names a parameter (`messages.0.role`)."""
    inside = [str(part) for part in loc[1:]] if loc and loc[0] == "body" else []
    return ".".join(inside) or None


class OpenAIRoute(APIRoute):
    """A route whose failures are OpenAI's error object: invalid input is 400
    `invalid_request_error`, and every refusal keeps the status it has elsewhere."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                message = str(first.get("msg", "The request is not valid."))
                param = _param(tuple(first.get("loc", ())))
                return openai_error(400, message, "invalid_request_error", "invalid_value", param)
            except StarletteHTTPException as exc:  # a body that cannot be read as JSON
                message = exc.detail if isinstance(exc.detail, str) else "The request failed."
                return openai_error(exc.status_code, message, "invalid_request_error", None)
            except SoulError as exc:
                return from_soul_error(exc)

        return route


router = APIRouter(tags=["openai"], route_class=OpenAIRoute)
FAILS: dict[int | str, dict[str, Any]] = {
    status: {"model": OpenAIError, "description": description}
    for status, description in (
        (400, "malformed: `invalid_request_error`"),
        (401, "no key or token, or a bad one: `authentication_error`"),
        (404, "no such agent: `model_not_found`"),
        (429, "over a rate limit or the pending cap: `rate_limit_error`, with `Retry-After`"),
        (500, "the reply failed (`job_failed`), sent with `x-should-retry: false`"),
        (503, "the store or the queue cannot be reached"),
    )
}
# These routes document OpenAI's errors, not the envelope (see api/openapi.py).
OPENAI_ERRORS = {"x-error-shape": "openai"}


@router.get("/models", responses=FAILS, openapi_extra=OPENAI_ERRORS)
async def models(soul: Soul, who: SignedIn) -> ModelList:
    """The agents the caller may talk to, as OpenAI's model objects (`id`: the name)."""
    return ModelList(data=[_card(m.name, m.created) for m in await soul.chat.models(who)])


@router.get("/models/{model}", responses=FAILS, openapi_extra=OPENAI_ERRORS)
async def model(model: str, soul: Soul, who: SignedIn) -> ModelCard:
    for found in await soul.chat.models(who):
        if found.name.casefold() == model.casefold():
            return _card(found.name, found.created)
    raise NotFound(f"The model '{model}' does not exist.", "model_not_found")


def _card(name: str, created: float) -> ModelCard:
    return ModelCard(id=name, created=int(created), owned_by=OWNED_BY)


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        **FAILS,
        200: {
            "description": "`chat.completion`, or with `stream: true` its chunks as "
            "server-sent events (`data: {chat.completion.chunk}`), ending `data: [DONE]`.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
    },
    openapi_extra=OPENAI_ERRORS,
)
async def completions(body: ChatRequest, soul: Soul, who: SignedIn, ip: ClientIP) -> Response:
    """Say the newest `user` message to the agent named `model`; its reply, whole or streamed.

    The soul keeps the conversation itself: earlier messages are not stored again, and a
    `system` or `developer` message is not obeyed (it is ignored). Sampling parameters are
    accepted and ignored.
    """
    text = said_now(body.messages)
    if body.n not in (None, 1):
        raise BadRequest("Only one choice is answered: `n` must be 1.", "n", "unsupported_value")
    agent = await soul.chat.agent_named(body.model, who)
    name = agent.name
    asked = await soul.chat.say(who, agent, text, ip)
    replies, completion_id, created = asked.replies, f"chatcmpl-{asked.job_id}", int(asked.at)
    if body.stream:
        usage = body.stream_options is not None and body.stream_options.include_usage
        return StreamingResponse(
            streamed(replies, completion_id, created, name, usage),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    answer = await awaited(replies)
    reply = ChatCompletion(
        id=completion_id,
        created=created,
        model=name,
        choices=[Choice(message=AssistantMessage(content=answer.text))],
        usage=_usage(answer),
        soul=_soul(answer),
    )
    return JSONResponse(reply.model_dump(mode="json"))


def said_now(messages: list[ChatMessage]) -> str:
    """The newest `user` message's words: what the user says now."""
    newest = next((m for m in reversed(messages) if m.role == "user"), None)
    if newest is None:
        raise BadRequest("There is no `user` message to answer.", "messages")
    text = newest.text()
    if not text.strip():
        raise BadRequest("The newest `user` message has no text.", "messages")
    if len(text) > MAX_MESSAGE_CHARS:
        raise BadRequest(
            f"A message may hold at most {MAX_MESSAGE_CHARS} characters.",
            "messages",
            "string_above_max_length",
        )
    return text


async def awaited(replies: AsyncGenerator[Said, None]) -> Answer:
    async with aclosing(replies):
        async for said in replies:
            if isinstance(said, Answer):
                return said
    raise SoulError("The reply ended without an answer.", "job_failed")


async def streamed(
    replies: AsyncGenerator[Said, None],
    completion_id: str,
    created: int,
    model: str,
    include_usage: bool,
) -> AsyncIterator[bytes]:
    """The reply as chunks: the role first, its words as they come, `stop` with the soul's
    state, the usage if asked, then `[DONE]`. A failure after the start is an error object
    in the stream, as OpenAI sends it, and no `[DONE]`."""
    extra: dict[str, Any] = {"usage": None} if include_usage else {}

    def data(delta: dict[str, Any] | None, finish: str | None = None, **more: Any) -> bytes:
        payload = chunk(completion_id, created, model, delta, finish, **{**extra, **more})
        return f"data: {json.dumps(payload, separators=(',', ':'))}\n\n".encode()

    yield data({"role": "assistant", "content": ""})
    try:
        async with aclosing(replies):
            async for said in replies:
                if said is None:
                    yield KEEPALIVE
                elif isinstance(said, Words):
                    yield data({"content": said.text})
                else:
                    soul = _soul(said).model_dump(mode="json")
                    yield data({}, "stop", soul=soul)
                    if include_usage:
                        yield data(None, usage=_usage(said).model_dump(mode="json"))
                    yield b"data: [DONE]\n\n"
                    return
    except SoulError as exc:
        body = error_body(exc.message, "server_error", exc.code, None)
        yield f"data: {json.dumps(body, separators=(',', ':'))}\n\n".encode()


def _usage(answer: Answer) -> Usage:
    u = answer.usage
    return Usage(
        prompt_tokens=u.prompt_tokens,
        completion_tokens=u.completion_tokens,
        total_tokens=u.total_tokens,
    )


def _soul(answer: Answer) -> SoulState:
    f = answer.feeling
    return SoulState(
        job_id=answer.job_id,
        expression=f.expression,
        mood=f.mood,
        mood_label=f.mood_label,
        emotions={name: round(value) for name, value in f.emotions},
        fallback=answer.fallback,
        usage_estimated=answer.usage.estimated,
        rewritten=answer.rewritten,
    )
