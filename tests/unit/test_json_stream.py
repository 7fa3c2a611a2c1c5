"""StringAt: the reply text decoded out of a JSON document that arrives in pieces."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from synthetic_soul.adapters.llm.json_stream import StringAt
from synthetic_soul.mind.bounds import clean
from synthetic_soul.mind.schemas import REPLY_TEXT_PATH, ReplyOutput


def feed_all(pieces: list[str], path: tuple[str | int, ...] = REPLY_TEXT_PATH) -> list[str]:
    """What each piece yielded; the extractor's text must always be their concatenation."""
    field = StringAt(path)
    got = [field.feed(piece) for piece in pieces]
    assert field.text == "".join(got)
    return got


def split(text: str, cuts: list[int]) -> list[str]:
    bounds = [0, *sorted(set(cuts)), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


def every_split_in_two(text: str) -> list[list[str]]:
    return [[text[:i], text[i:]] for i in range(len(text) + 1)]


# -- escapes, whichever way the pieces are cut ---------------------------------------------
ESCAPED = r'{"reply": {"message": "a\n\"b\\ \u00e9 \ud83d\ude00 \/ \t\r\b\f end"}}'
DECODED = 'a\n"b\\ é 😀 / \t\r\b\f end'


def test_escapes_decode_in_one_piece() -> None:
    assert "".join(feed_all([ESCAPED])) == DECODED == json.loads(ESCAPED)["reply"]["message"]


def test_escapes_decode_however_the_text_is_cut_in_two() -> None:
    for pieces in every_split_in_two(ESCAPED):
        assert "".join(feed_all(pieces)) == DECODED, pieces


def test_escapes_decode_one_character_at_a_time() -> None:
    assert "".join(feed_all(list(ESCAPED))) == DECODED


def test_a_surrogate_pair_is_one_character_once_both_halves_arrive() -> None:
    doc = r'{"reply": {"message": "x\ud83d\ude00y"}}'
    high_done = doc.index(r"\ude00")
    field = StringAt(REPLY_TEXT_PATH)
    assert field.feed(doc[:high_done]) == "x"  # the high half waits for its partner
    assert field.feed(doc[high_done : high_done + 3]) == ""
    assert field.feed(doc[high_done + 3 :]) == "😀y"


def test_a_lone_high_surrogate_stands_alone_as_json_loads_keeps_it() -> None:
    doc = r'{"reply": {"message": "a\ud83db"}}'
    assert "".join(feed_all([doc])) == json.loads(doc)["reply"]["message"] == "a\ud83db"


def test_characters_are_handed_out_as_soon_as_they_are_complete() -> None:
    field = StringAt(REPLY_TEXT_PATH)
    assert field.feed('{"reply": {"message": "He') == "He"
    assert field.feed("llo") == "llo"
    assert field.feed("\\") == ""
    assert field.feed("n") == "\n"
    assert field.feed("\\u00") == ""
    assert field.feed("e9") == "é"
    assert field.feed('"') == ""
    assert field.done and field.text == "Hello\né"


def test_done_only_once_the_string_is_closed() -> None:
    cut, whole = StringAt(REPLY_TEXT_PATH), StringAt(REPLY_TEXT_PATH)
    cut.feed('{"reply": {"message": "Hello\\"')  # an escaped quote does not close it
    whole.feed('{"reply": {"message": "Hello"')
    assert (cut.done, cut.text, whole.done, whole.text) == (False, 'Hello"', True, "Hello")


# -- finding the right string --------------------------------------------------------------
@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ('{"perception": {"message": "no"}, "reply": {"message": "yes"}}', "yes"),
        ('{"message": "no", "reply": {"tone": "message", "message": "yes"}}', "yes"),
        ('{"x": [{"reply": {"message": "no"}}], "reply": {"message": "yes"}}', "yes"),
        ('{"x": {"reply": {"message": "no"}}, "reply": {"message": "yes"}}', "yes"),
        ('{"a": [1, -2.5e3, true, false, null, [], {}], "reply": {"message": "yes"}}', "yes"),
        (r'{"re\u0070ly": {"mes\u0073age": "yes"}}', "yes"),
        ('{"reply": {"message": "yes", "message": "again"}}', "yes"),  # the first one only
        ('```json\n{"reply": {"message": "yes"}}\n```', "yes"),  # a preamble is skipped
        ('{\n  "reply" :\n  {\n    "message" :\n    "yes"\n  }\n}', "yes"),
        ('{"reply": null, "respond": false}', ""),
        ('{"reply": {"message": 42}}', ""),
        ('{"reply": {"message": ["yes"]}}', ""),
        ('{"reply": "message"}', ""),
        ("not json at all", ""),
        ('{"reply": {"message": "cut sh', "cut sh"),
        ('{"reply": {"message": "kept"}} trailing {"reply": {"message": "no"}}', "kept"),
        ('{"reply" {"message": "no"}}', ""),  # a missing colon stops it
        ('{"a": 1 "reply": {"message": "no"}}', ""),  # so does a missing comma
        ('{"a": [1}, "reply": {"message": "no"}}', ""),  # and a mismatched bracket
    ],
)
def test_only_the_string_at_the_path_counts(doc: str, expected: str) -> None:
    assert "".join(feed_all([doc])) == expected
    assert "".join(feed_all(list(doc))) == expected


