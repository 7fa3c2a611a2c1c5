"""Reading a model's JSON answer into its pydantic model."""

from __future__ import annotations

import json

from synthetic_soul.ports import M


def parse_answer(content: str, schema: type[M]) -> M:
    """The answer, validated; pydantic's ValidationError (quoting the problem) if it is not.

    Raw control characters inside strings (a line break in a reply) are accepted: llama.cpp's
    JSON grammar lets them through though JSON forbids them, and they mean what they say.
    """
    try:
        data = json.loads(content, strict=False)
    except json.JSONDecodeError:
        return schema.model_validate_json(content)  # raises, saying where the JSON breaks
    return schema.model_validate(data)
