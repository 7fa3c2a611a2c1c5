"""The OpenAI-compatible provider over real HTTP, against a stub server on loopback."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from synthetic_soul.adapters.llm.json_schemas import grammar_schema, guide_schema, strict_schema
from synthetic_soul.adapters.llm.openai_compat import OpenAICompatLLM
from synthetic_soul.adapters.llm.scripted import DEFAULT_SCRIPTS
from synthetic_soul.bootstrap import _llm
from synthetic_soul.mind.reply import FALLBACK_REPLY
from synthetic_soul.mind.schemas import ReplyOutput
from synthetic_soul.ports import LLMError, LLMRequest
from synthetic_soul.settings import Endpoint, Settings
from tests.support.asked import message_to_jasmine
from tests.support.openai_stub import (
    HANG,
    Answer,
    OpenAIStub,
    content,
    failure,
    running_stub,
)
from tests.support.server import free_port
from tests.unit.conftest import KEY, Build
from tests.unit.test_reply import ADA, make_world

pytestmark = pytest.mark.anyio

SYSTEM = "You are Jasmine, a digital mind."
PROMPT = 'Message from ada (dm):\n"hello there"'
REQUEST = LLMRequest("reply", SYSTEM, PROMPT, about=message_to_jasmine("hello there"))
REPLY = DEFAULT_SCRIPTS["reply"](REQUEST)


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with running_stub(lambda _: content(REPLY)) as s:
        yield s


# -- the request each mode sends -----------------------------------------------------------
async def test_hosted_asks_for_strict_structured_output(stub: OpenAIStub, build: Build) -> None:
    output, call = await build(stub, "hosted").generate(REQUEST, ReplyOutput)

    assert output == ReplyOutput.model_validate(REPLY)
    [sent] = stub.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.body["model"] == "fast-model"
    assert sent.body["messages"] == [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": PROMPT},
    ]
    assert sent.body["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "ReplyOutput",
            "schema": strict_schema(ReplyOutput),
            "strict": True,
        },
    }
    assert (call.provider, call.model, call.task, call.ok) == (
        "openai",
        "fast-model",
        "reply",
        True,
    )
    assert (call.prompt_tokens, call.completion_tokens) == (11, 7)
    assert call.latency_ms > 0


async def test_local_uses_json_mode_with_the_schema_in_the_prompt(
    stub: OpenAIStub, build: Build
) -> None:
    _, call = await build(stub, "local").generate(REQUEST, ReplyOutput)

    [sent] = stub.requests
    assert sent.body["response_format"] == {"type": "json_object"}
    assert sent.user_prompt.startswith(PROMPT)
    schema_text = sent.user_prompt.rsplit("\n", 1)[1]
    assert json.loads(schema_text) == guide_schema(ReplyOutput)
    assert call.provider == "ollama"


async def test_compatible_sends_the_schema_inside_json_object(
    stub: OpenAIStub, build: Build
) -> None:
    """llama.cpp's server 500s on json_schema and enforces only this form (bounds enumerated)."""
    _, call = await build(stub, "compatible").generate(REQUEST, ReplyOutput)

    [sent] = stub.requests
    assert sent.body["response_format"] == {
        "type": "json_object",
        "schema": grammar_schema(ReplyOutput),
    }
    assert "json_schema" not in json.dumps(sent.body["response_format"])
    assert sent.user_prompt.startswith(PROMPT) and '"appraisal"' in sent.user_prompt
    assert call.provider == "compatible"


@pytest.mark.parametrize(
    ("mode", "limit"), [("hosted", None), ("local", 1024), ("compatible", 1024)]
)
async def test_json_mode_servers_get_a_ceiling_on_the_answer_length(
    stub: OpenAIStub, build: Build, mode: str, limit: int | None
) -> None:
    """Their grammar, if any, may not bound the answer; OpenAI's strict schema does."""
    await build(stub, mode).generate(REQUEST, ReplyOutput)
    [sent] = stub.requests
    assert sent.body.get("max_tokens") == limit


