"""Untrusted text in a prompt, quoted so that nothing inside it can end its quotation.

Whatever a user wrote, or the model made of it (summaries, memories, thoughts, the agent's
identity), goes into a prompt as a JSON string literal: one line, in double quotes, with
every double quote, backslash and line break inside escaped. The closing quote is the first
unescaped one, and the text cannot write one, so it can neither end its block early nor
start a line of its own that would pass for the prompt's. Small models read JSON strings
well, and non-ASCII text is kept as it is, so the prompt stays readable.
"""

from __future__ import annotations

import json
import re

# Characters JSON leaves bare that still break a line for some readers (Python's
# `splitlines`, tokenizers, terminals) or reorder what is shown (bidirectional overrides):
# escaped too, so a quoted text stays on its line and reads in its order.
_UNSAFE = re.compile("[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# A name as accounts allow it: such a name cannot hold a quote, a colon or a line break,
# and is shown bare; anything else is quoted like other text.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}")


def quote(text: str) -> str:
    """`text` as a one-line JSON string literal."""
    literal = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", literal)


def name(username: str) -> str:
    """A username as a prompt names it: bare when it is a plain name, else quoted."""
    return username if _PLAIN_NAME.fullmatch(username) else quote(username)


def unquote(text: str) -> str:
    """The text a `quote` (or a bare `name`) stands for."""
    if text.startswith('"'):
        value = json.loads(text)
        if isinstance(value, str):
            return value
    return text
