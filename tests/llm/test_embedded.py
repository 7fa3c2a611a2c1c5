"""The embedded provider with a real model (SmolLM2-135M): llama.cpp in this process."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pydantic import BaseModel

from synthetic_soul.adapters.llm.embedded import PROVIDER, EmbeddedLLM, _evaluated
from synthetic_soul.mind.schemas import (
    REPLY_TEXT_PATH,
    ReflectOutput,
    ReplyOutput,
    ThinkOutput,
)
from synthetic_soul.ports import LLMError, LLMRequest, TextStream
from synthetic_soul.settings import EmbeddedConfig
from tests.llm.conftest import REQUEST, SMALL, SYSTEM, Said

if TYPE_CHECKING:
    from llama_cpp import Llama

pytestmark = pytest.mark.anyio

Make = Callable[..., EmbeddedLLM]


@pytest.fixture
async def make(small_model: Path) -> AsyncIterator[Make]:
    made: list[EmbeddedLLM] = []

    def _make(directory: Path | None = None, timeout_s: float = 120.0) -> EmbeddedLLM:
        config = EmbeddedConfig(
            SMALL, directory or small_model.parent, context=2048, seed=7, timeout_s=timeout_s
        )
        model = EmbeddedLLM(config)
        made.append(model)
        return model

    yield _make
    for model in made:
        await model.close()


@pytest.mark.parametrize(
    "schema", [ReplyOutput, ReflectOutput, ThinkOutput], ids=lambda s: s.__name__
)
async def test_every_mind_schema_becomes_a_grammar_the_model_follows(
    make: Make, schema: type[BaseModel]
) -> None:
    """A grammar llama.cpp refuses crashes the process at the first token: each must load."""
    output, _ = await make().generate(LLMRequest("t", SYSTEM, "Answer for Jasmine."), schema)
    assert isinstance(output, schema)


async def test_a_reply_comes_back_valid_with_its_costs(make: Make) -> None:
    model = make()
    output, call = await model.generate(REQUEST, ReplyOutput)

    assert isinstance(output, ReplyOutput)  # validated against the schema, bounds included
    assert -10 <= output.appraisal.desirability <= 10
    assert (call.provider, call.model, call.task) == (PROVIDER, SMALL, "reply")
    assert call.prompt_tokens > 100  # the persona, the schema and the message
    assert call.completion_tokens > 10
    assert call.latency_ms > 0
    info = model.info
    assert (info.mode, info.provider, info.fast_model, info.configured) == (
        "embedded",
        PROVIDER,
        SMALL,
        True,
    )


async def test_the_reply_text_is_reported_as_it_is_written(make: Make) -> None:
    reports: list[str] = []

    async def sink(text: str) -> None:
        reports.append(text)

    request = LLMRequest("reply", SYSTEM, REQUEST.prompt, stream=TextStream(REPLY_TEXT_PATH, sink))
    output, _ = await make().generate(request, Said)

    assert len(reports) >= 2
    assert all(b.startswith(a) and len(b) > len(a) for a, b in itertools.pairwise(reports))
    assert reports[-1] == output.reply.message


async def test_a_shared_prefix_is_not_evaluated_again(make: Make) -> None:
    model = make()
    _, first = await model.generate(REQUEST, ReplyOutput)
    again = LLMRequest("reply", SYSTEM, "Alex says: and now I am going to celebrate.")
    _, second = await model.generate(again, ReplyOutput)

    # Persona and schema are the same: only the new message and what follows is evaluated.
    assert second.prompt_tokens < first.prompt_tokens / 3


async def test_a_task_keeps_its_prefix_across_calls_of_other_tasks(make: Make) -> None:
    model = make()
    _, first = await model.generate(REQUEST, ReplyOutput)
    reflect = LLMRequest("reflect", SYSTEM, "Summarise what you know about Alex.")
    _, reflection = await model.generate(reflect, ReflectOutput)
    again = LLMRequest("reply", SYSTEM, "Alex says: and now I am going to celebrate.")
    _, second = await model.generate(again, ReplyOutput)

    # The reflection shared only the persona with the reply; its own schema was evaluated.
    assert reflection.prompt_tokens > first.prompt_tokens / 2
    # The second reply started from the first reply's context, not the reflection's.
    assert second.prompt_tokens < first.prompt_tokens / 3


async def test_concurrent_calls_take_turns_and_both_answer(make: Make) -> None:
    model = make()
    reflect = LLMRequest("reflect", SYSTEM, "Summarise what you know about Alex.")
    (reply, _), (reflection, _) = await asyncio.gather(
        model.generate(REQUEST, ReplyOutput), model.generate(reflect, ReflectOutput)
    )
    assert isinstance(reply, ReplyOutput) and isinstance(reflection, ReflectOutput)


async def test_a_reply_stops_a_running_reflection_which_then_starts_again(make: Make) -> None:
    model = make()
    await model.generate(REQUEST, ReplyOutput)  # loaded and warm
    finished: list[str] = []

    async def reflect() -> None:
        request = LLMRequest("reflect", SYSTEM, "Summarise what you know about Alex.")
        output, _ = await model.generate(request, ReflectOutput)
        assert isinstance(output, ReflectOutput)
        finished.append("reflect")

    reflecting = asyncio.create_task(reflect())
    await asyncio.sleep(0.3)  # the reflection is being written (it takes seconds)
    await model.generate(REQUEST, ReplyOutput)
    finished.append("reply")
    await reflecting

    assert finished == ["reply", "reflect"]


async def test_a_caller_that_gives_up_stops_the_model_and_the_next_call_works(
    make: Make,
) -> None:
    model = make()
    await model.generate(REQUEST, ReplyOutput)  # loaded and warm
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(model.generate(REQUEST, ReflectOutput), timeout=0.05)

    output, _ = await model.generate(REQUEST, ReplyOutput)
    assert isinstance(output, ReplyOutput)


# A prompt long enough that evaluating it takes seconds, for stops to land inside it.
FILLER = "Alex says: I like long walks by the sea and quiet mornings. " * 70


async def _warm(make: Make) -> tuple[EmbeddedLLM, Llama]:
    """A model loaded and past its first call, and its llama.cpp context."""
    model = make()
    await model.generate(REQUEST, ReplyOutput)
    assert model._llama is not None
    return model, model._llama


async def test_a_stop_interrupts_the_evaluation_of_a_long_prompt(make: Make) -> None:
    """Evaluating a prompt is one long call into llama.cpp; a stop must not wait for its end."""
    model, llama = await _warm(make)
    before = _evaluated(llama)[0]

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(model.generate(LLMRequest("t", SYSTEM, FILLER), ReplyOutput), 0.1)

    evaluated = _evaluated(llama)[0] - before
    assert evaluated < len(llama.tokenize(FILLER.encode())), "the whole prompt was evaluated"
    output, _ = await model.generate(REQUEST, ReplyOutput)  # and the model is fine after
    assert isinstance(output, ReplyOutput)


async def test_the_timeout_is_an_llm_error(make: Make) -> None:
    with pytest.raises(LLMError, match=r"no answer within 0\.01 s"):
        await make(timeout_s=0.01).generate(REQUEST, ReplyOutput)


async def test_a_missing_model_says_how_to_pull_it_and_recovers_once_pulled(
    make: Make, small_model: Path, tmp_path: Path
) -> None:
    model = make(directory=tmp_path)
    assert model.info.configured is False
    with pytest.raises(LLMError, match=f"soul model pull {SMALL}"):
        await model.generate(REQUEST, ReplyOutput)

    os.link(small_model, tmp_path / small_model.name)  # as a pull would leave it
    output, _ = await model.generate(REQUEST, ReplyOutput)
    assert isinstance(output, ReplyOutput)
    assert model.info.configured is True


# What a reply prompt looks like to `prepare`: a head known before the message (who the user
# is, what was said), then the message itself.
HEAD = (
    "What you know about Alex: a student who loves the sea, has a dog named Pip and is "
    "anxious about exams.\nThe conversation so far:\nAlex: hi Jasmine, how are you?\n"
    "You: I am well, thank you! How are your studies going?"
)
MESSAGE = "\n\nAlex says: I passed my exam today!"


def _tokens(model: EmbeddedLLM, text: str) -> int:
    assert model._llama is not None
    return len(model._llama.tokenize(text.encode(), add_bos=False))


async def test_a_prepared_prompt_is_read_before_the_call_which_reads_only_the_rest(
    make: Make,
) -> None:
    unprepared, prepared = make(), make()
    request = LLMRequest("reply", SYSTEM, HEAD + MESSAGE)
    _, cold = await unprepared.generate(request, ReplyOutput)

    await prepared.prepare(LLMRequest("reply", SYSTEM, HEAD), ReplyOutput)
    # Another task in between: the prepared context is kept as the reply's.
    await prepared.generate(LLMRequest("reflect", SYSTEM, "Who is Alex?"), ReflectOutput)
    _, warm = await prepared.generate(request, ReplyOutput)

    # The message, the end of the user's turn and the start of the answer's: no more.
    rest = _tokens(prepared, MESSAGE) + 15
    assert warm.prompt_tokens <= rest
    assert cold.prompt_tokens > rest + _tokens(prepared, HEAD)


async def test_a_reply_stops_reading_ahead_at_once_and_it_does_not_start_again(
    make: Make,
) -> None:
    model, llama = await _warm(make)
    before = _evaluated(llama)[0]
    read: list[int] = []

    async def read_ahead() -> None:
        await model.prepare(LLMRequest("reply", SYSTEM, FILLER), ReplyOutput)
        read.append(_evaluated(llama)[0] - before)  # before the reply's turn begins

    reading = asyncio.create_task(read_ahead())
    await asyncio.sleep(0.05)  # reading has begun
    output, _ = await model.generate(REQUEST, ReplyOutput)
    await reading

    assert isinstance(output, ReplyOutput)
    assert read[0] < _tokens(model, FILLER), "the whole prompt was read ahead"
