"""One structured model call off the critical path: a retry quoting the errors, then nothing."""

from __future__ import annotations

import logging
from dataclasses import replace

from pydantic import ValidationError

from synthetic_soul.domain.quoting import quote
from synthetic_soul.ports import LLM, LLMError, LLMRequest, M
from synthetic_soul.records import LLMCall

log = logging.getLogger(__name__)

LLM_UNAVAILABLE = "llm_unavailable"
LLM_INVALID_OUTPUT = "llm_invalid_output"


async def ask(
    llm: LLM, request: LLMRequest, schema: type[M]
) -> tuple[M | None, tuple[LLMCall, ...]]:
    """The model's valid answer, or None after one corrective retry; every call recorded."""
    calls: list[LLMCall] = []
    for attempt in range(2):
        try:
            output, call = await llm.generate(request, schema)
            calls.append(call)
            return output, tuple(calls)
        except (LLMError, ValidationError) as exc:
            log.warning("%s model call %d failed: %s", request.task, attempt + 1, exc)
            info = llm.info
            model = info.quality_model if request.tier == "quality" else info.fast_model
            error = LLM_UNAVAILABLE if isinstance(exc, LLMError) else LLM_INVALID_OUTPUT
            calls.append(LLMCall(info.provider, model, request.task, 0, 0, 0.0, error))
            # The errors repeat parts of the answer, which may repeat a user's words.
            request = replace(
                request,
                prompt=f"{request.prompt}\nYour previous answer was invalid: {quote(str(exc))}\n"
                "Answer again with valid JSON.",
            )
    return None, tuple(calls)
