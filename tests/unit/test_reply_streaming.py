"""The reply's text reaches the job's channel as `token` events while the model writes it."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from synthetic_soul.adapters.llm.scripted import DEFAULT_SCRIPTS, ScriptedLLM
from synthetic_soul.job_handlers import job_channel
from synthetic_soul.mind.reply import FALLBACK_REPLY
from synthetic_soul.mind.schemas import REPLY_TEXT_PATH, ReplyOutput
from synthetic_soul.ports import LLMError, LLMInfo, LLMRequest, M, Subscription, TextStream
from synthetic_soul.records import LLMCall
from tests.support.asked import message_to_jasmine
from tests.unit.test_reply import ADA, World, make_world

pytestmark = pytest.mark.anyio

REQUEST = LLMRequest(
    "reply",
    "You are Jasmine.",
    'Message from ada (dm):\n"hello there"',
    about=message_to_jasmine("hello there"),
)


def reply_doc(message: str, respond: bool = True) -> dict[str, Any]:
    doc = DEFAULT_SCRIPTS["reply"](REQUEST)
    return {**doc, "respond": respond, "reply": {**doc["reply"], "message": message}}


class Reports:
    """A sink that keeps every report of the streamed text."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def __call__(self, text: str) -> None:
        self.texts.append(text)


# -- the scripted model --------------------------------------------------------------------
async def test_the_scripted_model_writes_its_reply_in_a_few_growing_pieces() -> None:
    reports = Reports()
    request = replace(REQUEST, stream=TextStream(REPLY_TEXT_PATH, reports))
    output, _ = await ScriptedLLM().generate(request, ReplyOutput)

    assert output.reply is not None
    assert len(reports.texts) >= 2
    assert reports.texts[-1] == output.reply.message
    for shorter, longer in itertools.pairwise(reports.texts):
        assert longer.startswith(shorter) and len(longer) > len(shorter)
    plain, _ = await ScriptedLLM().generate(REQUEST, ReplyOutput)
    assert plain == output  # streaming changes how, not what


async def test_the_scripted_model_spreads_its_delay_over_the_pieces() -> None:
    reports = Reports()
    request = replace(REQUEST, stream=TextStream(REPLY_TEXT_PATH, reports))
    loop = asyncio.get_running_loop()
    started = loop.time()
    await ScriptedLLM(delay_ms=200).generate(request, ReplyOutput)
    assert loop.time() - started >= 0.19


# -- the reply use case --------------------------------------------------------------------
async def events_until_done(sub: Subscription) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while not events or events[-1]["event"] != "done":
        event = await sub.next(5)
        assert event is not None, f"no event within 5 s after {events}"
        events.append(event)
    return events


def shown_text(events: list[dict[str, Any]]) -> str:
    """What a client that renders `token` events shows at the end."""
    text = ""
    for e in events:
        if e["event"] == "token":
            text = e["data"]["text"] if e["data"].get("reset") else text + e["data"]["text"]
    return text


@pytest.fixture
async def slow_world() -> AsyncIterator[World]:
    # The delay lets the test join the job's channel before the first piece is written.
    async for made in make_world(ScriptedLLM(delay_ms=300)):
        yield made


async def test_a_reply_streams_token_events_that_add_up_to_the_response(
    slow_world: World,
) -> None:
    job = await slow_world.conversations.submit(ADA, "You are wonderful, thank you!", "dm")
    async with slow_world.bus.subscribe(job_channel(job.id)) as sub:
        events = await events_until_done(sub)

    tokens = [e["data"] for e in events if e["event"] == "token"]
    assert len(tokens) >= 2
    assert all(set(t) == {"job_id", "text"} and t["job_id"] == job.id for t in tokens)
    done = events[-1]["data"]
    assert done["status"] == "succeeded"
    assert "".join(t["text"] for t in tokens) == done["result"]["response"]
    names = [e["event"] for e in events]
    assert names.index("progress") > max(i for i, n in enumerate(names) if n == "token")


class Attempts:
    """A model whose every call reports some text and then answers or fails, as told."""

    def __init__(self, *calls: tuple[list[str], dict[str, Any] | None]) -> None:
        self.calls = list(calls)
        self.gate = asyncio.Event()  # opened once the test listens on the job's channel

    @property
    def info(self) -> LLMInfo:
        return LLMInfo("fake", "fake", None, "fake", "fake", True)

    async def close(self) -> None:
        """Nothing to let go of."""

    async def generate(self, request: LLMRequest, schema: type[M]) -> tuple[M, LLMCall]:
        await self.gate.wait()
        texts, answer = self.calls.pop(0)
        assert request.stream is not None, "the corrective call streams too"
        for text in texts:
            await request.stream.sink(text)
        if answer is None:
            raise LLMError("the connection dropped")
        return schema.model_validate_json(json.dumps(answer)), LLMCall(
            "fake", "f", "reply", 1, 1, 0
        )


async def run_reply(model: Attempts, kind: str = "dm") -> list[dict[str, Any]]:
    async for world in make_world(model):
        job = await world.conversations.submit(ADA, "hello there", kind)
        async with world.bus.subscribe(job_channel(job.id)) as sub:
            model.gate.set()
            return await events_until_done(sub)
    raise AssertionError("unreachable")


def tokens(events: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    return [
        (e["data"]["text"], bool(e["data"].get("reset"))) for e in events if e["event"] == "token"
    ]


async def test_a_second_attempt_saying_the_same_adds_only_what_is_new() -> None:
    model = Attempts(
        (["Hello", "Hello wo"], None),
        (["H", "Hello", "Hello wo", "Hello world"], reply_doc("Hello world")),
    )
    events = await run_reply(model)

    assert tokens(events) == [("Hello", False), (" wo", False), ("rld", False)]
    assert events[-1]["data"]["result"]["response"] == "Hello world" == shown_text(events)


async def test_a_second_attempt_saying_otherwise_resets_the_text() -> None:
    model = Attempts((["I was"], None), (["Hi", "Hi there"], reply_doc("Hi there")))
    events = await run_reply(model)

    assert tokens(events) == [("I was", False), ("Hi", True), (" there", False)]
    assert shown_text(events) == "Hi there" == events[-1]["data"]["result"]["response"]


async def test_after_failed_attempts_the_text_resets_to_the_fallback() -> None:
    model = Attempts((["I think"], None), (["Well"], None))
    events = await run_reply(model)

    assert tokens(events)[-1] == (FALLBACK_REPLY, True)
    assert shown_text(events) == FALLBACK_REPLY == events[-1]["data"]["result"]["response"]


async def test_text_written_for_a_reply_not_sent_resets_to_nothing() -> None:
    """In a group the model may write a reply and still decide to stay silent."""
    model = Attempts((["Maybe I"], reply_doc("Maybe I will", respond=False)))
    events = await run_reply(model, "group")

    assert tokens(events) == [("Maybe I", False), ("", True)]
    assert events[-1]["data"]["result"]["response"] is None