def test_a_path_may_go_through_lists() -> None:
    doc = '{"items": ["a", {"name": "b"}, "c"], "other": ["x"]}'
    assert "".join(feed_all([doc], ("items", 1, "name"))) == "b"
    assert "".join(feed_all([doc], ("items", 2))) == "c"
    assert "".join(feed_all([doc], ("other", 0))) == "x"


def test_the_path_names_at_least_one_key() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        StringAt(())


# -- properties ----------------------------------------------------------------------------
short = st.text(max_size=30)
texts = st.text(min_size=1, max_size=300)


@st.composite
def reply_documents(draw: st.DrawFn) -> tuple[str, str]:
    """The JSON of a valid ReplyOutput, keys in any order, in any of json.dumps's styles;
    and its message."""
    # As the answer's bounds leave it (trimmed, no stray control characters), so the
    # validated message is the drawn one.
    message = draw(texts.map(clean).filter(bool))
    reply = {
        "message": message,
        "purpose": draw(st.text(max_size=80)),
        "tone": draw(st.text(max_size=40)),
    }
    small = st.integers(-10, 10)
    fields: dict[str, Any] = {
        "appraisal": {
            "desirability": draw(small),
            "praiseworthiness": draw(small),
            "liking": draw(small),
            "unexpectedness": draw(st.integers(0, 10)),
        },
        "perception": {"purpose": draw(st.text(max_size=80)), "tone": draw(short)},
        "addressed": draw(st.booleans()),
        "respond": True,
        "reply": dict(draw(st.permutations(list(reply.items())))),
        "expression": draw(short),
        "thought": draw(st.none() | st.text(max_size=60)),
    }
    doc = dict(draw(st.permutations(list(fields.items()))))
    text = json.dumps(
        doc,
        ensure_ascii=draw(st.booleans()),
        indent=draw(st.none() | st.integers(0, 3)),
        separators=draw(st.sampled_from([None, (",", ":"), (" , ", " : ")])),
    )
    return text, message


@given(reply_documents(), st.lists(st.integers(0, 5000), max_size=40))
@example((json.dumps({"reply": {"message": "😀"}}), "😀"), [22, 24, 26, 28])
def test_any_split_of_a_replys_json_yields_exactly_its_message(
    document: tuple[str, str], cuts: list[int]
) -> None:
    text, message = document
    if "appraisal" in json.loads(text):  # a drawn document (not the example) is valid
        output = ReplyOutput.model_validate_json(text)
        assert output.reply is not None and output.reply.message == message
    pieces = split(text, [c % (len(text) + 1) for c in cuts])
    got = feed_all(pieces)
    assert "".join(got) == message
    so_far = ""
    for piece in got:  # the text only grows: every report extends the last
        so_far += piece
        assert message.startswith(so_far)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | short,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(short, inner, max_size=4),
    max_leaves=12,
)


@given(
    st.dictionaries(short.filter(lambda k: k != "reply"), json_values, max_size=4),
    st.dictionaries(short.filter(lambda k: k != "message"), json_values, max_size=4),
    texts,
    st.lists(st.integers(0, 5000), max_size=20),
)
def test_the_string_at_the_path_is_found_among_any_other_json(
    around: dict[str, Any], beside: dict[str, Any], message: str, cuts: list[int]
) -> None:
    decoys = {"decoy": {"reply": {"message": "no"}}, "list": [{"reply": {"message": "no"}}]}
    doc = {**decoys, **around, "reply": {**beside, "message": message}}
    text = json.dumps(doc)
    pieces = split(text, [c % (len(text) + 1) for c in cuts])
    assert "".join(feed_all(pieces)) == message


@given(st.text(alphabet='{}[]":,\\u0123456789abcdefnrt reply message', max_size=200), st.data())
def test_any_text_however_cut_reads_the_same_and_never_raises(
    text: str, data: st.DataObject
) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(text)), max_size=20))
    whole = "".join(feed_all([text]))
    assert "".join(feed_all(split(text, cuts))) == whole
    assert "".join(feed_all(list(text))) == whole


@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    feed_all([text])
    feed_all(list(text))


@given(reply_documents(), st.lists(st.tuples(st.integers(0, 5000), short), max_size=5), st.data())
def test_a_garbled_document_reads_the_same_however_cut(
    document: tuple[str, str], edits: list[tuple[int, str]], data: st.DataObject
) -> None:
    """What a broken model writes is read consistently: the cuts never change the result."""
    text, _ = document
    for at, junk in edits:
        at %= len(text) + 1
        text = text[:at] + junk + text[at:]
    cuts = data.draw(st.lists(st.integers(0, len(text)), max_size=30))
    assert "".join(feed_all(split(text, cuts))) == "".join(feed_all([text]))
