"""A deterministic stand-in for a model: answers valid JSON, no weights.

It answers from what the prompt was rendered from (`LLMRequest.about`), not from the
prompt's words: the facts it needs are typed there, so the prompts may be reworded freely.
It appraises the message with the offline lexicon, so kind words raise joy and insults
raise anger, as a sensible model would. Asked to stream, it "writes" its JSON in pieces of a
few characters, spreading `delay_ms` over them, and reports the streamed field through the
same extractor the real providers use. Used for tests, CI and demos (`LLM_MODE=scripted`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from synthetic_soul.adapters.llm.json_stream import StringAt
from synthetic_soul.cards.seeding import seed
from synthetic_soul.domain.lexicon import appraise_text
from synthetic_soul.domain.prompt_context import (
    ReflectContext,
    ReplyContext,
    SeedContext,
    ThinkContext,
)
from synthetic_soul.mind.prompts import one_line
from synthetic_soul.ports import LLMInfo, LLMRequest, M, TextStream
from synthetic_soul.records import LLMCall

Script = Callable[[LLMRequest], dict[str, Any]]
# How much of its JSON the scripted model "writes" at a time when streaming: a short reply
# arrives in a few pieces, as from a real model.
STREAM_CHUNK_CHARS = 16


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _reply_script(request: LLMRequest) -> dict[str, Any]:
    match request.about:
        case ReplyContext() as ctx if ctx.messages:
            text, kind, user, name = ctx.said, ctx.kind, ctx.username, ctx.agent.name.lower()
        case _:  # asked about no message: answers the prompt's end, as to a stranger
            text, kind, user, name = request.prompt[-200:], "dm", "friend", ""
    a = appraise_text(text)
    addressed = kind == "dm" or (bool(name) and name in text.lower())
    if a.desirability_for_user > 0 and a.praiseworthiness >= 0:
        message, tone, expression = (
            "That's wonderful news. I'm so happy for you!",
            "warm",
            "joy_happy",
        )
    elif a.desirability_for_user < 0 and a.praiseworthiness >= 0:
        message, tone, expression = "I'm so sorry. I'm here with you.", "gentle", "supportive"
    elif a.desirability > 0:
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
            "desirability_for_user": round(a.desirability_for_user),
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


_BRIGHT_VIBES = frozenset({"whimsical", "cozy", "curious", "adventurous", "romantic", "playful"})
_DARK_VIBES = frozenset({"sad", "eerie", "bittersweet", "awkward-embarrassing"})
_VIBE_EXPRESSIONS = {
    "whimsical": "playful_cheeky",
    "cozy": "relieved",
    "curious": "curious_interested",
    "adventurous": "excited_enthusiastic",
    "romantic": "blushing",
    "playful": "joking",
    "sad": "sad",
    "eerie": "fear_nervous",
    "bittersweet": "thinking",
    "awkward-embarrassing": "embarrased_shy",
}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reflect_script(request: LLMRequest) -> dict[str, Any]:
    """Summarise what the user said; keep a memory as important as the lexicon finds it."""
    match request.about:
        case ReflectContext() as ctx:
            user = ctx.username
            # What the user said, as the prompt shows it (cut to a line).
            said = [one_line(m.message) for m in ctx.messages if not m.from_agent]
            numbers = list(range(1, len(ctx.memories) + 1))  # as the prompt numbers them
        case _:
            user, said, numbers = "them", [], []
    snippets = [" ".join(text.split()[:8]) for text in said[-5:]]
    summary = f"{user} told me: " + "; ".join(snippets) if snippets else ""
    a = appraise_text(" ".join(said))
    magnitude = max(abs(a.desirability), abs(a.praiseworthiness), abs(a.liking))
    importance = min(10, max(1, round(magnitude)))
    warm, hostile = a.desirability > 0, a.praiseworthiness < 0
    impact = "warm" if warm else "hurt" if hostile else "heavy"
    memory = None
    if magnitude > 0 and snippets:
        memory = {
            "event": _clip(f"{user} told me: {snippets[-1]}", 300),
            "thoughts": f"It left me feeling {impact}.",
            "significance": "high" if importance >= 7 else "medium" if importance >= 4 else "low",
            "importance": importance,
            "tags": ["kindness" if warm else "conflict" if hostile else "sorrow", "conversation"],
            "emotional_impact": impact,
        }
    insights = []
    if numbers:
        insights.append(
            {
                "insight": f"{user} matters to me: our talks keep coming back to how we feel.",
                "sources": numbers[:10],
            }
        )
    return {
        "summary": _clip(summary, 600),
        "relationship": "friend" if warm else "enemy" if hostile else None,
        "identity": None,
        "memory": memory,
        "insights": insights,
        "thought": f"I wonder how {user} is doing."
        if not hostile
        else f"I hope {user} and I can be kinder to each other.",
    }


def _think_script(request: LLMRequest) -> dict[str, Any]:
    """A thought in the tick's vibe; a bright vibe reaches out to the first person listed."""
    match request.about:
        case ThinkContext() as ctx:
            vibe, contacts = ctx.vibe, [who for who, _ in ctx.contacts]
        case _:
            vibe, contacts = "mundane-observation", []
    bright, dark = vibe in _BRIGHT_VIBES, vibe in _DARK_VIBES
    outreach = None
    if bright and contacts:
        outreach = {
            "to": contacts[0],
            "message": f"Hi {contacts[0]}! I just had a {vibe} thought and it made me think "
            "of you. How are you?",
        }
    memory = None
    if vibe in ("philosophical", "nostalgic"):
        memory = {
            "event": f"I had a {vibe} moment on my own.",
            "thoughts": "Quiet moments tell me who I am.",
            "significance": "low",
            "importance": 3,
            "tags": [vibe],
            "emotional_impact": "calm",
        }
    return {
        "thought": f"A {vibe} thought drifts by: what if today is a small adventure?"
        if bright
        else f"A {vibe} thought lingers: some days feel heavier than others."
        if dark
        else f"A {vibe} thought: the world is full of small, quiet things.",
        "expression": _VIBE_EXPRESSIONS.get(vibe, "thinking"),
        "appraisal": {
            "desirability": 4 if bright else -3 if dark else 0,
            "praiseworthiness": 0,
            "liking": 2 if bright else 0,
            "unexpectedness": 2 if bright or dark else 1,
        },
        "memory": memory,
        "outreach": outreach,
    }


