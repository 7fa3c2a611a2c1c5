"""The WordPiece tokenizer against Hugging Face `tokenizers`, the one the model was made with.

The reference is built here over a small vocabulary and saved as the `tokenizer.json` our
tokenizer reads, so both read the same file; then both tokenize the same varied text (accents,
CJK, punctuation of every kind, controls, odd whitespace, long words, random characters).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

from synthetic_soul.adapters.embeddings.wordpiece import WordPiece

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
LINES = (
    "the my sister anna girl i grew up with stock market fell cafe naive resume",
    "un ##believ ##able ##s ##k ##ing ##ed grow ##n don [ ] ' t e - mail @ . , ! ? ( ) $ % &",
    "東 京 北 ## ##a ##n ##e ##r ##t ##i a b c d e f g h i j k l m n o p q r s t u v w x y z",
)
WORDS = [word for line in LINES for word in line.split()]
ALPHABET = (
    [chr(c) for c in range(32, 127)]
    + list("áéíóúàèçñüöÅØæœßİıΣσςΩДжЖ")
    + list("東京北欢迎你한국어カタカナひらがな")
    + list("—–…«»“”‘’¡¿·•※‰")
    + ["\t", "\n", "\r", "\x00", "\x07", "\x1c", "\x85", "\xa0", "\u2003", "\u2028", "\u200b"]
    + ["\ufeff", "\ufffd", "\u0301", "\u0378", "\ue000", "😀", "🎉", "𠀀"]
)


@pytest.fixture(scope="module")
def tokenizer_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vocab = {token: i for i, token in enumerate(dict.fromkeys(SPECIAL + WORDS))}
    reference = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=12))
    reference.normalizer = normalizers.BertNormalizer(lowercase=True)
    reference.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    reference.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    path = tmp_path_factory.mktemp("tokenizer") / "tokenizer.json"
    reference.save(str(path))
    return path


def samples() -> list[str]:
    fixed = [
        "",
        "My sister Anna, the girl I grew up with!",
        "Unbelievable: the stock market fell (again)...",
        "Café naïve RÉSUMÉ",
        "東京 and 北京欢迎你",
        "don't e-mail me@anna.example",
        "tab\tnew\nline\r\x00zero\ufffd\x1c sep\x85 nbsp\u00a0x\u2028y\u200bz",
        "İstanbul ΣΊΣΥΦΟΣ",
        "growngrowngrowngrown grown",  # longer than max_input_chars_per_word: [UNK]
        "😀 🎉 ※ ‰",
    ]
    rng = random.Random(14)
    made = ["".join(rng.choices(ALPHABET, k=rng.randint(0, 60))) for _ in range(1500)]
    words = [" ".join(rng.choices(WORDS, k=rng.randint(1, 20))) for _ in range(300)]
    return fixed + made + words


def test_the_ids_are_those_tokenizers_gives(tokenizer_file: Path) -> None:
    reference = Tokenizer.from_file(str(tokenizer_file))
    ours = WordPiece.from_file(tokenizer_file)

    for text in samples():
        assert ours.encode(text, 512) == reference.encode(text).ids, repr(text)


def test_a_long_text_is_cut_to_the_limit_with_its_markers(tokenizer_file: Path) -> None:
    reference = Tokenizer.from_file(str(tokenizer_file))
    reference.enable_truncation(16)
    ours = WordPiece.from_file(tokenizer_file)
    text = "my sister anna grew up with the girl i grew up with " * 3

    ids = ours.encode(text, 16)

    assert ids == reference.encode(text).ids
    assert (len(ids), ids[0], ids[-1]) == (16, 2, 3)


def test_special_tokens_in_the_text_are_text(tokenizer_file: Path) -> None:
    ours = WordPiece.from_file(tokenizer_file)
    assert ours.tokens("[MASK] anna") == ["[", "m", "##a", "##s", "##k", "]", "anna"]


def test_other_tokenizers_are_refused(tmp_path: Path) -> None:
    reference = Tokenizer(models.BPE())
    path = tmp_path / "tokenizer.json"
    reference.save(str(path))
    with pytest.raises(ValueError, match="not a BERT WordPiece tokenizer"):
        WordPiece.from_file(path)
