"""A chat as the model reads it: the messages in the model's own chat template, as tokens.

The template is the one llama-cpp-python's `create_chat_completion` would use for this model
file: the Jinja template the GGUF carries (rendered by llama-cpp-python's own formatter), or,
for a file without one, llama-cpp-python's fallback format. It is compiled once per model.

A prompt can also be cut where a message's text ends (`head`): the tokens a later chat whose
last message starts with that text shares with it, so they can be evaluated ahead of time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llama_cpp import Llama

Messages = list[dict[str, str]]

# Appended to the last message to find where its text ends in the rendered prompt: a string
# no template adds and no prompt of ours contains.
_CUT = "\u2063\u2063soul-prepared-up-to-here\u2063\u2063"


class ChatPrompt:
    def __init__(self, llama: Llama) -> None:
        from llama_cpp import llama_chat_format

        self._llama = llama
        template = llama.metadata.get("tokenizer.chat_template")
        self._format: Any
        if template:
            model = llama._model
            eos, bos = llama.token_eos(), llama.token_bos()
            self._format = llama_chat_format.Jinja2ChatFormatter(
                template=template,
                eos_token=model.token_get_text(eos) if eos != -1 else "",
                bos_token=model.token_get_text(bos) if bos != -1 else "",
                stop_token_ids=[eos],
            )
        else:  # what create_chat_completion falls back to for a file without a template
            self._format = llama_chat_format.format_llama2

    def tokens(self, messages: Messages) -> list[int]:
        """The whole prompt, up to where the model starts its answer."""
        text, added_special = self._render(messages)
        return self._tokenize(text, added_special)

    def head(self, messages: Messages) -> list[int]:
        """The prompt up to the end of the last message's text (without what the template
        puts after it): the prefix of any later prompt whose last message starts with it."""
        *earlier, last = messages
        marked = [*earlier, {**last, "content": last["content"] + _CUT}]
        text, added_special = self._render(marked)
        cut = text.find(_CUT)
        if cut < 0:  # a template that rewrites the text: nothing sure to share
            return []
        return self._tokenize(text[:cut], added_special)

    def _render(self, messages: Messages) -> tuple[str, bool]:
        result = self._format(messages=messages)
        return str(result.prompt), bool(result.added_special)

    def _tokenize(self, text: str, added_special: bool) -> list[int]:
        # As create_chat_completion does: the template's own markers are special tokens, and
        # a template that writes the BOS itself gets no second one.
        return self._llama.tokenize(text.encode(), add_bos=not added_special, special=True)
