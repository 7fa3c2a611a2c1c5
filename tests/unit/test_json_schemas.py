"""The mind's output schemas in the forms model servers accept (OpenAI strict, JSON mode)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from synthetic_soul.adapters.llm.answers import parse_answer
from synthetic_soul.adapters.llm.json_schemas import (
    UnsupportedSchemaError,
    grammar_schema,
    guide_schema,
    strict_schema,
)
from synthetic_soul.mind.schemas import ReflectOutput, ReplyOutput, ReplyText, ThinkOutput

MIND_SCHEMAS = (ReplyOutput, ReflectOutput, ThinkOutput)
# Keywords OpenAI's strict mode rejects, or that say nothing to it.
REJECTED = {"$ref", "$defs", "default", "title", "minLength", "maxLength", "oneOf", "allOf"}


def nodes(schema: Any) -> Iterator[dict[str, Any]]:
    """Every schema node, walking properties, items and anyOf (not the property maps)."""
    if not isinstance(schema, dict):
        return
    yield schema
    for sub in schema.get("properties", {}).values():
        yield from nodes(sub)
    yield from nodes(schema.get("items"))
    for variant in schema.get("anyOf", []):
        yield from nodes(variant)


def objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in nodes(schema) if n.get("type") == "object" or "properties" in n]


@pytest.mark.parametrize("model", MIND_SCHEMAS, ids=lambda m: m.__name__)
def test_every_object_is_closed_with_every_property_required(model: type[BaseModel]) -> None:
    schema = strict_schema(model)
    found = objects(schema)
    assert len(found) >= 2  # the root and at least one nested object
    for node in found:
        assert node["additionalProperties"] is False, node
        assert node["required"] == list(node["properties"]), node


@pytest.mark.parametrize("model", MIND_SCHEMAS, ids=lambda m: m.__name__)
def test_no_keyword_strict_mode_rejects(model: type[BaseModel]) -> None:
    for node in nodes(strict_schema(model)):
        assert not REJECTED & set(node), node


@pytest.mark.parametrize("model", MIND_SCHEMAS, ids=lambda m: m.__name__)
def test_the_root_lists_the_models_fields(model: type[BaseModel]) -> None:
    schema = strict_schema(model)
    assert schema["type"] == "object"
    assert list(schema["properties"]) == list(model.model_fields)


def test_optional_fields_stay_nullable_and_defaults_without_null_must_be_given() -> None:
    reply = strict_schema(ReplyOutput)["properties"]
    assert {"type": "null"} in reply["reply"]["anyOf"]
    assert {"type": "null"} in reply["thought"]["anyOf"]
    reflect = strict_schema(ReflectOutput)["properties"]
    assert reflect["insights"]["type"] == "array"  # no null: the model must give a list
    assert reflect["insights"]["maxItems"] == 3


def test_numeric_bounds_are_kept() -> None:
    appraisal = strict_schema(ReplyOutput)["properties"]["appraisal"]["properties"]
    assert (appraisal["desirability"]["minimum"], appraisal["desirability"]["maximum"]) == (-10, 10)


def test_the_guide_keeps_length_bounds_and_closes_objects() -> None:
    guide = guide_schema(ReplyOutput)
    assert "$defs" not in guide and "title" not in guide
    text = guide["properties"]["reply"]["anyOf"][0]["properties"]["message"]
    assert text["maxLength"] == 2000
    for node in objects(guide):
        assert node["additionalProperties"] is False


@pytest.mark.parametrize("model", MIND_SCHEMAS, ids=lambda m: m.__name__)
def test_the_grammar_form_enumerates_integers_and_caps_strings(model: type[BaseModel]) -> None:
    """llama.cpp's converter drops minimum/maximum; an enum is what it enforces."""
    integers = [n for n in nodes(grammar_schema(model)) if n.get("type") == "integer"]
    bounded = [n for n in integers if "minimum" in n and "maximum" in n]
    assert bounded, "every mind schema has a bounded integer (the appraisal)"
    for node in bounded:
        assert node["enum"] == list(range(node["minimum"], node["maximum"] + 1))
    # Else only long strings differ: capped at 1,000 characters, which llama.cpp can unroll.
    assert max(n.get("maxLength", 0) for n in nodes(grammar_schema(model))) <= 1000
    assert loosened(grammar_schema(model)) == loosened(guide_schema(model))


def loosened(node: Any) -> Any:
    """`node` without the enums of integer nodes and without string length bounds."""
    if isinstance(node, list):
        return [loosened(item) for item in node]
    if not isinstance(node, dict):
        return node
    integer = node.get("type") == "integer"
    return {
        k: loosened(v)
        for k, v in node.items()
        if not (integer and k == "enum") and k != "maxLength"
    }


def test_a_field_named_title_survives() -> None:
    class Book(BaseModel):
        title: str

    assert list(guide_schema(Book)["properties"]) == ["title"]
    assert strict_schema(Book)["required"] == ["title"]


def test_callers_get_their_own_copy() -> None:
    strict_schema(ReplyOutput)["properties"].clear()
    assert strict_schema(ReplyOutput)["properties"]


class Node(BaseModel):
    children: list[Node] = []


class Bag(BaseModel):
    anything: dict[str, int]


@pytest.mark.parametrize("model", [Node, Bag], ids=["recursive", "free-form"])
def test_shapes_strict_mode_cannot_express_are_refused(model: type[BaseModel]) -> None:
    with pytest.raises(UnsupportedSchemaError):
        strict_schema(model)


def test_an_answer_with_a_raw_line_break_in_a_string_is_read() -> None:
    """llama.cpp's grammar lets raw control characters into strings; they mean what they say."""
    text = parse_answer('{"message": "two\nlines", "purpose": "p", "tone": "t"}', ReplyText)
    assert text.message == "two\nlines"
    with pytest.raises(ValidationError, match="json_invalid"):
        parse_answer('{"message": "cut off', ReplyText)
