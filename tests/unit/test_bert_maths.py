"""The numpy encoder's maths on tiny hand-built weights, where the answer follows on paper.

A BERT of 4 dimensions, 2 heads, 1 layer. Its token embeddings are chosen to have mean 0
and variance 2, so the first layer norm only divides them by √2:
  a = (2, 0, 0, -2) → (√2, 0, 0, -√2)      b = (0, 2, -2, 0) → (0, √2, -√2, 0)
With every query and key weight 0, attention is uniform over the unmasked tokens; with the
value and output weights the identity, a token's attention output is the mean of the
unmasked tokens' states; the feed-forward weights are 0, so it adds nothing.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from synthetic_soul.adapters.embeddings.bert import (
    Bert,
    Shape,
    erf,
    gelu,
    layer_norm,
    mean_pool,
    unit_length,
)

A, B, PAD = 1, 2, 0


def tiny_bert(*, attend: bool) -> Bert:
    hidden, inner = 4, 3
    zeros = np.zeros
    words = np.array([[7, -1, 5, 3], [2, 0, 0, -2], [0, 2, -2, 0]], dtype=np.float32)
    identity = np.eye(hidden, dtype=np.float32) if attend else zeros((hidden, hidden))
    at = "encoder.layer.0"
    weights = {
        "embeddings.word_embeddings.weight": words,
        "embeddings.position_embeddings.weight": zeros((8, hidden)),
        "embeddings.token_type_embeddings.weight": zeros((2, hidden)),
        "embeddings.LayerNorm.weight": np.ones(hidden),
        "embeddings.LayerNorm.bias": zeros(hidden),
        f"{at}.attention.self.query.weight": zeros((hidden, hidden)),
        f"{at}.attention.self.query.bias": zeros(hidden),
        f"{at}.attention.self.key.weight": zeros((hidden, hidden)),
        f"{at}.attention.self.key.bias": zeros(hidden),
        f"{at}.attention.self.value.weight": identity,
        f"{at}.attention.self.value.bias": zeros(hidden),
        f"{at}.attention.output.dense.weight": identity,
        f"{at}.attention.output.dense.bias": zeros(hidden),
        f"{at}.attention.output.LayerNorm.weight": np.ones(hidden),
        f"{at}.attention.output.LayerNorm.bias": zeros(hidden),
        f"{at}.intermediate.dense.weight": zeros((inner, hidden)),
        f"{at}.intermediate.dense.bias": zeros(inner),
        f"{at}.output.dense.weight": zeros((hidden, inner)),
        f"{at}.output.dense.bias": zeros(hidden),
        f"{at}.output.LayerNorm.weight": np.ones(hidden),
        f"{at}.output.LayerNorm.bias": zeros(hidden),
    }
    return Bert(Shape(layers=1, hidden=hidden, heads=2, eps=1e-12), weights)


def sentences(bert: Bert, rows: list[list[int]], mask: list[list[int]]) -> np.ndarray:
    return bert.sentences(np.array(rows, dtype=np.int64), np.array(mask, dtype=np.int64))


def test_without_attention_a_sentence_is_its_normalised_tokens_mean() -> None:
    bert = tiny_bert(attend=False)
    # States: a/√2 and b/√2 (each layer norm leaves a mean-0, variance-1 vector as it is).
    # Their mean is (√2/2)(1, 1, -1, -1), of length √2: unit length makes it ½(1, 1, -1, -1).
    [vector] = sentences(bert, [[A, B, PAD]], [[1, 1, 0]])
    assert vector == pytest.approx([0.5, 0.5, -0.5, -0.5], abs=1e-6)


def test_attention_mixes_in_the_unmasked_tokens_only() -> None:
    bert = tiny_bert(attend=True)
    # Both tokens seen: a's state is norm(a/√2 + m), m the mean of the two, = (3, 1, -1, -3)/√5,
    # b's is (1, 3, -3, -1)/√5; their mean points along (1, 1, -1, -1) again.
    both = sentences(bert, [[A, B]], [[1, 1]])
    # b masked out: a attends to itself alone, norm(2·a/√2) = a/√2, so b changes nothing.
    alone = sentences(bert, [[A, B]], [[1, 0]])

    hidden = bert.hidden_states(np.array([[A, B]]), np.array([[1, 1]]))[0]
    assert hidden[0] == pytest.approx(np.array([3, 1, -1, -3]) / math.sqrt(5), abs=1e-6)
    assert hidden[1] == pytest.approx(np.array([1, 3, -3, -1]) / math.sqrt(5), abs=1e-6)
    assert both[0] == pytest.approx([0.5, 0.5, -0.5, -0.5], abs=1e-6)
    assert alone[0] == pytest.approx([1 / math.sqrt(2), 0, 0, -1 / math.sqrt(2)], abs=1e-6)


def test_a_batch_pads_without_changing_anyone() -> None:
    bert = tiny_bert(attend=True)
    one = sentences(bert, [[A]], [[1]])
    batch = sentences(bert, [[A, PAD, PAD], [B, A, B]], [[1, 0, 0], [1, 1, 1]])
    assert batch[0] == pytest.approx(one[0], abs=1e-6)


def test_layer_norm_mean_pool_and_unit_length() -> None:
    x = np.array([[1, 2, 3, 4]], dtype=np.float32)
    # mean 2.5, variance 1.25
    expected = np.array([-1.5, -0.5, 0.5, 1.5]) / math.sqrt(1.25) * 2 + 1
    assert layer_norm(x, np.full(4, 2.0), np.ones(4), 1e-12)[0] == pytest.approx(expected)

    hidden = np.array([[[1, 0], [3, 4], [100, 100]]], dtype=np.float32)
    assert mean_pool(hidden, np.array([[1, 1, 0]]))[0] == pytest.approx([2, 2])

    assert unit_length(np.array([[3, 4], [0, 0]], dtype=np.float32)).tolist() == [
        pytest.approx([0.6, 0.8]),
        [0, 0],
    ]


def test_gelu_is_the_exact_one() -> None:
    grid = np.linspace(-6, 6, 2401, dtype=np.float32)
    worst = max(abs(float(e) - math.erf(float(x))) for x, e in zip(grid, erf(grid), strict=True))
    assert worst < 5e-7  # the approximation's 1.5e-7, plus float32 arithmetic's rounding
    # x·Φ(x): Φ(1) = 0.8413447460685429, Φ(-1) = 1 - Φ(1)
    values = gelu(np.array([-1.0, 0.0, 1.0], dtype=np.float32))
    assert values == pytest.approx([-0.15865525393145707, 0.0, 0.8413447460685429], abs=2e-7)