@pytest.mark.parametrize("mode", ["hosted", "local", "compatible"])
async def test_the_tier_picks_the_model(stub: OpenAIStub, build: Build, mode: str) -> None:
    model = build(stub, mode)
    _, fast = await model.generate(REQUEST, ReplyOutput)
    _, quality = await model.generate(LLMRequest("reply", SYSTEM, PROMPT, "quality"), ReplyOutput)

    assert [r.body["model"] for r in stub.requests] == ["fast-model", "quality-model"]
    assert (fast.model, quality.model) == ("fast-model", "quality-model")


async def test_missing_usage_counts_zero_tokens(stub: OpenAIStub, build: Build) -> None:
    stub.then(Answer(content=json.dumps(REPLY), usage=None))
    _, call = await build(stub).generate(REQUEST, ReplyOutput)
    assert (call.prompt_tokens, call.completion_tokens) == (0, 0)


# -- answers that are not usable -----------------------------------------------------------
@pytest.mark.parametrize(
    "answer",
    ["not json at all", '{"appraisal": {"desirability": 99}}', ""],
    ids=["invalid-json", "schema-invalid", "empty"],
)
async def test_unusable_content_is_raised_for_the_callers_retry(
    stub: OpenAIStub, build: Build, answer: str
) -> None:
    stub.then(content(answer))
    with pytest.raises((ValidationError, LLMError)):
        await build(stub).generate(REQUEST, ReplyOutput)
    assert len(stub.requests) == 1  # content problems are not transport retries


async def test_schema_invalid_json_is_a_validation_error(stub: OpenAIStub, build: Build) -> None:
    stub.then(content({"appraisal": {"desirability": 99}}))
    with pytest.raises(ValidationError):
        await build(stub).generate(REQUEST, ReplyOutput)


# -- transport failures, retries and backoff -----------------------------------------------
async def test_a_server_error_is_retried(stub: OpenAIStub, build: Build) -> None:
    stub.then(failure(500), failure(503))
    output, _ = await build(stub).generate(REQUEST, ReplyOutput)
    assert output.respond is True
    assert len(stub.requests) == 3


async def test_rate_limit_honours_retry_after(stub: OpenAIStub, build: Build) -> None:
    stub.then(failure(429, "slow down", retry_after="1"))
    started = time.monotonic()
    await build(stub).generate(REQUEST, ReplyOutput)
    assert time.monotonic() - started >= 0.9  # the backoff alone would be ~10 ms
    assert len(stub.requests) == 2


async def test_rate_limit_honours_retry_after_ms(stub: OpenAIStub, build: Build) -> None:
    stub.then(failure(429, "slow down", retry_after_ms="300"))
    started = time.monotonic()
    await build(stub).generate(REQUEST, ReplyOutput)
    assert time.monotonic() - started >= 0.28
    assert len(stub.requests) == 2


async def test_a_long_retry_after_gives_up_at_once(stub: OpenAIStub, build: Build) -> None:
    stub.then(failure(429, "come back tomorrow", retry_after="86400"))
    with pytest.raises(LLMError, match="429"):
        await build(stub).generate(REQUEST, ReplyOutput)
    assert len(stub.requests) == 1


async def test_a_hung_server_times_out(stub: OpenAIStub, build: Build) -> None:
    stub.then(HANG, HANG)
    started = time.monotonic()
    with pytest.raises(LLMError, match="no answer within"):
        await build(stub, timeout_s=0.3, max_retries=1).generate(REQUEST, ReplyOutput)
    assert time.monotonic() - started < 3
    assert len(stub.requests) == 2  # a timeout is retried


@pytest.mark.parametrize("status", [400, 401, 404, 422])
async def test_a_client_error_is_not_retried(stub: OpenAIStub, build: Build, status: int) -> None:
    stub.then(failure(status, f"bad request for key {KEY}"))
    with pytest.raises(LLMError) as caught:
        await build(stub).generate(REQUEST, ReplyOutput)
    assert len(stub.requests) == 1
    assert str(status) in str(caught.value)
    assert "bad request" in str(caught.value)
    assert KEY not in str(caught.value)


