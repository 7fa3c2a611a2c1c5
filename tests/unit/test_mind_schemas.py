"""What the model must answer: the rules pydantic holds it to beyond any grammar."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from synthetic_soul.adapters.llm.json_schemas import grammar_schema, instruction, strict_schema
from synthetic_soul.domain.expressions import EXPRESSIONS
from synthetic_soul.mind.schemas import DirectReplyOutput, ReplyOutput, ThinkOutput

APPRAISAL = {"desirability": 1, "praiseworthiness": 0, "liking": 2, "unexpectedness": 3}
PERCEPTION = {"purpose": "greeting", "tone": "warm"}
REPLY = {"message": "Hi!", "purpose": "greet", "tone": "warm"}


def doc(**fields: Any) -> dict[str, Any]:
    return {"perception": PERCEPTION, "appraisal": APPRAISAL, "expression": "joy_happy"} | fields


def test_responding_without_words_is_silence_not_an_error() -> None:
    out = ReplyOutput.model_validate(doc(addressed=True, respond=True, reply=None))
    assert (out.respond, out.reply) == (False, None)


def test_a_direct_message_is_always_answered() -> None:
    out = DirectReplyOutput.model_validate(doc(reply=REPLY))
    assert (out.addressed, out.respond, out.reply.message) == (True, True, "Hi!")
    with pytest.raises(ValidationError, match="reply"):
        DirectReplyOutput.model_validate(doc(reply=None))
    # Not the model's to choose: a wrong value is mended, not refused (test_answer_bounds).
    assert DirectReplyOutput.model_validate(doc(respond=False, reply=REPLY)).respond is True


def test_the_reply_is_written_before_the_appraisal() -> None:
    """The user reads the reply as it is written; what comes before it is waited for."""
    for model in (ReplyOutput, DirectReplyOutput):
        order = list(grammar_schema(model)["properties"])
        assert order.index("reply") < order.index("appraisal"), order


def test_a_direct_reply_opens_with_its_text() -> None:
    """In a DM nothing is decided before the reply: the model is shown it first, and what it
    perceives comes after the reply in a group too, where deciding to answer comes first."""
    direct = grammar_schema(DirectReplyOutput)
    assert next(iter(direct["properties"])) == "reply"
    assert direct["required"][0] == "reply"  # llama.cpp's grammar writes required ones first
    shown = instruction(direct)
    assert shown.index('"reply"') < shown.index('"perception"') < shown.index('"appraisal"')
    group = list(grammar_schema(ReplyOutput)["properties"])
    assert group[:4] == ["addressed", "respond", "reply", "perception"]


def test_expressions_are_offered_by_name_and_an_unknown_one_still_validates() -> None:
    assert grammar_schema(ReplyOutput)["properties"]["expression"]["enum"] == list(EXPRESSIONS)
    think = strict_schema(ThinkOutput)["properties"]["expression"]["anyOf"]
    assert {"type": "null"} in think and any(b.get("enum") == list(EXPRESSIONS) for b in think)
    # The choice is the model's guide; an unknown name is mapped later, not refused here.
    out = ReplyOutput.model_validate(doc(addressed=True, respond=False, reply=None, expression="x"))
    assert out.expression == "x"


def test_the_reply_appraises_the_users_fortune_within_bounds() -> None:
    """Asked of every model (required in the grammar), mended into -10..10, 0 when missing."""
    for model in (ReplyOutput, DirectReplyOutput):
        axes = grammar_schema(model)["properties"]["appraisal"]
        assert "desirability_for_user" in axes["required"], axes
        order = list(axes["properties"])
        assert order.index("desirability_for_user") == order.index("desirability") + 1
    told = APPRAISAL | {"desirability_for_user": -15}
    out = DirectReplyOutput.model_validate(doc(reply=REPLY, appraisal=told))
    assert out.appraisal.to_domain().desirability_for_user == -10.0
    assert DirectReplyOutput.model_validate(doc(reply=REPLY)).appraisal.desirability_for_user == 0
