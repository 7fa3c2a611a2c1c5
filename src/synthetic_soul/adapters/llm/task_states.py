"""The model's evaluated context, kept per task, so calls of a task keep their shared prefix.

llama.cpp re-evaluates a prompt only from the first token that differs from what its
context holds. Calls of one task share a long prefix (persona, then the task's schema), but
tasks interleave: a reply, its reflection, the next reply. Left alone, the next reply would
share only the persona with the reflection before it and evaluate its schema again. So after
each call the context's cache of keys and values (one sequence: tens of MB, not the whole
model state) is copied out under the task's name, and put back before the next call of that
task when another task ran in between.

Only llama.cpp's own prefix matching decides what is reused: a restored context is described
to it exactly (its tokens), so a stale or partial match costs time, never correctness.
On the model's thread only.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from llama_cpp import Llama

_SEQUENCE = 0  # the one sequence the high-level API uses


@dataclass(frozen=True)
class _Kept:
    tokens: npt.NDArray[np.intc]
    data: Any  # a ctypes byte array, as llama.cpp wants it back


class TaskStates:
    def __init__(self) -> None:
        self._kept: dict[str, _Kept] = {}
        self._holding: str | None = None  # the task whose call the context holds now

    def before(self, llama: Llama, task: str) -> None:
        """Put back `task`'s context if another task's call is in it."""
        if self._holding == task or task not in self._kept:
            return
        import llama_cpp

        kept = self._kept[task]
        llama._ctx.kv_cache_clear()  # type: ignore[no-untyped-call]
        restored = llama_cpp.llama_state_seq_set_data(
            llama.ctx, kept.data, len(kept.data), _SEQUENCE
        )
        if restored == 0:  # refused: start from nothing rather than from a wrong context
            llama.reset()  # type: ignore[no-untyped-call]
            self._holding = None
            return
        n = len(kept.tokens)
        llama.input_ids[:n] = kept.tokens
        llama.n_tokens = n
        llama._requires_eval = True  # the logits are not from this context: decode again
        self._holding = task

    def after(self, llama: Llama, task: str) -> None:
        """Keep the context `task`'s call leaves."""
        import llama_cpp

        size = llama_cpp.llama_state_seq_get_size(llama.ctx, _SEQUENCE)
        data = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(llama.ctx, data, size, _SEQUENCE)
        if written:
            self._kept[task] = _Kept(llama.input_ids[: llama.n_tokens].copy(), data)
        self._holding = task

    def forget(self) -> None:
        """After the context was reset: nothing it holds is any task's."""
        self._holding = None
