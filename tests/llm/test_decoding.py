"""Our decoding loop on a real model (SmolLM2-135M): reading, and writing held to a grammar."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import jsonschema_rs
import pytest
from pydantic import BaseModel

from synthetic_soul.adapters.llm.chat_prompt import ChatPrompt
from synthetic_soul.adapters.llm.decoding import Decoder, Sampling
from synthetic_soul.adapters.llm.json_schemas import grammar_schema, instruction
from synthetic_soul.mind.schemas import DirectReplyOutput, ReflectOutput, ReplyOutput, ThinkOutput
from tests.llm.conftest import SYSTEM

if TYPE_CHECKING:
    from llama_cpp import Llama

SAMPLING = Sampling(temperature=0.7, repeat_penalty=1.1, seed=11)


@pytest.fixture(scope="module")
def llama(small_model: Path) -> Iterator[Llama]:
    from llama_cpp import Llama

    model = Llama(model_path=str(small_model), n_ctx=2048, seed=11, verbose=False)
    yield model
    model.close()


def _write(llama: Llama, grammar: str, prompt: str, seed: int = 11) -> list[str]:
    from llama_cpp.llama_grammar import LlamaGrammar

    decoder = Decoder(llama)
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]
    decoder.read(ChatPrompt(llama).tokens(messages), for_answer=True)
    pieces: list[str] = []
    sampling = Sampling(SAMPLING.temperature, SAMPLING.repeat_penalty, seed)
    written = decoder.write(
        LlamaGrammar.from_string(grammar, verbose=False),
        sampling,
        1024,  # as the provider: more than any schema allows
        threading.Event(),
        pieces.append,
    )
    assert not written.stopped and written.tokens > 0
    return pieces


@pytest.mark.parametrize(
    "schema",
    [DirectReplyOutput, ReplyOutput, ReflectOutput, ThinkOutput],
    ids=lambda s: s.__name__,
)
def test_answers_checked_token_by_token_keep_to_the_schema(
    llama: Llama, schema: type[BaseModel]
) -> None:
    """The grammar is checked only on the sampled token, the whole vocabulary only when it
    refuses one: every answer must still be the schema's, bounds included, to the letter."""
    from llama_cpp.llama_grammar import LlamaGrammar

    shape = grammar_schema(schema)
    grammar = LlamaGrammar.from_json_schema(json.dumps(shape), verbose=False)
    for seed, said in enumerate(
        [
            "Alex says: I passed my exam today!",
            "Alex says: my dog died this morning.",
            "Alex says: you are useless.",
        ]
    ):
        prompt = f"{instruction(shape)}\n\n{said}"
        text = "".join(_write(llama, grammar._grammar, prompt, seed))
        jsonschema_rs.validate(shape, json.loads(text, strict=False))


def test_characters_split_across_tokens_are_handed_over_whole(llama: Llama) -> None:
    """A character of several bytes can be written over several tokens; no piece handed
    over may carry half of one (it would reach the person as a replacement mark). The text
    is one the model would not write by itself: the grammar refuses token after token."""
    wanted = "Ça va? 中文 ✓ 🙂 ok"
    pieces = _write(llama, f"root ::= {json.dumps(wanted, ensure_ascii=False)}", "Say hi.")

    assert "".join(pieces) == wanted
    assert all("\ufffd" not in piece for piece in pieces)
    assert len(pieces) > 3  # it was written token by token, not in one go
