"""Reading a prompt into the model's context and writing an answer held to a grammar.

This is the loop llama-cpp-python's `create_chat_completion` runs, without what costs the
most on a CPU:

- Its sampler chain applies the grammar to every token of the vocabulary (151k for Qwen) at
  each step. Here, as in llama.cpp's own `common_sampler_sample`, the token is sampled
  without the grammar, and only that one token is checked against it; the grammar is applied
  to the whole vocabulary only when it refuses the token (rare: a model shown the schema
  mostly writes what the grammar allows), and the token is sampled again.
- Per token it detokenises everything written so far and scans it for stop strings. Here
  each token's text is looked up once per model and decoded incrementally (a character
  split across tokens is handed over whole, once complete).
- The answer ends as soon as the grammar is complete (the JSON object closed), without
  evaluating one more token only to sample the end of generation.

Reading evaluates only what the context does not already hold: the longest prefix of the
prompt that the context holds (`llama.input_ids[:llama.n_tokens]`, which `task_states`
keeps truthful across tasks) is kept, the rest of the cache dropped, and the new tokens
evaluated in batches. On the model's thread only.
"""

from __future__ import annotations

import codecs
import ctypes
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from llama_cpp import Llama
    from llama_cpp.llama_grammar import LlamaGrammar


@dataclass(frozen=True)
class Sampling:
    """How the next token is chosen; the defaults are create_chat_completion's."""

    temperature: float
    repeat_penalty: float
    seed: int | None = None  # None: llama.cpp draws one
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    typical_p: float = 1.0
    penalty_last_n: int = 64  # llama-cpp-python's last_n_tokens_size


@dataclass(frozen=True)
class Written:
    tokens: int  # sampled and accepted
    stopped: bool  # the stop event ended it before the answer was complete


class Decoder:
    """Reading and writing on one loaded model."""

    def __init__(self, llama: Llama) -> None:
        self._llama = llama
        self._pieces: dict[int, bytes] = {}  # each token's text, looked up once
        n_vocab = llama.n_vocab()
        # One candidate per token of the vocabulary, refilled from the logits at each step.
        self._candidates = _Candidates(n_vocab)

    def read(self, tokens: list[int], *, for_answer: bool) -> int:
        """Make the context hold `tokens`, evaluating only those after the prefix it already
        holds; how many were evaluated. `for_answer`: evaluate at least the last token, so
        that its logits are there to sample the answer's first token from. A stop (the abort
        callback) raises RuntimeError from llama.cpp; the context then holds what was read."""
        llama = self._llama
        same = _shared(llama.input_ids[: llama.n_tokens], tokens)
        if for_answer and same == len(tokens) and same > 0:
            same -= 1
        llama.n_tokens = same
        try:
            llama.eval(tokens[same:])  # drops the cache after `same` first, batches by n_batch
        finally:
            # An aborted batch may leave cells after the last whole one: drop them, so that
            # the context kept for the task (`task_states`) is exactly input_ids[:n_tokens].
            llama._ctx.kv_cache_seq_rm(-1, llama.n_tokens, -1)
        return int(llama.n_tokens - same)

    def write(
        self,
        grammar: LlamaGrammar,
        sampling: Sampling,
        max_tokens: int,
        stop: threading.Event,
        hand_over: Callable[[str], None],
    ) -> Written:
        """Sample the answer after what `read(..., for_answer=True)` left, handing over each
        new piece of text as it is written."""
        import llama_cpp

        llama = self._llama
        vocab = llama._model.vocab
        sampler = _Sampler(llama, grammar, sampling, self._candidates)
        text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        written = 0
        try:
            while written < max_tokens:
                if stop.is_set():
                    return Written(written, stopped=True)
                token = sampler.sample()
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    break
                sampler.accept(token)
                written += 1
                piece = self._pieces.get(token)
                if piece is None:
                    piece = self._pieces[token] = _piece(vocab, token)
                if new := text.decode(piece):
                    hand_over(new)
                if sampler.complete():
                    break
                try:
                    llama.eval([token])
                except RuntimeError:  # llama.cpp reports the abort the stop asked for
                    if stop.is_set():
                        return Written(written, stopped=True)
                    raise
            if rest := text.decode(b"", final=True):
                hand_over(rest)
            return Written(written, stopped=False)
        finally:
            sampler.close()


