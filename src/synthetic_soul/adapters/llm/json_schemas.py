"""A pydantic model's JSON schema in the forms model servers accept.

`strict_schema` is OpenAI's structured-outputs subset: refs inlined, every object closed
with every property required, keywords it rejects dropped. `guide_schema` is what JSON-mode
servers are shown (and what llama.cpp's grammar converter enforces): refs inlined, objects
closed, bounds such as `maxLength` kept because they stop small models looping.

Dropping a keyword only loosens generation: callers still validate the answer with the
pydantic model, so whatever the server lets through is checked once more.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from pydantic import BaseModel

# What OpenAI's strict mode accepts (its documented subset of JSON Schema).
_STRICT_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "anyOf",
        "enum",
        "const",
        "description",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "pattern",
        "format",
    }
)
_STRICT_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)


class UnsupportedSchemaError(ValueError):
    """The model's schema uses a shape a strict server cannot express."""


def _inline(node: Any, defs: dict[str, Any], seen: tuple[str, ...]) -> Any:
    """`node` with every local `$ref` replaced by its definition (siblings win)."""
    if isinstance(node, list):
        return [_inline(item, defs, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.removeprefix("#/$defs/")
        if name == ref or name not in defs:
            raise UnsupportedSchemaError(f"unresolvable $ref {ref!r}")
        if name in seen:
            raise UnsupportedSchemaError(f"recursive $ref {ref!r} cannot be inlined")
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        resolved = _inline(defs[name], defs, (*seen, name))
        return {**resolved, **_inline(siblings, defs, seen)}
    return {k: _inline(v, defs, seen) for k, v in node.items() if k != "$defs"}


def _inlined(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    result: dict[str, Any] = _inline(schema, schema.get("$defs", {}), ())
    return result


def _merge_all_of(node: dict[str, Any]) -> dict[str, Any]:
    parts = node.get("allOf")
    if parts is None:
        return node
    if not isinstance(parts, list) or len(parts) != 1:
        raise UnsupportedSchemaError("allOf with several schemas is not supported")
    rest = {k: v for k, v in node.items() if k != "allOf"}
    merged: dict[str, Any] = {**parts[0], **rest}
    return merged


def _strict(node: dict[str, Any], path: str) -> dict[str, Any]:
    node = _merge_all_of(node)
    out = {k: v for k, v in node.items() if k in _STRICT_KEYWORDS}
    if "oneOf" in node:
        out["anyOf"] = node["oneOf"]
    if out.get("format") not in _STRICT_FORMATS:
        out.pop("format", None)
    if "anyOf" in out:
        out["anyOf"] = [_strict(v, f"{path}|") for v in out["anyOf"]]
    if "items" in out:
        if not isinstance(out["items"], dict):
            raise UnsupportedSchemaError(f"{path}: tuple-shaped arrays are not supported")
        out["items"] = _strict(out["items"], f"{path}[]")
    if out.get("type") == "object" or "properties" in out:
        properties = out.get("properties")
        if not properties:
            raise UnsupportedSchemaError(f"{path or 'root'}: a free-form object has no strict form")
        out["properties"] = {k: _strict(v, f"{path}.{k}") for k, v in properties.items()}
        # Required means present, not non-null: a field that was optional and nullable stays
        # nullable; one with a non-null default (an empty list, "") must now be given, since
        # a null there would fail the model's own validation.
        out["required"] = list(properties)
        out["additionalProperties"] = False
    return out


def _closed(node: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in node.items() if k != "title"}
    for key in ("anyOf", "oneOf", "allOf"):
        if key in out:
            out[key] = [_closed(v) for v in out[key]]
    if isinstance(out.get("items"), dict):
        out["items"] = _closed(out["items"])
    if "properties" in out:
        out["properties"] = {k: _closed(v) for k, v in out["properties"].items()}
        out["additionalProperties"] = False
    return out


_MAX_ENUMERATED = 100  # a wider range stays a plain integer
# llama.cpp unrolls `maxLength` into nested optional rules; past a total it refuses the grammar
# ("exceeds sane defaults") and generation then crashes the process. Measured with llama-cpp-
# python 0.3.36: the mind's schemas parse with strings capped at 1,000 characters, not at
# their 2,000. The pydantic model still checks the answer against its own bounds.
_MAX_GRAMMAR_CHARS = 1000


def _for_grammar(node: Any) -> Any:
    """Bounded integers as the list of their values (the grammar ignores bounds), long
    strings capped (see `_MAX_GRAMMAR_CHARS`)."""
    if isinstance(node, list):
        return [_for_grammar(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _for_grammar(v) for k, v in node.items()}
    low, high = out.get("minimum"), out.get("maximum")
    if out.get("type") == "integer" and isinstance(low, int) and isinstance(high, int):
        out.update({"enum": list(range(low, high + 1))} if high - low <= _MAX_ENUMERATED else {})
    if isinstance(out.get("maxLength"), int):
        out["maxLength"] = min(out["maxLength"], _MAX_GRAMMAR_CHARS)
    return out


@functools.cache
def _cached(model: type[BaseModel], form: str) -> dict[str, Any]:
    if form == "strict":
        return _strict(_inlined(model), "")
    guide = _closed(_inlined(model))
    return guide if form == "guide" else dict(_for_grammar(guide))


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's schema in OpenAI structured-outputs strict form."""
    return copy.deepcopy(_cached(model, "strict"))


def guide_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's schema as shown to (and enforced by) JSON-mode servers."""
    return copy.deepcopy(_cached(model, "guide"))


def grammar_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The guide as llama.cpp can enforce it: integers enumerated, long strings capped."""
    return copy.deepcopy(_cached(model, "grammar"))


def instruction(schema: dict[str, Any]) -> str:
    """The words that show a JSON-mode model the shape of its answer."""
    compact = json.dumps(schema, separators=(",", ":"), ensure_ascii=False)
    return "Answer with one JSON object and nothing else, matching this JSON schema:\n" + compact
