"""Whom a text the agent wrote names: what decides who may read a thought made alone.

The think prompt lists contacts by username, so a model's thought can name one of them; a
thought shared with everyone must name no one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def named(text: str, usernames: Iterable[str]) -> tuple[str, ...]:
    """The usernames that `text` names as whole words, ignoring case, in the order given.

    "Ada's" names ada; "adamant" does not. A username that is also a common word is still
    taken as named: a thought hidden from the others is the safe mistake.
    """
    folded = text.casefold()
    found: list[str] = []
    for username in dict.fromkeys(usernames):
        word = username.casefold()
        if word and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded):
            found.append(username)
    return tuple(found)
