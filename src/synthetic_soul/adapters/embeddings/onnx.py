"""ONNX Runtime, as the local embedder and reranker run it: one thread, the CPU.

One thread, as numpy's BLAS is held to one for the numpy encoder: these models run beside
the chat model (a reply's vectors and the read-ahead's reranking are made while it is idle,
but not always), and helper threads that spin while they wait slow both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from synthetic_soul.adapters.embeddings.wordpiece import WordPiece


def session(path: Path) -> Any:
    """An inference session for the model file at `path` (`ImportError` without ONNX
    Runtime, which the callers turn into their own error)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def model_in(folder: Path) -> tuple[WordPiece, Any]:
    """The tokenizer (`tokenizer.json`) and the session (`model.onnx`) of the model in
    `folder`; `ImportError` without ONNX Runtime."""
    return WordPiece.from_file(folder / "tokenizer.json"), session(folder / "model.onnx")


def padded(rows: list[list[int]], segments: list[list[int]] | None = None) -> dict[str, Any]:
    """A BERT model's three inputs for `rows` of token ids (and each id's segment, else 0),
    padded with id 0 to the longest row."""
    length = max(len(row) for row in rows)
    ids: npt.NDArray[np.int64] = np.zeros((len(rows), length), dtype=np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
        if segments is not None:
            types[i, : len(row)] = segments[i]
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
