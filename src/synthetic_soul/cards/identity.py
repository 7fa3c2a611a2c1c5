"""An imported card's first identity: who the character says it is, in one short line.

Drawn from the card's name and the first sentence of its description, never from its
instructions (system prompt, post-history instructions) or notes; deterministic. Cards write
descriptions about the character ("{{char}} is a retired sailor…", "A grumpy old sailor…"),
so a sentence that says what the character is becomes "I am NAME, a retired sailor…"; any
other is said after "I am NAME.". A description in a template format (W++ brackets, "Name:
…" lines) or with no sentence gives "I am NAME." alone. See docs/cards.md.
"""

from __future__ import annotations

import re

from synthetic_soul.cards.card import Card

MAX_NAME_CHARS = 100
MAX_SENTENCE_CHARS = 200  # the sentence taken, cut at a word
CHAR = re.compile(r"\{\{\s*char\s*\}\}|<bot>", re.IGNORECASE)
USER = re.compile(r"\{\{\s*user\s*\}\}|<user>", re.IGNORECASE)
TEMPLATE = re.compile(r"[\[\]{}<>]|^\W*\w+( \w+){0,2}:")  # W++, "Name: Rose", markup
LEADING_MARKS = re.compile(r"^[\s*_>\"'`~-]+")
TRAILING_MARKS = re.compile(r"[\s*_\"'`~]+$")
# A sentence ends at . ! or ? before a space and a capital (or the end), but not after a title.
SENTENCE_END = re.compile(
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)[.!?](?=\s+[A-Z\"'(]|\s*$)"
)
ARTICLE = re.compile(r"^(a|an|the)\s", re.IGNORECASE)  # "Rose is a witch…"
INDEFINITE = re.compile(r"^(a|an)\s", re.IGNORECASE)  # "A witch who…"


def identity_of(card: Card) -> str:
    """The line "I am NAME…" for a card that brings no identity of ours."""
    name = " ".join(card.name.split())[:MAX_NAME_CHARS]
    sentence = _first_sentence(card.description, name)
    if not sentence:
        return f"I am {name}."
    said_is = f"{name} is "
    if sentence.startswith(said_is) and ARTICLE.match(sentence[len(said_is) :]):
        return f"I am {name}, {sentence[len(said_is) :]}"
    if INDEFINITE.match(sentence):
        return f"I am {name}, {sentence[0].lower()}{sentence[1:]}"
    if sentence.startswith(f"I am {name}"):
        return sentence
    return f"I am {name}. {sentence}"


def _first_sentence(description: str, name: str) -> str:
    """The first sentence of the first line of text (a heading is no text), or ""."""
    said = USER.sub("you", CHAR.sub(name, description)).replace("*", "")  # no emphasis
    lines = (
        TRAILING_MARKS.sub("", LEADING_MARKS.sub("", line))
        for line in said.splitlines()
        if not _heading(line)
    )
    text = " ".join(next((line for line in lines if line.strip()), "").split())
    if not text or TEMPLATE.search(text[: MAX_SENTENCE_CHARS * 2]):
        return ""
    end = SENTENCE_END.search(text)
    sentence = text[: end.end()] if end else text
    if len(sentence) > MAX_SENTENCE_CHARS:
        cut = sentence[:MAX_SENTENCE_CHARS].rsplit(" ", 1)[0].rstrip(",;:-")
        sentence = f"{cut}…"
    elif sentence[-1] not in ".!?":
        sentence += "."
    return sentence


def _heading(line: str) -> bool:
    return line.lstrip().startswith("#")
