"""The OpenAI-compatible provider against a real `llama_cpp.server` running SmolLM2-135M."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import BaseModel, ConfigDict

from synthetic_soul.adapters.llm.openai_compat import OpenAICompatLLM
from synthetic_soul.mind.schemas import (
    REPLY_TEXT_PATH,
    ReflectOutput,
    ReplyOutput,
    ThinkOutput,
)
from synthetic_soul.ports import LLMError, LLMRequest, TextStream
from synthetic_soul.settings.sections import Endpoint, Mode
from tests.llm.conftest import REQUEST, SYSTEM, Said
from tests.support.server import free_port

pytestmark = pytest.mark.anyio

ALIAS = "small"


class AnyObject(BaseModel):
    """Any JSON object at all: what JSON mode promises, and no more."""

    model_config = ConfigDict(extra="allow")


@dataclass
class LlamaServer:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(model: Path, directory: Path) -> LlamaServer:
    port = free_port()
    log_path = directory / f"llama-server-{port}.log"
    # The command's arguments, not a shell; only loopback is bound.
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    command += ["--model_alias", ALIAS, "--host", "127.0.0.1", "--port", str(port)]
    # One thread to generate: on two shared cores, two threads that wait on each other are
    # many times slower than one.
    command += ["--n_ctx", "2048", "--n_threads", "1", "--n_threads_batch", "2", "--seed", "7"]
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    server = LlamaServer(process, port, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{server.base_url}/models", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"llama_cpp.server did not answer in 60 s:\n{log_path.read_text()}")


@pytest.fixture(scope="module")
def server(small_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    running = start_server(small_model, tmp_path_factory.mktemp("llama-server"))
    try:
        yield running
    finally:
        running.stop()


Make = Callable[..., OpenAICompatLLM]


@pytest.fixture
async def make(server: LlamaServer) -> AsyncIterator[Make]:
    made: list[OpenAICompatLLM] = []

    def _make(
        mode: Mode = "compatible",
        provider: str = "compatible",
        base_url: str | None = None,
        max_retries: int = 0,
    ) -> OpenAICompatLLM:
        endpoint = Endpoint(mode, provider, base_url or server.base_url, None, ALIAS, ALIAS)
        llm = OpenAICompatLLM(endpoint, timeout_s=120.0, max_retries=max_retries, backoff_s=0.05)
        made.append(llm)
        return llm

    yield _make
    for llm in made:
        await llm.close()


def test_the_server_lists_the_model_under_its_alias(server: LlamaServer) -> None:
    models = httpx.get(f"{server.base_url}/models", timeout=5).json()
    assert [m["id"] for m in models["data"]] == [ALIAS]


async def test_compatible_mode_gets_a_valid_reply_with_its_costs(make: Make) -> None:
    output, call = await make().generate(REQUEST, ReplyOutput)

    assert isinstance(output, ReplyOutput)  # validated, bounds included
    assert -10 <= output.appraisal.desirability <= 10
    assert (call.provider, call.model, call.task, call.ok) == ("compatible", ALIAS, "reply", True)
    assert call.prompt_tokens > 100  # the persona, the schema and the message
    assert call.completion_tokens > 0
    assert call.latency_ms > 0


async def test_compatible_mode_streams_the_reply_text_as_it_is_written(make: Make) -> None:
    reports: list[str] = []

    async def sink(text: str) -> None:
        reports.append(text)

    request = LLMRequest("reply", SYSTEM, REQUEST.prompt, stream=TextStream(REPLY_TEXT_PATH, sink))
    output, call = await make().generate(request, Said)

    assert len(reports) >= 2
    assert all(b.startswith(a) and len(b) > len(a) for a, b in itertools.pairwise(reports))
    assert reports[-1] == output.reply.message
    # llama_cpp.server 0.3.36 ignores stream_options: no usage chunk, so nothing is counted.
    assert (call.prompt_tokens, call.completion_tokens) == (0, 0)


@pytest.mark.parametrize(
    "schema", [ReplyOutput, ReflectOutput, ThinkOutput], ids=lambda s: s.__name__
)
async def test_every_mind_schema_is_a_grammar_the_server_accepts(
    make: Make, schema: type[BaseModel]
) -> None:
    """A schema llama.cpp refuses as a grammar fails the call, or takes the server down."""
    output, _ = await make().generate(LLMRequest("t", SYSTEM, "Answer for Jasmine."), schema)
    assert isinstance(output, schema)


async def test_json_mode_as_ollama_speaks_it_gets_a_json_object(make: Make) -> None:
    # A short answer asked for: JSON mode bounds nothing, and a long one could run to n_ctx.
    request = LLMRequest("t", "Answer with one small JSON object only.", 'Say {"ok": true}.')
    output, call = await make(mode="local", provider="ollama").generate(request, AnyObject)

    assert isinstance(output, AnyObject)  # a JSON object: anything else fails validation
    assert (call.provider, call.model) == ("ollama", ALIAS)
    assert call.prompt_tokens > 0 and call.completion_tokens > 0


async def test_a_server_that_went_away_is_an_llm_error_after_the_retries(
    make: Make, small_model: Path, tmp_path: Path
) -> None:
    gone = start_server(small_model, tmp_path)
    gone.process.kill()
    gone.process.wait()
    llm = make(base_url=gone.base_url, max_retries=1)

    with pytest.raises(LLMError, match="connection failed") as caught:
        await llm.generate(REQUEST, ReplyOutput)
    assert "after 2 attempts" in str(caught.value)
    assert gone.base_url in str(caught.value)