# How much further than the words' seeding the scripted model reads a rich card: it takes
# the card at its word, as a model would, where the fallback stays near the middle.
SEED_STRETCH = 1.5


def _seed_script(request: LLMRequest) -> dict[str, Any]:
    """The personality the card's trait words point to: the nearest MBTI type itself (lite),
    or every trait moved half again as far from the middle as the words move it, rated to
    ten (rich)."""
    match request.about:
        case SeedContext() as ctx:
            mode, description, personality = ctx.mode, ctx.description, ctx.personality
        case _:
            mode, description, personality = "rich", request.prompt[-2000:], ""
    words = seed(mode, description, personality)
    if mode == "lite":
        return {"mbti": words.preset}
    traits = words.personality.traits
    return {t: round((50.0 + SEED_STRETCH * (v - 50.0)) / 10.0) for t, v in traits.items()}


DEFAULT_SCRIPTS: dict[str, Script] = {
    "reply": _reply_script,
    "reflect": _reflect_script,
    "think": _think_script,
    "seed": _seed_script,
}


class ScriptedLLM:
    def __init__(
        self,
        delay_ms: int = 0,
        scripts: dict[str, Script] | None = None,
        prompt_log: Path | None = None,
    ) -> None:
        self._delay_s = delay_ms / 1000.0
        self._scripts = {**DEFAULT_SCRIPTS, **(scripts or {})}
        # Every request appended as a JSON line: lets tests see exactly what a model is shown.
        self._prompt_log = prompt_log
        # What it was asked to read ahead, oldest first: lets tests check that the next
        # call's prompt starts with what was prepared for it.
        self.prepared: list[LLMRequest] = []

    async def close(self) -> None:
        """Nothing to let go of."""

    @property
    def info(self) -> LLMInfo:
        return LLMInfo("scripted", "scripted", None, "scripted", "scripted", True)

    async def generate(self, request: LLMRequest, schema: type[M]) -> tuple[M, LLMCall]:
        started = time.perf_counter()
        if self._prompt_log is not None:
            entry = {"task": request.task, "system": request.system, "prompt": request.prompt}
            with self._prompt_log.open("a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")
        text = json.dumps(self._scripts[request.task](request))
        if request.stream is not None:
            await self._write(text, request.stream)
        elif self._delay_s:
            await asyncio.sleep(self._delay_s)
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

    async def prepare(self, request: LLMRequest, schema: type[M]) -> None:
        """Nothing to read ahead: only remembered (without its stream) for tests."""
        self.prepared.append(replace(request, stream=None))

    async def _write(self, text: str, stream: TextStream) -> None:
        """Stream `text` in pieces, the delay spread over them as a model's would be."""
        pieces = [text[i : i + STREAM_CHUNK_CHARS] for i in range(0, len(text), STREAM_CHUNK_CHARS)]
        pause = self._delay_s / len(pieces) if pieces else 0.0
        field = StringAt(stream.path)
        for piece in pieces:
            if pause:
                await asyncio.sleep(pause)
            if field.feed(piece):
                await stream.sink(field.text)