class _Candidates:
    """Token data for the samplers, which work on this memory in place: the whole
    vocabulary with its logits, or a single token to check against the grammar."""

    def __init__(self, n_vocab: int) -> None:
        import llama_cpp
        import numpy as np  # llama-cpp-python's dependency, as optional as it is

        token_data = np.dtype(  # llama_token_data
            [("id", np.intc), ("logit", np.single), ("p", np.single)], align=True
        )
        self.n_vocab = n_vocab
        self._ids = np.arange(n_vocab, dtype=np.intc)
        self.all = np.zeros(n_vocab, dtype=token_data)
        self.one = np.zeros(1, dtype=token_data)
        self.all_array = llama_cpp.llama_token_data_array(
            data=self.all.ctypes.data_as(llama_cpp.llama_token_data_p)
        )
        self.one_array = llama_cpp.llama_token_data_array(
            data=self.one.ctypes.data_as(llama_cpp.llama_token_data_p)
        )

    def fill(self, ctx: Any) -> Any:
        """Every token with its logit after the last evaluated token; the array to apply
        samplers to."""
        import llama_cpp
        import numpy as np

        logits = llama_cpp.llama_get_logits_ith(ctx, -1)
        self.all["id"] = self._ids
        self.all["logit"] = np.ctypeslib.as_array(logits, shape=(self.n_vocab,))
        self.all["p"] = 0.0
        return _reset(self.all_array, self.n_vocab)

    def only(self, token: int) -> Any:
        self.one[0] = (token, 1.0, 0.0)
        return _reset(self.one_array, 1)

    def selected(self) -> int:
        return int(self.all["id"][self.all_array.selected])


def _reset(array: Any, size: int) -> Any:
    array.size = size
    array.selected = -1
    array.sorted = False
    return ctypes.byref(array)


class _Sampler:
    """Sampling with the grammar checked lazily (see the module's docstring)."""

    def __init__(
        self, llama: Llama, grammar: LlamaGrammar, sampling: Sampling, candidates: _Candidates
    ) -> None:
        import llama_cpp

        self._ctx = llama.ctx
        self._candidates = candidates
        self._chain = llama_cpp.llama_sampler_chain_init(
            llama_cpp.llama_sampler_chain_default_params()
        )
        seed = llama_cpp.LLAMA_DEFAULT_SEED if sampling.seed is None else sampling.seed
        # create_chat_completion's chain, in its order, without the grammar.
        for each in (
            llama_cpp.llama_sampler_init_penalties(
                candidates.n_vocab, sampling.penalty_last_n, sampling.repeat_penalty, 0.0, 0.0
            ),
            llama_cpp.llama_sampler_init_top_k(sampling.top_k),
            llama_cpp.llama_sampler_init_typical(sampling.typical_p, 1),
            llama_cpp.llama_sampler_init_top_p(sampling.top_p, 1),
            llama_cpp.llama_sampler_init_min_p(sampling.min_p, 1),
            llama_cpp.llama_sampler_init_temp(sampling.temperature),
            llama_cpp.llama_sampler_init_dist(seed),
        ):
            llama_cpp.llama_sampler_chain_add(self._chain, each)
        self._grammar = llama_cpp.llama_sampler_init_grammar(
            llama._model.vocab, grammar._grammar.encode(), grammar._root.encode()
        )
        self._end = llama.token_eos()

    def sample(self) -> int:
        """The next token from the last evaluated token's logits, one the grammar allows."""
        import llama_cpp

        candidates = self._candidates
        llama_cpp.llama_sampler_apply(self._chain, candidates.fill(self._ctx))
        token = candidates.selected()
        if self._allows(token):
            return token
        everything = candidates.fill(self._ctx)  # refused: sample among what the grammar allows
        llama_cpp.llama_sampler_apply(self._grammar, everything)
        llama_cpp.llama_sampler_apply(self._chain, everything)
        return candidates.selected()

    def accept(self, token: int) -> None:
        """`token` is the answer's next: the grammar advances and the penalties count it."""
        import llama_cpp

        llama_cpp.llama_sampler_accept(self._grammar, token)
        llama_cpp.llama_sampler_accept(self._chain, token)

    def complete(self) -> bool:
        """Whether the grammar is done: it would now allow the end of generation."""
        return self._allows(self._end)

    def close(self) -> None:
        import llama_cpp

        llama_cpp.llama_sampler_free(self._chain)  # frees the samplers added to it
        llama_cpp.llama_sampler_free(self._grammar)

    def _allows(self, token: int) -> bool:
        import llama_cpp

        llama_cpp.llama_sampler_apply(self._grammar, self._candidates.only(token))
        return bool(self._candidates.one["logit"][0] != -math.inf)


def _shared(held: np.ndarray[Any, Any], tokens: list[int]) -> int:
    """How many of `tokens` the context already holds, from the start."""
    import numpy as np

    n = min(len(held), len(tokens))
    differ = np.flatnonzero(held[:n] != np.asarray(tokens[:n], dtype=held.dtype))
    return int(differ[0]) if differ.size else n


def _piece(vocab: Any, token: int) -> bytes:
    import llama_cpp

    size = 64
    while True:
        buffer = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_token_to_piece(vocab, token, buffer, size, 0, False)
        if n >= 0:
            return buffer.raw[:n]
        size = -n  # too small: llama.cpp says how much it needs
