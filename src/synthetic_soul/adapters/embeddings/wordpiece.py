"""BERT's WordPiece tokenizer, as `tokenizer.json` describes it, in plain Python.

The steps are those of Hugging Face `tokenizers`' BertNormalizer, BertPreTokenizer and
WordPiece model, so the ids match what the model was trained on:
1. clean: drop NUL, U+FFFD and control characters, turn every whitespace into a space;
2. put spaces around CJK ideographs (each is a word of its own);
3. strip accents (NFD, drop non-spacing marks) and lower-case, character by character;
4. split on whitespace, and make every punctuation character a word of its own;
5. each word: greedy longest match against the vocabulary, continuations prefixed `##`;
   a word with no full match (or longer than `max_word_chars`) is one `[UNK]`.

One deliberate difference: `tokenizers` would read a literal "[CLS]" or "[MASK]" in the text
as that special token; here what a person wrote is always text.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_KEEP_CONTROLS = frozenset("\t\n\r")  # whitespace, not control, to BERT


def _is_control(char: str) -> bool:
    """Control, format, private-use and surrogate characters, as `tokenizers` counts them
    (unassigned code points stay, and make their word unknown). Checked before whitespace,
    so "\x1c", which Python counts as a space, is dropped."""
    return char not in _KEEP_CONTROLS and unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs")


def _is_punctuation(char: str) -> bool:
    # BERT counts all non-alphanumeric ASCII as punctuation, "$", "^" and "`" included.
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    """CJK Unified Ideographs and their extensions: not Hangul, kana or other scripts."""
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


@dataclass(frozen=True)
class WordPiece:
    vocab: Mapping[str, int]
    lowercase: bool = True
    strip_accents: bool = True
    unknown: str = "[UNK]"
    prefix: str = "##"
    max_word_chars: int = 100
    first: str = "[CLS]"
    last: str = "[SEP]"

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        """The tokenizer a BERT `tokenizer.json` describes; refuses any other kind."""
        spec = json.loads(path.read_text(encoding="utf-8"))
        normalizer, model = spec.get("normalizer") or {}, spec.get("model") or {}
        kinds = (normalizer.get("type"), (spec.get("pre_tokenizer") or {}).get("type"))
        if kinds != ("BertNormalizer", "BertPreTokenizer") or model.get("type") != "WordPiece":
            raise ValueError(f"{path} is not a BERT WordPiece tokenizer: {kinds}")
        lowercase = bool(normalizer.get("lowercase", True))
        strip = normalizer.get("strip_accents")
        return cls(
            vocab=model["vocab"],
            lowercase=lowercase,
            strip_accents=lowercase if strip is None else bool(strip),
            unknown=model.get("unk_token", "[UNK]"),
            prefix=model.get("continuing_subword_prefix", "##"),
            max_word_chars=int(model.get("max_input_chars_per_word", 100)),
        )

    def normalize(self, text: str) -> str:
        """Steps 1-3: the text as the vocabulary spells it."""
        chars: list[str] = []
        for char in text:
            code = ord(char)
            if code == 0 or code == 0xFFFD or _is_control(char):
                continue
            if char.isspace():
                chars.append(" ")
            elif _is_cjk(code):
                chars.extend((" ", char, " "))
            else:
                chars.append(char)
        out = "".join(chars)
        if self.strip_accents:
            out = "".join(
                c for c in unicodedata.normalize("NFD", out) if unicodedata.category(c) != "Mn"
            )
        if self.lowercase:
            out = "".join(c.lower() for c in out)  # per character, as `tokenizers` does
        return out

    def words(self, text: str) -> list[str]:
        """Steps 1-4: the words and punctuation marks of `text`."""
        words: list[str] = []
        for chunk in self.normalize(text).split():
            start = 0
            for i, char in enumerate(chunk):
                if _is_punctuation(char):
                    if start < i:
                        words.append(chunk[start:i])
                    words.append(char)
                    start = i + 1
            if start < len(chunk):
                words.append(chunk[start:])
        return words

    def pieces(self, word: str) -> list[str]:
        """Step 5 for one word."""
        if len(word) > self.max_word_chars:
            return [self.unknown]
        pieces: list[str] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else self.prefix + word[start:end]
                if piece in self.vocab:
                    break
                end -= 1
            else:
                return [self.unknown]
            pieces.append(piece)
            start = end
        return pieces

    def tokens(self, text: str) -> list[str]:
        return [piece for word in self.words(text) for piece in self.pieces(word)]

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """The ids of `[CLS] text [SEP]`, the text cut to fit `max_tokens` in all."""
        vocab = self.vocab
        body = [vocab[t] for t in self.tokens(text)[: max_tokens - 2]]
        return [vocab[self.first], *body, vocab[self.last]]

    def encode_pair(self, first: str, second: str, max_tokens: int) -> tuple[list[int], list[int]]:
        """The ids of `[CLS] first [SEP] second [SEP]` and each id's segment (0 for the first
        text, 1 for the second), cut to `max_tokens` in all: the second text is cut first,
        then the first if it alone does not fit in half."""
        head = self.encode(first, max(max_tokens // 2, max_tokens - 1 - len(self.tokens(second))))
        tail = self.encode(second, max_tokens - len(head) + 1)[1:]
        return [*head, *tail], [0] * len(head) + [1] * len(tail)
