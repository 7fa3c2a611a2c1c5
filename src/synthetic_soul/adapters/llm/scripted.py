"""A deterministic stand-in for a model: reads the prompt, answers valid JSON, no weights.

It appraises the message with the offline lexicon, so kind words raise joy and insults
raise anger, as a sensible model would. Used for tests, CI and demos (`LLM_MODE=scripted`).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from typing import Any

from synthetic_soul.domain.lexicon import appraise_text
from synthetic_soul.mind.prompts import MESSAGE_CLOSE, MESSAGE_OPEN
from synthetic_soul.ports import LLMInfo, LLMRequest, M
from synthetic_soul.records import LLMCall

Script = Callable[[LLMRequest], dict[str, Any]]

_MESSAGE = re.compile(
    r"Message from (?P<user>.+?) \((?P<kind>dm|group)\):\n"
    + re.escape(MESSAGE_OPEN)
    + r"\n(?P<text>.*)\n"
    + re.escape(MESSAGE_CLOSE)
    + r"\s*\Z",
    re.DOTALL,
)
_NAME = re.compile(r"You are (\w+)")


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _reply_script(request: LLMRequest) -> dict[str, Any]:
    found = _MESSAGE.search(request.prompt)
    text = found.group("text") if found else request.prompt[-200:]
    kind = found.group("kind") if found else "dm"
    user = found.group("user") if found else "friend"
    name_match = _NAME.search(request.system)
    name = name_match.group(1).lower() if name_match else ""
    a = appraise_text(text)
    addressed = kind == "dm" or (bool(name) and name in text.lower())
    if a.desirability > 0:
        message, tone, expression = "That makes me really happy. Thank you!", "warm", "joy_happy"
    elif a.praiseworthiness < 0:
        message, tone, expression = (
            "That hurt. I'd rather we were kind to each other.",
            "hurt",
            "anger_frustration",
        )
    elif a.desirability < 0:
        message, tone, expression = "I'm sorry. I'm here with you.", "gentle", "supportive"
    elif "?" in text:
        message, tone, expression = "Good question. Let me think about it.", "curious", "thinking"
    else:
        snippet = " ".join(text.split()[:8])[:80]
        message, tone, expression = (
            f"I hear you: {snippet}. Tell me more?",
            "friendly",
            ("curious_interested"),
        )
    return {
        "appraisal": {
            "desirability": round(a.desirability),
            "praiseworthiness": round(a.praiseworthiness),
            "liking": round(a.liking),
            "unexpectedness": round(a.unexpectedness),
        },
        "perception": {"purpose": "sharing" if "?" not in text else "asking", "tone": tone},
        "addressed": addressed,
        "respond": addressed,
        "reply": {"message": message, "purpose": "respond", "tone": tone} if addressed else None,
        "expression": expression,
        "thought": f"I keep thinking about what {user} just said." if kind == "dm" else None,
    }


DEFAULT_SCRIPTS: dict[str, Script] = {"reply": _reply_script}


class ScriptedLLM:
    def __init__(self, delay_ms: int = 0, scripts: dict[str, Script] | None = None) -> None:
        self._delay_s = delay_ms / 1000.0
        self._scripts = {**DEFAULT_SCRIPTS, **(scripts or {})}

    @property
    def info(self) -> LLMInfo:
        return LLMInfo("scripted", "scripted", None, "scripted", "scripted", True)

    async def generate(self, request: LLMRequest, schema: type[M]) -> tuple[M, LLMCall]:
        started = time.perf_counter()
        if self._delay_s:
            await asyncio.sleep(self._delay_s)
        text = json.dumps(self._scripts[request.task](request))
        output = schema.model_validate_json(text)
        call = LLMCall(
            provider="scripted",
            model="scripted",
            task=request.task,
            prompt_tokens=_tokens(request.system) + _tokens(request.prompt),
            completion_tokens=_tokens(text),
            latency_ms=(time.perf_counter() - started) * 1000.0,
        )
        return output, call
