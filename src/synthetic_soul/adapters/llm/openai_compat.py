"""Models behind an OpenAI-compatible chat API: OpenAI itself, Ollama, any such server.

One adapter over the official SDK; the mode decides how the answer's shape is asked for:
- hosted (OpenAI): structured outputs, `json_schema` with the strict form of the schema;
- local (Ollama): JSON mode, the schema described in the prompt;
- compatible (e.g. llama.cpp's server): `{"type": "json_object", "schema": ...}`, the one
  form `llama_cpp.server` enforces (it answers `json_schema` with a 500), plus the prompt.

The retries here are the only ones (the SDK's are off): connection errors, timeouts, 429 and
5xx, with exponential backoff and jitter, honouring Retry-After. After them, `LLMError`.

A request with a `TextStream` is streamed (`stream=True`, usage asked for in a last chunk;
servers that ignore `stream_options` count 0 tokens): the content is gathered as before and the
streamed field is reported as it grows. The timeout still bounds each whole attempt, and an
attempt that breaks off mid-stream is retried like any other: the new attempt reports its text
from "" again, and the stream's owner sends a watcher only what it has not seen, or a reset
when the new attempt says something else (`mind.streaming`), so nothing is shown twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import logging
import random
import time
from typing import Any

import openai
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from openai.types.chat.completion_create_params import ResponseFormat

from synthetic_soul.adapters.llm.answers import parse_answer
from synthetic_soul.adapters.llm.json_schemas import (
    grammar_schema,
    guide_schema,
    instruction,
    strict_schema,
)
from synthetic_soul.adapters.llm.json_stream import StringAt
from synthetic_soul.ports import LLMError, LLMInfo, LLMRequest, M, TextStream
from synthetic_soul.records import LLMCall
from synthetic_soul.settings import Endpoint

log = logging.getLogger(__name__)

# A server asking for a longer pause than this is treated as down rather than waited on:
# a worker held that long serves no one.
MAX_RETRY_AFTER_S = 30.0
_BACKOFF_CAP_S = 8.0
# A ceiling on an answer's length for JSON-mode servers, whose grammar (if any) may not bound
# it: a small model can otherwise write until its context is full.
MAX_ANSWER_TOKENS = 1024
# Servers that need no key still get one: the SDK refuses to build a client without.
_NO_KEY = "none"


def _retry_after(response: Any) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, `retry-after`), if it did."""
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        with contextlib.suppress(ValueError):
            return max(0.0, float(millis) / 1000.0)
    value = headers.get("retry-after")
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    try:  # the other form: an HTTP date
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class OpenAICompatLLM:
    def __init__(
        self,
        endpoint: Endpoint,
        timeout_s: float = 60.0,
        max_retries: int = 2,
        backoff_s: float = 0.5,
    ) -> None:
        self._endpoint = endpoint
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._client: openai.AsyncOpenAI | None = None
        if endpoint.missing is not None:
            log.warning("LLM_MODE=%s: %s; replies will fall back", endpoint.mode, endpoint.missing)
        else:
            self._client = openai.AsyncOpenAI(
                api_key=endpoint.api_key or _NO_KEY,
                base_url=endpoint.base_url,
                timeout=timeout_s,
                max_retries=0,
            )
            if endpoint.mode != "hosted":
                # The SDK picks these up from OPENAI_ORG_ID / OPENAI_PROJECT_ID: they are
                # OpenAI's business, not another server's.
                self._client.organization = None
                self._client.project = None

    @property
    def info(self) -> LLMInfo:
        e = self._endpoint
        return LLMInfo(e.mode, e.provider, e.base_url, e.fast_model, e.quality_model, e.configured)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def generate(self, request: LLMRequest, schema: type[M]) -> tuple[M, LLMCall]:
        e = self._endpoint
        model = e.quality_model if request.tier == "quality" else e.fast_model
        started = time.perf_counter()
        content, usage = await self._complete(model, request, schema)
        latency_ms = (time.perf_counter() - started) * 1000.0
        # Invalid or schema-breaking JSON raises ValidationError: the caller's corrective
        # retry quotes it back to the model.
        output = parse_answer(content, schema)
        call = LLMCall(
            provider=e.provider,
            model=model,
            task=request.task,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            latency_ms=latency_ms,
        )
        return output, call

    async def prepare(self, request: LLMRequest, schema: type[M]) -> None:
        """Nothing to do: a server's prompt cache, if any, is its own business."""

    def _shape(
        self, request: LLMRequest, schema: type[M]
    ) -> tuple[str, ResponseFormat | openai.Omit, dict[str, Any] | None]:
        """The user message, the response_format and any extra body the mode asks for."""
        mode = self._endpoint.mode
        if mode == "hosted":
            strict: ResponseFormat = {
                "type": "json_schema",
                "json_schema": {
                    "name": schema.__name__[:64],
                    "schema": strict_schema(schema),
                    "strict": True,
                },
            }
            return request.prompt, strict, None
        if mode == "local":
            prompt = f"{request.prompt}\n\n{instruction(guide_schema(schema))}"
            return prompt, {"type": "json_object"}, None
        # llama.cpp's server turns the schema into a grammar, which ignores integer bounds.
        guide = grammar_schema(schema)
        prompt = f"{request.prompt}\n\n{instruction(guide)}"
        # The SDK's types know no `schema` beside json_object; send it as raw body.
        return prompt, openai.omit, {"response_format": {"type": "json_object", "schema": guide}}

    async def _complete(
        self, model: str, request: LLMRequest, schema: type[M]
    ) -> tuple[str, CompletionUsage | None]:
        """The answer's content and token counts, after the retries transport failures earn."""
        e = self._endpoint
        client = self._client
        if client is None:
            raise LLMError(f"{e.provider} is not configured: {e.missing}")
        text = request.stream
        prompt, response_format, extra_body = self._shape(request, schema)
        limit = openai.omit if e.mode == "hosted" else MAX_ANSWER_TOKENS
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": request.system},
            {"role": "user", "content": prompt},
        ]
        attempts = self._max_retries + 1
        reason = "no attempt made"
        for attempt in range(attempts):
            wait: float | None = None
            try:
                async with asyncio.timeout(self._timeout_s):
                    if text is not None:
                        return await self._stream(
                            client, model, messages, response_format, extra_body, limit, text
                        )
                    completion = await client.chat.completions.create(
                        model=model,
                        messages=messages,
                        response_format=response_format,
                        max_tokens=limit,
                        extra_body=extra_body,
                    )
                    return self._content(completion), completion.usage
            except (openai.APITimeoutError, TimeoutError):
                reason = f"no answer within {self._timeout_s:g} s"
            except openai.APIConnectionError:
                reason = "connection failed"
            except openai.APIStatusError as exc:
                status = exc.status_code
                if status != 429 and status < 500:
                    detail = self._detail(exc.body)
                    raise LLMError(f"{e.provider} {model}: HTTP {status}{detail}") from None
                reason = f"HTTP {status}"
                wait = _retry_after(exc.response)
                if wait is not None and wait > MAX_RETRY_AFTER_S:
                    raise LLMError(
                        f"{e.provider} {model}: HTTP {status}, asked to wait {wait:.0f} s"
                    ) from None
            except openai.OpenAIError as exc:
                # An answer the SDK could not read: asking again would read the same.
                detail = self._detail(str(exc))
                raise LLMError(f"{e.provider} {model}: {type(exc).__name__}{detail}") from None
            if attempt + 1 < attempts:
                delay = wait if wait is not None else self._backoff(attempt)
                log.warning(
                    "%s %s: %s (attempt %d/%d), retrying in %.2f s",
                    e.provider,
                    model,
                    reason,
                    attempt + 1,
                    attempts,
                    delay,
                )
                await asyncio.sleep(delay)
        raise LLMError(f"{e.provider} {model} at {e.base_url}: {reason} after {attempts} attempts")

    async def _stream(
        self,
        client: openai.AsyncOpenAI,
        model: str,
        messages: list[ChatCompletionMessageParam],
        response_format: ResponseFormat | openai.Omit,
        extra_body: dict[str, Any] | None,
        limit: int | openai.Omit,
        text: TextStream,
    ) -> tuple[str, CompletionUsage | None]:
        """One streamed attempt: the whole content, `text`'s field reported as it grows."""
        e = self._endpoint
        chunks = await client.chat.completions.create(
            model=model,
            messages=messages,
            response_format=response_format,
            max_tokens=limit,
            extra_body=extra_body,
            stream=True,
            stream_options={"include_usage": True},
        )
        parts: list[str] = []
        refusal: list[str] = []
        usage: CompletionUsage | None = None
        field = StringAt(text.path)
        async with chunks:
            try:
                async for chunk in chunks:
                    if chunk.usage is not None:
                        usage = chunk.usage  # the last chunk's, when the server sends one
                    if not chunk.choices:
                        continue
                    delta = chunk.choices[0].delta
                    if delta.refusal:
                        refusal.append(delta.refusal)
                    if delta.content:
                        parts.append(delta.content)
                        if field.feed(delta.content):
                            await text.sink(field.text)
            except json.JSONDecodeError:
                # Like an unreadable answer: the same server would garble it again.
                raise LLMError(f"{e.provider} {model}: a streamed chunk was not JSON") from None
        if refusal:
            raise LLMError(f"{e.provider}: the model refused: {''.join(refusal)[:200]}")
        if not parts:
            raise LLMError(f"{e.provider}: the answer was empty")
        return "".join(parts), usage

    def _backoff(self, attempt: int) -> float:
        """Exponential and capped, jittered between half and all of it."""
        ceiling = min(_BACKOFF_CAP_S, self._backoff_s * 2.0**attempt)
        return ceiling * random.uniform(0.5, 1.0)

    def _detail(self, body: object) -> str:
        """The server's own short explanation of a refusal, with our key blotted out."""
        error = body.get("error", body) if isinstance(body, dict) else body
        message = error.get("message") if isinstance(error, dict) else error
        if not isinstance(message, str) or not message:
            return ""
        key = self._endpoint.api_key
        if key:
            message = message.replace(key, "***")
        return f": {message[:200]}"

    def _content(self, completion: ChatCompletion) -> str:
        e = self._endpoint
        if not completion.choices:
            raise LLMError(f"{e.provider}: the answer had no choices")
        message = completion.choices[0].message
        if message.refusal:
            raise LLMError(f"{e.provider}: the model refused: {message.refusal[:200]}")
        if not message.content:
            raise LLMError(f"{e.provider}: the answer was empty")
        return message.content