async def test_after_the_retries_an_llm_error_names_the_reason(
    stub: OpenAIStub, build: Build
) -> None:
    stub.respond_with(lambda _: failure(500))
    with pytest.raises(LLMError, match="HTTP 500 after 3 attempts") as caught:
        await build(stub).generate(REQUEST, ReplyOutput)
    assert len(stub.requests) == 3
    assert KEY not in str(caught.value)


async def test_an_unreachable_server_is_an_llm_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    model = OpenAICompatLLM(
        Endpoint("local", "ollama", url, "ollama", "a", "b"), 2.0, 1, backoff_s=0.01
    )
    with pytest.raises(LLMError, match="connection failed after 2 attempts"):
        await model.generate(REQUEST, ReplyOutput)
    await model.close()


# -- configuration -------------------------------------------------------------------------
def settings(**env: Any) -> Settings:
    return Settings(_env_file=None, **env)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for field in Settings.model_fields.values():
        if field.alias:
            monkeypatch.delenv(field.alias, raising=False)


@pytest.mark.usefixtures("clean_environment")
def test_defaults_per_mode() -> None:
    hosted = settings(LLM_MODE="hosted", OPENAI_API_KEY=KEY).endpoint
    assert (hosted.provider, hosted.base_url) == ("openai", "https://api.openai.com/v1")
    assert (hosted.fast_model, hosted.quality_model) == ("gpt-4o-mini", "gpt-4o")
    assert hosted.configured
    local = settings(LLM_MODE="local").endpoint
    assert (local.provider, local.base_url, local.api_key) == (
        "ollama",
        "http://127.0.0.1:11434/v1",
        "ollama",
    )
    assert (local.fast_model, local.quality_model) == ("llama3.2:3b", "llama3.1:8b")
    assert local.configured
    compatible = settings(LLM_MODE="compatible", COMPATIBLE_BASE_URL="http://h:8080/v1").endpoint
    assert (compatible.provider, compatible.base_url) == ("compatible", "http://h:8080/v1")
    assert compatible.quality_model == compatible.fast_model  # one model serves both tiers
    assert compatible.configured


@pytest.mark.usefixtures("clean_environment")
def test_settings_pick_the_provider_and_info_holds_no_secret() -> None:
    model = _llm(settings(LLM_MODE="hosted", OPENAI_API_KEY=KEY, OPENAI_BASE_URL="http://proxy/v1"))
    assert isinstance(model, OpenAICompatLLM)
    info = model.info
    assert (info.mode, info.provider, info.base_url) == ("hosted", "openai", "http://proxy/v1")
    assert info.configured
    assert KEY not in repr(info)
    assert KEY not in repr(settings(OPENAI_API_KEY=KEY))  # a SecretStr, even in a traceback


@pytest.mark.usefixtures("clean_environment")
@pytest.mark.parametrize(
    "env",
    [{"LLM_MODE": "hosted"}, {"LLM_MODE": "compatible"}],
    ids=["hosted-without-key", "compatible-without-url"],
)
async def test_an_unconfigured_mode_reports_it_and_fails_every_call(env: dict[str, str]) -> None:
    model = _llm(settings(**env))
    assert model.info.configured is False
    with pytest.raises(LLMError, match="not configured"):
        await model.generate(REQUEST, ReplyOutput)


# -- a job whose model is down still completes ---------------------------------------------
async def test_a_reply_job_completes_with_the_fallback_when_the_model_is_down(
    stub: OpenAIStub, build: Build, tmp_path: Path
) -> None:
    stub.respond_with(lambda _: failure(500))
    model = build(stub, "compatible", max_retries=1)
    async for world in make_world(model):
        job = await world.say("You are lovely")

        assert job.status == "succeeded"
        assert job.result is not None and job.result["response"] == FALLBACK_REPLY
        assert len(stub.requests) == 4  # (1 try + 1 retry) x (the call + the corrective call)
        conversation = await world.conversations.conversation(ADA)
        assert [(m.from_agent, m.message) for m in conversation.messages] == [
            (False, "You are lovely"),
            (True, FALLBACK_REPLY),
        ]
