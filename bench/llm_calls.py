"""Model calls and prompt size per message, over a fixed 20-turn scripted conversation.

Runs the whole service in-process (SQLite store, in-process workers, the scripted model
wrapped by a counter) and reports, per message: the calls made before the reply was ready
(the critical path; target 1), all calls the message caused, reflection included (target
<= 2), and the characters of prompt sent. For comparison, the reference design made 3
serial calls before replying and 6 per message in all.

`--model strict` puts a hosted model in place of the scripted one: the OpenAI provider over
HTTP to a stub on loopback that answers as a strict-schema provider may. Its answers keep to
what the strict schema can say but not to bounds it cannot carry (`maxLength`): every memory
comes with a 26-character tag and a fourth tag, every third reply perceives a tone longer
than 40 characters, and every fourth appraises one past the range. Told its answer was invalid, it
answers within bounds, as a model does. An answer refused for such things costs a corrective
call; one mended costs none.

    .venv/bin/python bench/llm_calls.py [--model scripted|strict]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthetic_soul.adapters.llm.openai_compat import OpenAICompatLLM
from synthetic_soul.adapters.llm.scripted import DEFAULT_SCRIPTS, ScriptedLLM
from synthetic_soul.bootstrap import Container, running
from synthetic_soul.ports import LLM, LLMInfo, LLMRequest, M
from synthetic_soul.records import LLMCall
from synthetic_soul.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.openai_stub import Answer, Received, content, running_stub

CONVERSATION = (
    "Hi Jasmine! I'm new here.",
    "What do you like to do when nobody is talking to you?",
    "I had a rough day at work today, my boss yelled at me.",
    "Thanks for listening, that means a lot.",
    "Do you ever get lonely?",
    "I think you're wonderful, honestly.",
    "My cat knocked my coffee over this morning, ha!",
    "What's your favourite kind of weather?",
    "I'm a bit worried about an exam next week.",
    "You're kind of boring sometimes, you know?",
    "Sorry, that was rude of me.",
    "Tell me something you thought about recently.",
    "I finally fixed my bike, so proud of it!",
    "Do you remember what I told you about my cat?",
    "I'm going to visit my sister this weekend.",
    "Have you ever wondered what dreams are?",
    "I love our chats, they're the best part of my day.",
    "Ugh, it's raining again and I'm tired.",
    "What would you do if you could go anywhere?",
    "Goodnight Jasmine, talk tomorrow!",
)


@dataclass
class Counted:
    task: str
    prompt_chars: int
    started: float
    finished: float


@dataclass
class CountingLLM:
    """Passes every call to the model and writes down what was asked, and when."""

    inner: LLM = field(default_factory=ScriptedLLM)
    calls: list[Counted] = field(default_factory=list)

    @property
    def info(self) -> LLMInfo:
        return self.inner.info

    async def close(self) -> None:
        await self.inner.close()

    async def generate(self, request: LLMRequest, schema: type[M]) -> tuple[M, LLMCall]:
        started = time.time()
        try:
            return await self.inner.generate(request, schema)
        finally:  # a call answered outside the schema was still made
            chars = len(request.system) + len(request.prompt)
            self.calls.append(Counted(request.task, chars, started, time.time()))

    async def prepare(self, request: LLMRequest, schema: type[M]) -> None:
        await self.inner.prepare(request, schema)  # reading ahead is no call: not counted


_TASKS = {
    "ReplyOutput": "reply",
    "DirectReplyOutput": "reply",
    "ReflectOutput": "reflect",
    "ThinkOutput": "think",
}
_CORRECTED = "Your previous answer was invalid"


@dataclass
class StrictProvider:
    """Answers like a hosted model held only to a strict schema (see the module's words)."""

    replies: int = 0

    def __call__(self, received: Received) -> Answer:
        schema = received.body["response_format"]["json_schema"]["name"]
        task = _TASKS[schema]
        system, prompt = (str(m["content"]) for m in received.body["messages"])
        data = DEFAULT_SCRIPTS[task](LLMRequest(task, system, prompt))
        if _CORRECTED not in prompt:
            self._loosen(task, data)
        return content(data)

    def _loosen(self, task: str, data: dict[str, Any]) -> None:
        if task == "reply":
            self.replies += 1
            if self.replies % 3 == 0:
                data["perception"]["tone"] += ", and a little wistful underneath"
            if self.replies % 4 == 0:
                appraisal = data["appraisal"]
                appraisal["liking"] = 11 if appraisal["liking"] >= 0 else -11
        memory = data.get("memory")
        if memory:
            memory["tags"] = ["conversation-about-feeling", *memory["tags"], "everyday"]
            memory["importance"] = 11


@contextmanager
def _model(kind: str, data_dir: Path) -> Iterator[tuple[Settings, LLM]]:
    """Settings and the model to count, for `--model`."""
    base: dict[str, Any] = {
        "APP_ENV": "test",
        "DATA_DIR": data_dir,
        "THINKING_ENABLED": False,
        "LOG_LEVEL": "warning",
    }
    if kind == "scripted":
        yield Settings(**base), ScriptedLLM()
        return
    with running_stub(StrictProvider()) as stub:
        settings = Settings(
            **base, LLM_MODE="hosted", OPENAI_API_KEY="sk-bench", OPENAI_BASE_URL=stub.url
        )
        yield (
            settings,
            OpenAICompatLLM(settings.endpoint, settings.llm_timeout, settings.llm_max_retries),
        )


async def _settled(soul: Container) -> None:
    """Wait until no job is queued or running (reflection included)."""
    while True:
        stats = await soul.queue.stats()
        if not sum(stats.backlog.values()) and all(w.state == "idle" for w in stats.workers):
            return
        await asyncio.sleep(0.01)


async def measure(data_dir: Path, kind: str = "scripted") -> dict[str, object]:
    with _model(kind, data_dir) as (settings, model):
        counting = CountingLLM(model)
        try:
            return await _measure(settings, counting)
        finally:
            await model.close()


async def _measure(settings: Settings, counting: CountingLLM) -> dict[str, object]:
    per_message = []
    async with running(settings, llm=counting) as soul:
        grant = await soul.auth.guest()
        who = await soul.auth.authenticate(grant.access_token)
        for text in CONVERSATION:
            first = len(counting.calls)
            job = await soul.conversations.submit(who, text, "dm")
            while not (done := await soul.store.get_job(job.id)) or not done.finished:  # noqa: ASYNC110
                await asyncio.sleep(0.002)
            answered_at = done.updated_at  # when the job was finished, by the store's clock
            await _settled(soul)
            calls = counting.calls[first:]
            critical = [c for c in calls if c.finished <= answered_at]
            per_message.append(
                {
                    "critical_path_calls": len(critical),
                    "total_calls": len(calls),
                    "tasks": [c.task for c in calls],
                    "prompt_chars": sum(c.prompt_chars for c in calls),
                    "reply_prompt_chars": sum(c.prompt_chars for c in critical),
                }
            )
    critical_counts = [int(str(m["critical_path_calls"])) for m in per_message]
    totals = [int(str(m["total_calls"])) for m in per_message]
    reply_chars = [int(str(m["reply_prompt_chars"])) for m in per_message]
    all_chars = [int(str(m["prompt_chars"])) for m in per_message]
    return {
        "model": counting.info.provider,
        "messages": len(per_message),
        "critical_path_calls_max": max(critical_counts),
        "critical_path_calls_mean": statistics.fmean(critical_counts),
        "total_calls_max": max(totals),
        "total_calls_mean": statistics.fmean(totals),
        "reply_prompt_chars_mean": round(statistics.fmean(reply_chars)),
        "reply_prompt_chars_max": max(reply_chars),
        "prompt_chars_per_message_mean": round(statistics.fmean(all_chars)),
        "per_message": per_message,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", choices=("scripted", "strict"), default="scripted")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        summary = asyncio.run(measure(Path(tmp), args.model))
    print(f"model: {summary['model']}; messages: {summary['messages']}")
    print(
        f"calls on the critical path: max {summary['critical_path_calls_max']},"
        f" mean {summary['critical_path_calls_mean']:.2f} (target 1)"
    )
    print(
        f"calls per message in all: max {summary['total_calls_max']},"
        f" mean {summary['total_calls_mean']:.2f} (target <= 2)"
    )
    print(
        f"reply prompt: mean {summary['reply_prompt_chars_mean']} chars,"
        f" max {summary['reply_prompt_chars_max']}; all prompts per message:"
        f" mean {summary['prompt_chars_per_message_mean']} chars"
    )
    print(json.dumps({k: v for k, v in summary.items() if k != "per_message"}))


if __name__ == "__main__":
    main()
