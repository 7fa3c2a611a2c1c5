"""Answers brought within our bounds before validation: mended where they can be, not refused.

The schema a provider enforces is often looser than the pydantic models: OpenAI's strict form
cannot carry `maxLength`, JSON-mode servers enforce what they like, grammars ignore integer
bounds. Refusing an answer for a tag two characters too long costs a whole corrective call
(a third more calls per message with a hosted model), so what is over a bound is cut, clamped
or trimmed instead, reading the bounds from the model's own JSON schema so that every answer
model is held to them the same way. What cannot be mended (a missing field, a word where a
number belongs, no text where text is needed) is left for validation to refuse.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from typing import Any

from pydantic import BaseModel, model_validator

# A cut ends at one of these when one is near enough to the limit (see `cut`).
_BREAK = re.compile(r"[\s,;:/_\-]")
# Punctuation left dangling at the end of a cut.
_TRAILING = " \t\n,;:/_-"
# Line breaks and tabs mean what they say in a reply; other control characters are noise
# (terminal escapes, NULs) that no one should be shown or have stored.
_KEPT_CONTROLS = frozenset("\n\t\r")
_TYPES: dict[type, tuple[str, ...]] = {
    str: ("string",),
    bool: ("boolean",),
    int: ("integer", "number"),
    float: ("number", "integer"),
    list: ("array",),
    dict: ("object",),
}


def clean(text: str) -> str:
    """`text` without control characters other than line breaks and tabs, trimmed."""
    if text.isprintable():
        return text.strip()
    kept = (c for c in text if c in _KEPT_CONTROLS or unicodedata.category(c) != "Cc")
    return "".join(kept).replace("\r\n", "\n").replace("\r", "\n").strip()


def cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending at a word when one ends near the limit.

    Near means in the last third: a tag of one long word is cut mid-word rather than emptied.
    """
    if len(text) <= limit:
        return text
    head = text[:limit]
    if not _BREAK.match(text[limit]):
        breaks = [m.start() for m in _BREAK.finditer(head)]
        if breaks and breaks[-1] >= limit * 2 // 3:
            head = head[: breaks[-1]]
    return head.rstrip(_TRAILING) or head


def _number(value: Any, node: dict[str, Any]) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return value  # not a number: validation says so
    if not isinstance(value, int | float) or not math.isfinite(value):
        return value
    if node.get("type") == "integer" and isinstance(value, float):
        value = round(value)
    low, high = node.get("minimum"), node.get("maximum")
    if isinstance(low, int | float) and value < low:
        value = low
    if isinstance(high, int | float) and value > high:
        value = high
    return value


def _text(value: str, node: dict[str, Any]) -> str:
    text = clean(value)
    choices = node.get("enum")
    if isinstance(choices, list) and text not in choices:
        folded = text.casefold()
        text = next((c for c in choices if isinstance(c, str) and c.casefold() == folded), text)
    limit = node.get("maxLength")
    return cut(text, limit) if isinstance(limit, int) else text


def _items(value: list[Any], node: dict[str, Any]) -> list[Any]:
    item = node.get("items")
    items = [mend(v, item) for v in value] if isinstance(item, dict) else list(value)
    shortest = item.get("minLength") if isinstance(item, dict) else None
    if isinstance(shortest, int):
        # An empty tag says nothing: drop it rather than refuse the memory it came with.
        items = [v for v in items if not isinstance(v, str) or len(v) >= shortest]
    longest = node.get("maxItems")
    return items[:longest] if isinstance(longest, int) else items


def _branch(value: Any, branches: list[Any]) -> dict[str, Any] | None:
    """The branch of an `anyOf` that `value`'s JSON type belongs to."""
    wanted = _TYPES.get(type(value), ())
    for kind in wanted:
        for b in branches:
            if isinstance(b, dict) and b.get("type") == kind:
                return b
    if isinstance(value, dict):  # a nested model, which mends itself
        return next((b for b in branches if isinstance(b, dict) and "$ref" in b), None)
    non_null = [b for b in branches if isinstance(b, dict) and b.get("type") != "null"]
    return non_null[0] if len(non_null) == 1 else None


def mend(value: Any, node: dict[str, Any]) -> Any:
    """`value` brought within the JSON schema `node`'s bounds, where that can be done."""
    if value is None or "$ref" in node:
        return value  # a nested model is mended by its own validator
    if "const" in node:
        return node["const"]  # the one right value of a field the model does not choose
    if "anyOf" in node:
        branch = _branch(value, node["anyOf"])
        return value if branch is None else mend(value, branch)
    kind = node.get("type")
    if kind in ("integer", "number"):
        return _number(value, node)
    if kind == "string" and isinstance(value, str):
        return _text(value, node)
    if kind == "array" and isinstance(value, list):
        return _items(value, node)
    properties = node.get("properties")
    if isinstance(properties, dict) and isinstance(value, dict):
        return {k: mend(v, properties[k]) if k in properties else v for k, v in value.items()}
    return value


@functools.cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


class Bounded(BaseModel):
    """A model answer held to its bounds by mending what a provider let through (see above)."""

    @model_validator(mode="before")
    @classmethod
    def _within_bounds(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        mended: Any = mend(data, _schema(cls))
        return mended
