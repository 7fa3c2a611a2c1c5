"""The OpenAI-compatible provider streaming the reply text, against the stub server."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from synthetic_soul.mind.schemas import REPLY_TEXT_PATH, ReplyOutput
from synthetic_soul.mind.streaming import Shown
from synthetic_soul.ports import LLMError, LLMRequest, TextStream
from tests.support.openai_stub import Answer, OpenAIStub, content, running_stub
from tests.unit.conftest import Build
from tests.unit.test_openai_compat import PROMPT, REPLY, REQUEST, SYSTEM

pytestmark = pytest.mark.anyio

MESSAGE = str(REPLY["reply"]["message"])


class Reports:
    """The sink: every report of the reply text, with when it came."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.times: list[float] = []

    async def __call__(self, text: str) -> None:
        self.texts.append(text)
        self.times.append(asyncio.get_running_loop().time())

    def request(self) -> LLMRequest:
        return LLMRequest("reply", SYSTEM, PROMPT, stream=TextStream(REPLY_TEXT_PATH, self))


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with running_stub(lambda _: content(REPLY)) as s:
        yield s


def growing(texts: list[str]) -> bool:
    return all(b.startswith(a) and len(b) > len(a) for a, b in itertools.pairwise(texts))


@pytest.mark.parametrize("mode", ["hosted", "local", "compatible"])
async def test_a_streamed_reply_reports_its_text_in_order_and_answers_the_same(
    stub: OpenAIStub, build: Build, mode: str
) -> None:
    model = build(stub, mode)
    reports = Reports()
    output, call = await model.generate(reports.request(), ReplyOutput)
    plain, _ = await model.generate(REQUEST, ReplyOutput)

    assert output == plain == ReplyOutput.model_validate(REPLY)
    assert len(reports.texts) >= 2 and growing(reports.texts)
    assert reports.texts[-1] == MESSAGE
    streamed, unstreamed = stub.requests
    assert streamed.body["stream"] is True
    assert streamed.body["stream_options"] == {"include_usage": True}
    assert streamed.body["response_format"] == unstreamed.body["response_format"]
    assert streamed.body["messages"] == unstreamed.body["messages"]
    assert "stream" not in unstreamed.body  # only a request with a sink streams
    assert (call.prompt_tokens, call.completion_tokens, call.ok) == (11, 7, True)
    assert call.latency_ms > 0


async def test_text_is_reported_while_the_answer_is_still_coming(
    stub: OpenAIStub, build: Build
) -> None:
    stub.then(Answer(content=json.dumps(REPLY), chunk_chars=16, chunk_delay_s=0.03))
    reports = Reports()
    await build(stub).generate(reports.request(), ReplyOutput)
    finished = asyncio.get_running_loop().time()

    # What follows the message in the JSON still took several chunks to arrive.
    assert finished - reports.times[0] > 0.1
    assert reports.times == sorted(reports.times)


async def test_without_usage_in_the_stream_tokens_count_zero(
    stub: OpenAIStub, build: Build
) -> None:
    stub.then(Answer(content=json.dumps(REPLY), usage=None))
    output, call = await build(stub).generate(Reports().request(), ReplyOutput)
    assert output.reply is not None and output.reply.message == MESSAGE
    assert (call.prompt_tokens, call.completion_tokens) == (0, 0)


async def test_a_stream_cut_off_is_retried_and_shows_nothing_twice(
    stub: OpenAIStub, build: Build
) -> None:
    text = json.dumps(REPLY)
    cut = (text.index(MESSAGE) + len(MESSAGE) // 2) // 4  # in the middle of the message
    stub.then(Answer(content=text, chunk_chars=4, cut_after=cut))
    reports = Reports()
    output, _ = await build(stub).generate(reports.request(), ReplyOutput)

    assert output == ReplyOutput.model_validate(REPLY)
    assert len(stub.requests) == 2
    texts = reports.texts
    broke = next(i for i in range(1, len(texts)) if len(texts[i]) <= len(texts[i - 1]))
    assert MESSAGE.startswith(texts[broke - 1]) and texts[broke - 1] != MESSAGE  # cut short
    assert reports.texts[-1] == MESSAGE
    # What a watcher is sent: the first attempt's text, then only what the second adds.
    shown = Shown()
    pieces = [p for p in map(shown.update, reports.texts) if p is not None]
    assert not any(p.reset for p in pieces)
    assert "".join(p.text for p in pieces) == MESSAGE


async def test_a_stream_that_stalls_past_the_timeout_is_retried_then_fails(
    stub: OpenAIStub, build: Build
) -> None:
    stall = Answer(content=json.dumps(REPLY), chunk_chars=32, chunk_delay_s=0.2)
    stub.then(stall, stall)
    reports = Reports()
    with pytest.raises(LLMError, match=r"no answer within 0\.5 s after 2 attempts"):
        await build(stub, timeout_s=0.5, max_retries=1).generate(reports.request(), ReplyOutput)
    assert len(stub.requests) == 2


@pytest.mark.parametrize(
    ("answer", "error"),
    [("", LLMError), ("not json", ValidationError), ('{"appraisal": 1}', ValidationError)],
    ids=["empty", "invalid-json", "schema-invalid"],
)
async def test_an_unusable_streamed_answer_is_raised_for_the_callers_retry(
    stub: OpenAIStub, build: Build, answer: str, error: type[Exception]
) -> None:
    stub.then(content(answer))
    with pytest.raises(error):
        await build(stub).generate(Reports().request(), ReplyOutput)
    assert len(stub.requests) == 1
