"""The mind's output schemas in the forms model servers accept (OpenAI strict, JSON mode)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from synthetic_soul.adapters.llm.json_schemas import (
    UnsupportedSchemaError,
    guide_schema,
    strict_schema,
)
from synthetic_soul.mind.schemas import ReflectOutput, ReplyOutput, ThinkOutput

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
