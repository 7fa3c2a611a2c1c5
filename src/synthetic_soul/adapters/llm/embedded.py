"""The embedded model: llama.cpp in this process, through llama-cpp-python.

One model instance per process, loaded on first use from a verified GGUF file (`model_files`),
and one call at a time, replies first (`model_turns`: a reflection or a thought running when
a reply arrives is stopped and started again after it); calls run on one dedicated thread,
so the event loop never waits on the model. Every call streams internally: the thread hands
each new piece of text to the loop, which gathers the answer and reports a streamed field
(`TextStream`) as it grows; a timeout or a cancelled caller stops generation at the next
token. The decoding loop is our own (`decoding`, with the chat template as `chat_prompt`
renders it), not create_chat_completion's, which costs a CPU over half its generation speed.

Answers are held to the schema by a grammar built once per answer type from its grammar form
(bounded integers enumerated, strings with `maxLength`: without bounds small models loop).
The schema is also shown to the model, at the start of the user message, so calls of the
same task share the longest possible prefix: the context keeps the evaluated tokens and
re-evaluates only from the first token that differs, and `task_states` keeps each task's
context across calls of other tasks. `prepare` reads a coming call's prompt ahead, while
the model is idle, up to where what only that call knows begins.

Token counts are what the model did: prompt tokens are those evaluated for this call, so a
prefix reused from the previous call is not counted again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from synthetic_soul.adapters.llm.answers import parse_answer
from synthetic_soul.adapters.llm.chat_prompt import ChatPrompt, Messages
from synthetic_soul.adapters.llm.decoding import Decoder, Sampling, Written
from synthetic_soul.adapters.llm.hardware import load_options
from synthetic_soul.adapters.llm.json_schemas import grammar_schema, instruction
from synthetic_soul.adapters.llm.json_stream import StringAt
from synthetic_soul.adapters.llm.model_files import ModelError, resolve
from synthetic_soul.adapters.llm.model_turns import ModelTurns, Run
from synthetic_soul.adapters.llm.task_states import TaskStates
from synthetic_soul.ports import LLMError, LLMInfo, LLMRequest, M
from synthetic_soul.records import LLMCall
from synthetic_soul.settings import EmbeddedConfig

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_grammar import LlamaGrammar

log = logging.getLogger(__name__)

PROVIDER = "llama.cpp"
MAX_TOKENS = 1024  # the longest answer a schema allows is well under this
TEMPERATURE = 0.7
REPEAT_PENALTY = 1.1  # measured: without it small models repeat a phrase to the length bound
URGENT_TASKS = frozenset({"reply"})  # someone is waiting: these go first (`model_turns`)
_END = object()


@dataclass(frozen=True)
class _Counts:
    prompt_tokens: int
    completion_tokens: int
    stopped: bool  # generation was stopped before the answer was complete


class EmbeddedLLM:
    def __init__(self, config: EmbeddedConfig) -> None:
        self._config = config
        self._llama: Llama | None = None
        self._decoder: Decoder | None = None  # with the model: its reading and writing
        self._chat: ChatPrompt | None = None  # with the model: its chat template
        self._sampling = Sampling(TEMPERATURE, REPEAT_PENALTY, config.seed)
        self._grammars: dict[type[Any], LlamaGrammar] = {}
        self._turns = ModelTurns()
        self._states = TaskStates()
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="llama")
        self._stop: threading.Event | None = None  # the running call's, on the model's thread
        self._abort: Any = None  # the ctypes callback, kept alive as long as the model
        self._name = config.model
        self._missing: str | None = None
        try:
            self._name, _ = resolve(config.model, config.directory)
        except ModelError as exc:
            self._missing = str(exc)
            log.warning("LLM_MODE=embedded: %s; replies will fall back", exc)

    @property
    def info(self) -> LLMInfo:
        return LLMInfo("embedded", PROVIDER, None, self._name, self._name, self._missing is None)

    async def close(self) -> None:
        await self._turns.take(urgent=True)  # kept: nothing runs after this
        await asyncio.get_running_loop().run_in_executor(self._thread, self._unload)
        self._thread.shutdown(wait=True)

    async def generate(self, request: LLMRequest, schema: type[M]) -> tuple[M, LLMCall]:
        messages = _messages(request, schema)
        urgent = request.task in URGENT_TASKS
        while True:
            run = await self._turns.take(urgent)
            try:
                answer = await self._attempt(messages, request, schema, run)
            finally:
                self._turns.give_back(run)
            if answer is not None:
                break
            log.info("%s call stopped for a reply; it starts again after it", request.task)
        content, counts, latency_ms = answer
        if not content:
            raise LLMError(f"{PROVIDER} {self._name}: the answer was empty")
        output = parse_answer(content, schema)  # the caller's corrective retry on error
        call = LLMCall(
            provider=PROVIDER,
            model=self._name,
            task=request.task,
            prompt_tokens=counts.prompt_tokens,
            completion_tokens=counts.completion_tokens,
            latency_ms=latency_ms,
        )
        return output, call

    async def prepare(self, request: LLMRequest, schema: type[M]) -> None:
        """Evaluate the prompt a coming call of `request.task` starts with, up to the end of
        `request.prompt`, and keep it as that task's context. It waits its turn like a
        reflection, and a reply stops it where it is."""
        if not self._config.prefix_reuse:
            return  # every call evaluates its whole prompt: nothing to read ahead
        messages = _messages(request, schema)
        run = await self._turns.take(urgent=False)
        try:
            work = asyncio.get_running_loop().run_in_executor(
                self._thread, self._read_ahead, request.task, messages, run.stop
            )
            try:
                await asyncio.shield(work)
            except asyncio.CancelledError:
                run.stop.set()
                await asyncio.shield(asyncio.wait([work]))
                raise
        except (LLMError, RuntimeError) as exc:  # best effort: the call itself will say
            log.warning("reading ahead for %s failed: %s", request.task, exc)
        finally:
            self._turns.give_back(run)

    async def _attempt(
        self, messages: Messages, request: LLMRequest, schema: type[M], run: Run
    ) -> tuple[str, _Counts, float] | None:
        """One generation on the model's thread: the text, its costs and how long it took;
        None if it was stopped for an urgent call."""
        field = StringAt(request.stream.path) if request.stream is not None else None
        loop = asyncio.get_running_loop()
        pieces: asyncio.Queue[object] = asyncio.Queue()

        def hand_over(piece: object) -> None:
            loop.call_soon_threadsafe(pieces.put_nowait, piece)

        started = time.perf_counter()
        work = loop.run_in_executor(
            self._thread, self._complete, request.task, messages, schema, run.stop, hand_over
        )
        parts: list[str] = []
        try:
            async with asyncio.timeout(self._config.timeout_s):
                while (piece := await pieces.get()) is not _END:
                    assert isinstance(piece, str)
                    parts.append(piece)
                    if field is not None and request.stream and field.feed(piece):
                        await request.stream.sink(field.text)
                counts = await work
        except TimeoutError:
            run.stop.set()
            await asyncio.wait([work])
            raise LLMError(
                f"{PROVIDER} {self._name}: no answer within {self._config.timeout_s:g} s"
            ) from None
        except BaseException:
            run.stop.set()  # the caller gave up (or the loop is closing): stop generating
            await asyncio.shield(asyncio.wait([work]))
            raise
        if counts.stopped and run.preempted:
            return None
        return "".join(parts), counts, (time.perf_counter() - started) * 1000.0

    # On the model's thread from here on.

    def _complete(
        self,
        task: str,
        messages: Messages,
        schema: type[M],
        stop: threading.Event,
        hand_over: Callable[[object], None],
    ) -> _Counts:
        read = 0
        written = Written(0, stopped=False)
        self._stop = stop  # read by the abort callback while llama.cpp computes
        try:
            llama, decoder, chat = self._load()
            grammar = self._grammar(schema)
            self._recall(llama, task)
            try:
                read = decoder.read(chat.tokens(messages), for_answer=True)
                written = decoder.write(grammar, self._sampling, MAX_TOKENS, stop, hand_over)
            except RuntimeError:  # llama_decode reports the abort the callback asked for
                if not stop.is_set():
                    raise
                written = Written(written.tokens, stopped=True)
            finally:
                self._keep(llama, task)
            return _Counts(read, written.tokens, written.stopped)
        finally:
            self._stop = None
            hand_over(_END)

    def _read_ahead(self, task: str, messages: Messages, stop: threading.Event) -> None:
        self._stop = stop
        try:
            llama, decoder, chat = self._load()
            self._recall(llama, task)
            try:
                decoder.read(chat.head(messages), for_answer=False)
            except RuntimeError:
                if not stop.is_set():
                    raise
            finally:
                self._keep(llama, task)  # what was read so far is still worth keeping
        finally:
            self._stop = None

    def _recall(self, llama: Llama, task: str) -> None:
        """Start from the context `task`'s last call left (or from nothing, without reuse)."""
        if self._config.prefix_reuse:
            self._states.before(llama, task)
        else:
            llama.reset()  # type: ignore[no-untyped-call]  # the whole prompt is evaluated

    def _keep(self, llama: Llama, task: str) -> None:
        if self._config.prefix_reuse:
            self._states.after(llama, task)

    def _load(self) -> tuple[Llama, Decoder, ChatPrompt]:
        if self._llama is not None:
            assert self._decoder is not None and self._chat is not None
            return self._llama, self._decoder, self._chat
        try:
            self._name, path = resolve(self._config.model, self._config.directory)
        except ModelError as exc:
            self._missing = str(exc)
            raise LLMError(f"{PROVIDER}: {exc}") from None
        try:
            import llama_cpp
        except ImportError:
            raise LLMError(
                f"{PROVIDER}: llama-cpp-python is not installed (`make setup` builds it)"
            ) from None
        started = time.perf_counter()
        kwargs: dict[str, Any] = {
            "model_path": str(path),
            "n_ctx": self._config.context,
            "verbose": False,
            **load_options(self._config.threads),
        }
        if self._config.seed is not None:
            kwargs["seed"] = self._config.seed
        try:
            self._llama = llama_cpp.Llama(**kwargs)
        except (ValueError, RuntimeError) as exc:
            raise LLMError(f"{PROVIDER}: could not load {path}: {exc}") from None
        # Evaluating a long prompt is one call into llama.cpp that takes seconds: without
        # this, a stop (a timeout, a reply preempting, a shutdown) would wait for its end.
        self._abort = llama_cpp.ggml_abort_callback(
            lambda _: self._stop is not None and self._stop.is_set()
        )
        llama_cpp.llama_set_abort_callback(self._llama.ctx, self._abort, None)
        self._decoder = Decoder(self._llama)
        self._chat = ChatPrompt(self._llama)
        self._missing = None
        log.info("loaded %s in %.2f s", path.name, time.perf_counter() - started)
        return self._llama, self._decoder, self._chat

    def _grammar(self, schema: type[M]) -> LlamaGrammar:
        grammar = self._grammars.get(schema)
        if grammar is None:
            from llama_cpp.llama_grammar import LlamaGrammar

            grammar = LlamaGrammar.from_json_schema(
                json.dumps(grammar_schema(schema)), verbose=False
            )
            self._grammars[schema] = grammar
        return grammar

    def _unload(self) -> None:
        if self._llama is not None:
            self._decoder = self._chat = None
            self._llama.close()
            self._llama = None


def _messages(request: LLMRequest, schema: type[M]) -> Messages:
    return [
        {"role": "system", "content": request.system},
        {"role": "user", "content": f"{instruction(grammar_schema(schema))}\n\n{request.prompt}"},
    ]


def _evaluated(llama: Llama) -> tuple[int, int]:
    """Prompt and generated tokens llama.cpp has evaluated in this context so far."""
    import llama_cpp

    data = llama_cpp.llama_perf_context(llama.ctx)
    return int(data.n_p_eval), int(data.n_eval)
