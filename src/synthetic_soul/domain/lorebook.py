"""A character's lorebook: facts that enter the prompt only when the talk turns to them.

A card's `character_book` holds entries, each with the words (keys) that call it up and the
text (content) it brings. Only what the recent messages mention is worth its tokens, so a
reply reads the constant entries and those whose keys appear, as many as a budget allows.

Regular-expression keys are never run: card text is untrusted and a pattern can take
exponential time on a crafted message, so an entry with `use_regex` matches nothing (it is
kept on the card and exported again unchanged).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# The scan depth when a book names none: the last few messages decide what is talked about.
DEFAULT_SCAN_DEPTH = 4
# The budget when neither the caller nor the book names one.
DEFAULT_TOKEN_BUDGET = 512


@dataclass(frozen=True)
class LoreEntry:
    """One lorebook entry; optional fields stay None when the card left them out."""

    keys: tuple[str, ...]
    content: str
    enabled: bool = True
    insertion_order: float = 0
    case_sensitive: bool | None = None
    use_regex: bool = False
    constant: bool | None = None
    selective: bool | None = None
    secondary_keys: tuple[str, ...] | None = None
    name: str | None = None
    priority: float | None = None
    id: int | str | None = None
    comment: str | None = None
    position: str | None = None
    extensions: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lorebook:
    """A card's book: its entries and the book-wide settings it may name."""

    entries: tuple[LoreEntry, ...] = ()
    name: str | None = None
    description: str | None = None
    scan_depth: int | None = None
    token_budget: int | None = None
    recursive_scanning: bool | None = None
    extensions: dict[str, Any] = field(default_factory=dict)


def estimate_tokens(text: str) -> int:
    """About four characters a token, as the scripted model counts; never under one."""
    return max(1, (len(text) + 3) // 4)


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def mentions(text: str, key: str, case_sensitive: bool) -> bool:
    """Whether the key appears in the text as a whole word (or phrase).

    "cat" finds "the cat sat" but not "category": a key's edge that is a letter or digit
    must not run on into another letter or digit in the text.
    """
    needle = key.strip()
    if not needle:
        return False
    hay = text if case_sensitive else text.casefold()
    needle = needle if case_sensitive else needle.casefold()
    start = hay.find(needle)
    while start != -1:
        end = start + len(needle)
        before_ok = start == 0 or not (_is_word_char(needle[0]) and _is_word_char(hay[start - 1]))
        after_ok = end == len(hay) or not (_is_word_char(needle[-1]) and _is_word_char(hay[end]))
        if before_ok and after_ok:
            return True
        start = hay.find(needle, start + 1)
    return False


def triggered(entry: LoreEntry, text: str) -> bool:
    """Whether an entry is called up by the text: a key, and a secondary one if selective."""
    if not entry.enabled or not entry.content.strip():
        return False
    if entry.constant:
        return True
    if entry.use_regex:
        return False
    sensitive = bool(entry.case_sensitive)
    if not any(mentions(text, key, sensitive) for key in entry.keys):
        return False
    if entry.selective and entry.secondary_keys:
        return any(mentions(text, key, sensitive) for key in entry.secondary_keys)
    return True


def select(
    book: Lorebook,
    messages: Sequence[str],
    token_budget: int | None = None,
    scan_depth: int | None = None,
) -> list[LoreEntry]:
    """The entries to put in the prompt for these messages (oldest first), in prompt order.

    Scans the last `scan_depth` messages (the caller's, else the book's, else
    `DEFAULT_SCAN_DEPTH`). Constant entries claim the budget first, then the triggered ones by
    priority (higher first; none counts as 0), then by insertion order; an entry that does not
    fit is skipped and a smaller one may still fit. The chosen come back ordered by
    `insertion_order` (smaller first), ties in the book's order. Disabled entries never come.
    """
    depth = scan_depth if scan_depth is not None else book.scan_depth
    depth = DEFAULT_SCAN_DEPTH if depth is None else max(0, depth)
    recent = list(messages)[-depth:] if depth else []
    text = "\n".join(recent)
    budget = token_budget if token_budget is not None else book.token_budget
    budget = DEFAULT_TOKEN_BUDGET if budget is None else max(0, budget)

    active = [(i, e) for i, e in enumerate(book.entries) if triggered(e, text)]
    claim = sorted(
        active,
        key=lambda item: (
            not item[1].constant,
            -(item[1].priority or 0),
            item[1].insertion_order,
            item[0],
        ),
    )
    chosen: list[tuple[int, LoreEntry]] = []
    spent = 0
    for i, entry in claim:
        cost = estimate_tokens(entry.content)
        if spent + cost <= budget:
            chosen.append((i, entry))
            spent += cost
    chosen.sort(key=lambda item: (item[1].insertion_order, item[0]))
    return [entry for _, entry in chosen]


def render(entries: Iterable[LoreEntry]) -> str:
    """The chosen entries' text, one paragraph each, for a prompt."""
    return "\n\n".join(e.content.strip() for e in entries)
