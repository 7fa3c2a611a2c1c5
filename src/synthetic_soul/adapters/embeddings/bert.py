"""A BERT encoder in numpy, and the sentence embedding sentence-transformers makes of it.

Enough of BERT to run a sentence-transformers model without PyTorch: token, position and
segment embeddings, then post-norm layers of multi-head self-attention and a GELU
feed-forward, each added to its input and layer-normalised. Weights are read by their
Hugging Face names (`encoder.layer.N.attention.self.query.weight`, ...), stored as PyTorch
lays out a linear layer (out × in); they are transposed once here, and query, key and value
are joined into one matrix, so each layer reads its input with one product.

A sentence's embedding is the mean of its tokens' last hidden states, padding left out by the
attention mask, scaled to unit length (sentence-transformers' Pooling with
`pooling_mode_mean_tokens`, then Normalize).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]
Ids = npt.NDArray[np.int64]

# Abramowitz & Stegun 7.1.26: erf to within 1.5e-7 (5e-7 once computed in float32); numpy
# has no erf, and the model's GELU is the exact one (`hidden_act: gelu`), not tanh's.
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def erf(x: Array) -> Array:
    """erf, elementwise, in `x`'s precision."""
    a = np.abs(x)
    t = 1.0 / (1.0 + _ERF_P * a)
    a1, a2, a3, a4, a5 = _ERF_A
    poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))
    result: Array = np.sign(x) * (1.0 - poly * np.exp(-a * a))
    return result


def gelu(x: Array) -> Array:
    """The exact GELU, x·Φ(x), with Φ the standard normal's distribution function."""
    result: Array = 0.5 * x * (1.0 + erf(x * np.float32(1.0 / math.sqrt(2.0))))
    return result


def layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    normed: Array = (centred / np.sqrt(variance + eps)) * weight + bias
    return normed


def mean_pool(hidden: Array, mask: Ids) -> Array:
    """Each sequence's mean over the positions its mask marks (batch × tokens × hidden)."""
    weights = mask.astype(np.float32)[:, :, None]
    counted = np.maximum(weights.sum(axis=1), 1e-9)  # as sentence-transformers clamps it
    pooled: Array = (hidden * weights).sum(axis=1) / counted
    return pooled


def unit_length(vectors: Array) -> Array:
    """Each row scaled to length 1 (a zero row stays zero, as torch's normalize leaves it)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    scaled: Array = vectors / np.maximum(norms, 1e-12)
    return scaled


@dataclass(frozen=True)
class Shape:
    """The few numbers of a BERT `config.json` the encoder needs."""

    layers: int
    hidden: int
    heads: int
    eps: float

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> Shape:
        if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
            raise ValueError("not a BERT model with GELU activations")
        if config.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError("only absolute position embeddings are supported")
        return cls(
            layers=int(str(config["num_hidden_layers"])),
            hidden=int(str(config["hidden_size"])),
            heads=int(str(config["num_attention_heads"])),
            eps=float(str(config["layer_norm_eps"])),
        )


@dataclass(frozen=True)
class _Layer:
    qkv: Array  # hidden × 3·hidden
    qkv_bias: Array
    out: Array
    out_bias: Array
    norm1: tuple[Array, Array]
    up: Array  # hidden × intermediate
    up_bias: Array
    down: Array
    down_bias: Array
    norm2: tuple[Array, Array]


class Bert:
    def __init__(self, shape: Shape, weights: Mapping[str, npt.NDArray[np.generic]]) -> None:
        def get(name: str) -> Array:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        def linear(name: str) -> tuple[Array, Array]:
            return np.ascontiguousarray(get(f"{name}.weight").T), get(f"{name}.bias")

        def norm(name: str) -> tuple[Array, Array]:
            return get(f"{name}.weight"), get(f"{name}.bias")

        self.shape = shape
        self._words = get("embeddings.word_embeddings.weight")
        self._positions = get("embeddings.position_embeddings.weight")
        self._segment = get("embeddings.token_type_embeddings.weight")[0]  # one segment
        self._norm = norm("embeddings.LayerNorm")
        self._layers: list[_Layer] = []
        for i in range(shape.layers):
            at = f"encoder.layer.{i}"
            parts = [linear(f"{at}.attention.self.{p}") for p in ("query", "key", "value")]
            self._layers.append(
                _Layer(
                    np.ascontiguousarray(np.concatenate([w for w, _ in parts], axis=1)),
                    np.concatenate([b for _, b in parts]),
                    *linear(f"{at}.attention.output.dense"),
                    norm(f"{at}.attention.output.LayerNorm"),
                    *linear(f"{at}.intermediate.dense"),
                    *linear(f"{at}.output.dense"),
                    norm(f"{at}.output.LayerNorm"),
                )
            )

    @property
    def max_positions(self) -> int:
        return int(self._positions.shape[0])

    def hidden_states(self, ids: Ids, mask: Ids) -> Array:
        """The last layer's states (batch × tokens × hidden) for padded `ids`."""
        shape = self.shape
        batch, length = ids.shape
        heads, size = shape.heads, shape.hidden // shape.heads
        x = self._words[ids] + self._positions[:length] + self._segment
        x = layer_norm(x, *self._norm, shape.eps)
        # Padding gets a score so low that its softmax weight is 0.
        blocked = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        scale = np.float32(1.0 / math.sqrt(size))
        for layer in self._layers:
            qkv = x @ layer.qkv + layer.qkv_bias  # batch × tokens × 3·hidden
            qkv = qkv.reshape(batch, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # each batch × heads × tokens × size
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + blocked
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, shape.hidden)
            x = layer_norm(x + context @ layer.out + layer.out_bias, *layer.norm1, shape.eps)
            inner = gelu(x @ layer.up + layer.up_bias)
            x = layer_norm(x + inner @ layer.down + layer.down_bias, *layer.norm2, shape.eps)
        return x

    def sentences(self, ids: Ids, mask: Ids) -> Array:
        """Unit-length sentence embeddings: mean of the unmasked states, normalised."""
        return unit_length(mean_pool(self.hidden_states(ids, mask), mask))
