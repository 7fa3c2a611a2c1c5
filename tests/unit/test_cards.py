"""Character cards read from every form people keep them in, checked, and written back.

The cards here are made by the tests themselves: JSON by hand, PNG chunks packed with
struct and zlib independently of the code under test, CHARX zips with zipfile.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import tracemalloc
import zipfile
import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthetic_soul.cards import (
    CARD_INVALID,
    CARD_TOO_LARGE,
    SPEC_V1,
    SPEC_V2,
    SPEC_V3,
    Asset,
    Card,
    CardError,
    emotion_assets,
    limits,
    read,
    soul_state,
    write_charx,
    write_json,
    write_png,
)
from synthetic_soul.domain.lorebook import Lorebook, LoreEntry

# --- cards made by hand ----------------------------------------------------------------


def v2_doc(name: str = "Mira", **data: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "description": "A lighthouse keeper who collects sea glass.",
        "personality": "cheerful, curious",
        "scenario": "A storm is coming.",
        "first_mes": "Oh! A visitor, in this weather?",
        "mes_example": "<START>\n{{user}}: Hi\n{{char}}: Hello there!",
        "creator_notes": "Be kind to her.",
        "system_prompt": "",
        "post_history_instructions": "",
        "alternate_greetings": ["Back again?", "Mind the stairs."],
        "tags": ["wholesome", "sea"],
        "creator": "someone",
        "character_version": "1.2",
        "extensions": {"talkativeness": "0.5", "fav": False, "depth_prompt": {"depth": 4}},
    }
    body.update(data)
    return {"spec": "chara_card_v2", "spec_version": "2.0", "data": body}


def v3_doc(name: str = "Mira", **data: Any) -> dict[str, Any]:
    doc = v2_doc(name, **data)
    doc["spec"], doc["spec_version"] = "chara_card_v3", "3.0"
    doc["data"].setdefault("group_only_greetings", ["Hello, everyone."])
    doc["data"].setdefault("nickname", "Mimi")
    return doc


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def tiny_png(*extra: bytes) -> bytes:
    """A 2x2 grey PNG with the given chunks between its image data and IEND."""
    header = struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0\x80\x80" * 2)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + b"".join(extra)
        + chunk(b"IEND", b"")
    )


def text_chunk(keyword: str, doc: dict[str, Any]) -> bytes:
    payload = base64.b64encode(json.dumps(doc).encode("utf-8"))
    return chunk(b"tEXt", keyword.encode("latin-1") + b"\0" + payload)


def charx(doc: dict[str, Any], files: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("card.json", json.dumps(doc))
        for path, data in (files or {}).items():
            archive.writestr(path, data)
    return out.getvalue()


def error_of(blob: bytes) -> CardError:
    with pytest.raises(CardError) as caught:
        read(blob)
    return caught.value


# --- reading each form ---------------------------------------------------------------


def test_a_v2_json_card_is_read_with_every_field_and_its_extensions() -> None:
    got = read(json.dumps(v2_doc()).encode())
    card = got.card
    assert (got.spec, got.container) == (SPEC_V2, "json")
    assert card.name == "Mira"
    assert card.personality == "cheerful, curious"
    assert card.alternate_greetings == ("Back again?", "Mind the stairs.")
    assert card.tags == ("wholesome", "sea")
    assert card.character_version == "1.2"
    assert card.extensions == {"talkativeness": "0.5", "fav": False, "depth_prompt": {"depth": 4}}
    # V3's additions stay absent on a V2 card.
    assert card.assets is None and card.nickname is None and card.group_only_greetings == ()


def test_a_v2_png_card_is_read_from_its_chara_chunk() -> None:
    got = read(tiny_png(text_chunk("chara", v2_doc("Tavi"))))
    assert (got.card.name, got.spec, got.container) == ("Tavi", SPEC_V2, "png")
    assert got.portrait is not None and got.portrait.startswith(b"\x89PNG")


def test_a_v3_json_card_keeps_its_v3_fields() -> None:
    assets = [
        {"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"},
        {"type": "emotion", "uri": "https://example.invalid/joy.png", "name": "joy", "ext": "png"},
    ]
    doc = v3_doc(assets=assets, source=["https://example.invalid/c/1"], creation_date=1700000000)
    got = read(json.dumps(doc).encode())
    assert got.spec == SPEC_V3
    assert got.card.nickname == "Mimi"
    assert got.card.group_only_greetings == ("Hello, everyone.",)
    assert got.card.assets == (
        Asset("icon", "ccdefault:", "main", "png"),
        Asset("emotion", "https://example.invalid/joy.png", "joy", "png"),
    )
    assert got.card.source == ("https://example.invalid/c/1",)
    assert got.card.creation_date == 1700000000


@pytest.mark.parametrize("ccv3_first", [True, False])
def test_in_a_png_with_both_chunks_ccv3_wins_wherever_it_stands(ccv3_first: bool) -> None:
    v3 = text_chunk("ccv3", v3_doc("Newer"))
    v2 = text_chunk("chara", v2_doc("Older"))
    got = read(tiny_png(*((v3, v2) if ccv3_first else (v2, v3))))
    assert (got.card.name, got.spec) == ("Newer", SPEC_V3)


def test_ztxt_and_itxt_chunks_are_read_too() -> None:
    payload = base64.b64encode(json.dumps(v3_doc("Zed")).encode())
    ztxt = chunk(b"zTXt", b"ccv3\0\0" + zlib.compress(payload))
    assert read(tiny_png(ztxt)).card.name == "Zed"
    itxt = chunk(
        b"iTXt",
        b"chara\0\x01\0en\0\0"
        + zlib.compress(base64.b64encode(json.dumps(v2_doc("Ita")).encode())),
    )
    assert read(tiny_png(itxt)).card.name == "Ita"


def test_json_put_in_a_chunk_without_base64_is_read_too() -> None:
    doc = json.dumps(v2_doc("Zoë", description="café ☕"), ensure_ascii=False).encode()
    card = read(tiny_png(chunk(b"tEXt", b"chara\0" + doc))).card
    assert (card.name, card.description) == ("Zoë", "café ☕")
    itxt = chunk(b"iTXt", b"ccv3\0\0\0\0\0" + json.dumps(v3_doc("Åsa")).encode())
    assert read(tiny_png(itxt)).card.name == "Åsa"


def test_dates_written_as_text_are_dropped_not_refused() -> None:
    card = read(json.dumps(v3_doc(creation_date="2024-01-01")).encode()).card
    assert card.creation_date is None


def test_a_charx_card_brings_its_embedded_assets_and_leaves_the_rest_unread() -> None:
    assets = [
        {
            "type": "icon",
            "uri": "embeded://assets/icon/images/main.png",
            "name": "main",
            "ext": "png",
        },
        {
            "type": "emotion",
            "uri": "embeded://assets/emotion/happy.png",
            "name": "happy",
            "ext": "png",
        },
        {
            "type": "emotion",
            "uri": "embedded://assets/emotion/sad.png",
            "name": "sad",
            "ext": "png",
        },
        {"type": "emotion", "uri": "embeded://assets/missing.png", "name": "angry", "ext": "png"},
    ]
    files = {
        "assets/icon/images/main.png": b"MAIN",
        "assets/emotion/happy.png": b"HAPPY",
        "assets/emotion/sad.png": b"SAD",
        "assets/other/unlisted.bin": b"x" * 100,
    }
    got = read(charx(v3_doc("Zip", assets=assets), files))
    assert (got.card.name, got.container) == ("Zip", "charx")
    assert got.files == {
        "embeded://assets/icon/images/main.png": b"MAIN",
        "embeded://assets/emotion/happy.png": b"HAPPY",
        "embedded://assets/emotion/sad.png": b"SAD",
    }
    faces = emotion_assets(got.card.assets)
    assert {k: v.name for k, v in faces.items()} == {
        "joy_happy": "happy",
        "sad": "sad",
        "anger_frustration": "angry",
    }


def test_a_legacy_v3_png_carries_its_assets_in_chunks() -> None:
    assets = [{"type": "emotion", "uri": "__asset:0", "name": "joy", "ext": "png"}]
    blob = tiny_png(
        text_chunk("ccv3", v3_doc(assets=assets)),
        chunk(b"tEXt", b"chara-ext-asset_:0\0" + base64.b64encode(b"JOYFACE")),
        chunk(b"tEXt", b"chara-ext-asset_:9\0" + base64.b64encode(b"UNNAMED")),
    )
    assert read(blob).files == {"__asset:0": b"JOYFACE"}


def test_a_card_with_a_lorebook_reads_every_entry_field() -> None:
    book = {
        "name": "Coast",
        "scan_depth": 3,
        "token_budget": 200,
        "extensions": {"x_tool": 1},
        "entries": [
            {
                "keys": ["lighthouse", "beacon"],
                "content": "The lighthouse has 112 steps.",
                "extensions": {"depth": 2},
                "enabled": True,
                "insertion_order": 10,
                "case_sensitive": False,
                "constant": False,
                "selective": True,
                "secondary_keys": ["climb"],
                "priority": 5,
                "id": 1,
                "comment": "steps",
                "position": "after_char",
                "name": "steps",
            },
            {"keys": [], "content": "Mira hums sea shanties.", "constant": True},
        ],
    }
    card = read(json.dumps(v3_doc(character_book=book)).encode()).card
    assert card.character_book is not None
    first, second = card.character_book.entries
    assert card.character_book.scan_depth == 3 and card.character_book.token_budget == 200
    assert first.keys == ("lighthouse", "beacon") and first.secondary_keys == ("climb",)
    assert (first.selective, first.priority, first.id, first.position) == (
        True,
        5,
        1,
        "after_char",
    )
    assert first.extensions == {"depth": 2}
    assert second.constant is True and second.enabled is True and second.secondary_keys is None


def test_a_v1_flat_card_and_the_pygmalion_names_are_read() -> None:
    flat = {"name": "Old", "description": "d", "first_mes": "hi", "mes_example": "", "avatar": "x"}
    got = read(json.dumps(flat).encode())
    assert (got.card.name, got.card.first_mes, got.spec) == ("Old", "hi", SPEC_V1)
    pyg = {"char_name": "Pyg", "char_persona": "shy", "char_greeting": "um, hello"}
    card = read(json.dumps(pyg).encode()).card
    assert (card.name, card.description, card.first_mes) == ("Pyg", "shy", "um, hello")


# --- what is refused -----------------------------------------------------------------


def test_a_truncated_png_is_invalid() -> None:
    blob = tiny_png(text_chunk("chara", v2_doc()))
    assert error_of(blob[:-20]).code == CARD_INVALID


def test_a_png_chunk_with_a_wrong_crc_is_invalid() -> None:
    good = text_chunk("chara", v2_doc())
    bad = good[:-4] + bytes(b ^ 0xFF for b in good[-4:])
    err = error_of(tiny_png(bad))
    assert err.code == CARD_INVALID and "CRC" in err.message


def test_a_png_without_a_card_is_invalid() -> None:
    err = error_of(tiny_png(chunk(b"tEXt", b"Comment\0just a picture")))
    assert err.code == CARD_INVALID and "no character card" in err.message


def test_a_png_whose_first_chunk_is_not_ihdr_is_invalid() -> None:
    blob = b"\x89PNG\r\n\x1a\n" + text_chunk("chara", v2_doc()) + chunk(b"IEND", b"")
    assert error_of(blob).code == CARD_INVALID


def test_bad_base64_is_invalid() -> None:
    err = error_of(tiny_png(chunk(b"tEXt", b"chara\0@@not*base64!!")))
    assert err.code == CARD_INVALID and "base64" in err.message


def test_base64_of_something_not_json_is_invalid() -> None:
    blob = tiny_png(chunk(b"tEXt", b"chara\0" + base64.b64encode(b"\xff\xfe not json")))
    assert error_of(blob).code == CARD_INVALID


@pytest.mark.parametrize("spec", ["chara_card_v4", "lorebook_v3", 3])
def test_a_wrong_spec_is_invalid(spec: object) -> None:
    doc = v2_doc()
    doc["spec"] = spec
    err = error_of(json.dumps(doc).encode())
    assert err.code == CARD_INVALID and "spec" in err.message


@pytest.mark.parametrize(
    "doc",
    [
        [],
        {"spec": "chara_card_v2", "data": "nope"},
        {"spec": "chara_card_v2", "data": {"name": ""}},
        {"spec": "chara_card_v2", "data": {"name": "A", "tags": "one, two"}},
        {"spec": "chara_card_v2", "data": {"name": "A", "description": {"x": 1}}},
        {"spec": "chara_card_v2", "data": {"name": "A", "extensions": []}},
        {"spec": "chara_card_v3", "data": {"name": "A", "assets": [{"type": ["icon"]}]}},
        {"spec": "chara_card_v2", "data": {"name": "A", "character_book": {"entries": [1]}}},
        {"hello": "world"},
    ],
)
def test_malformed_card_json_is_invalid(doc: object) -> None:
    assert error_of(json.dumps(doc).encode()).code == CARD_INVALID


def test_bytes_that_are_no_card_at_all_are_invalid() -> None:
    assert error_of(b"GIF89a....").code == CARD_INVALID
    assert error_of(b"{not json").code == CARD_INVALID


@pytest.mark.parametrize("depth", [limits.MAX_JSON_DEPTH, 5000])
def test_json_nested_too_deeply_is_invalid(depth: int) -> None:
    deep = "[" * depth + "]" * depth
    blob = ('{"spec":"chara_card_v2","data":{"name":"A","extensions":{"x":' + deep + "}}}").encode()
    err = error_of(blob)
    assert err.code == CARD_INVALID and "nested" in err.message
    # Just inside the limit is fine.
    fits = "[" * (limits.MAX_JSON_DEPTH - 4) + "]" * (limits.MAX_JSON_DEPTH - 4)
    ok = '{"spec":"chara_card_v2","data":{"name":"A","extensions":{"x":' + fits + "}}}"
    assert read(ok.encode()).card.name == "A"


def test_an_oversized_field_is_too_large() -> None:
    doc = v2_doc(description="x" * (limits.MAX_TEXT_CHARS + 1))
    err = error_of(json.dumps(doc).encode())
    assert err.code == CARD_TOO_LARGE and "description" in err.message
    # One character less is fine.
    ok = v2_doc(description="x" * limits.MAX_TEXT_CHARS)
    assert len(read(json.dumps(ok).encode()).card.description) == limits.MAX_TEXT_CHARS


def test_too_many_lore_entries_or_greetings_are_too_large() -> None:
    entries = [{"keys": ["k"], "content": "c"}] * (limits.MAX_LORE_ENTRIES + 1)
    doc = v2_doc(character_book={"entries": entries})
    assert error_of(json.dumps(doc).encode()).code == CARD_TOO_LARGE
    doc = v2_doc(alternate_greetings=["hi"] * (limits.MAX_LIST_ITEMS + 1))
    assert error_of(json.dumps(doc).encode()).code == CARD_TOO_LARGE


def test_an_oversized_upload_is_refused_before_it_is_parsed() -> None:
    blob = b"{" + b" " * limits.MAX_UPLOAD_BYTES + b"}"
    assert error_of(blob).code == CARD_TOO_LARGE


def _peak_while(blob: bytes) -> tuple[CardError, int]:
    tracemalloc.start()
    try:
        err = error_of(blob)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return err, peak


def test_a_charx_whose_card_json_is_a_zip_bomb_is_refused_without_inflating_it() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("card.json", b" " * (64 * limits.MiB))
    blob = bomb.getvalue()
    assert len(blob) < 200_000
    err, peak = _peak_while(blob)
    assert err.code == CARD_TOO_LARGE
    assert peak < 8 * limits.MiB


def test_a_charx_asset_that_is_a_zip_bomb_is_refused_without_inflating_it() -> None:
    assets = [{"type": "emotion", "uri": "embeded://assets/joy.png", "name": "joy", "ext": "png"}]
    blob = charx(v3_doc(assets=assets), {"assets/joy.png": b"\0" * (64 * limits.MiB)})
    err, peak = _peak_while(blob)
    assert err.code == CARD_TOO_LARGE and "assets/joy.png" in err.message
    assert peak < 8 * limits.MiB


def test_a_charx_entry_that_lies_about_its_size_is_invalid() -> None:
    blob = bytearray(charx(v3_doc("Liar")))
    # Shrink the size the central directory declares for card.json: the inflater stops
    # there and the CRC check fails, instead of reading on.
    at = blob.rfind(b"PK\x01\x02")
    (size,) = struct.unpack("<I", blob[at + 24 : at + 28])
    blob[at + 24 : at + 28] = struct.pack("<I", size // 2)
    assert error_of(bytes(blob)).code == CARD_INVALID


def test_a_ztxt_bomb_is_refused_without_inflating_it() -> None:
    bomb = zlib.compress(b"A" * (64 * limits.MiB), 9)
    err, peak = _peak_while(tiny_png(chunk(b"zTXt", b"ccv3\0\0" + bomb)))
    assert err.code == CARD_TOO_LARGE
    assert peak < 16 * limits.MiB


def test_a_charx_without_card_json_or_not_a_zip_is_invalid() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("nested/card.json", json.dumps(v3_doc()))
    assert error_of(out.getvalue()).code == CARD_INVALID
    assert error_of(b"PK\x03\x04 this is not a zip").code == CARD_INVALID


# --- writing and round trips ---------------------------------------------------------

_text = st.text(max_size=40)
_short = st.text(min_size=1, max_size=20).filter(str.strip)
_json_leaf = st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=10)
_json = st.recursive(
    _json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_extensions = st.dictionaries(st.text(max_size=10), _json, max_size=3)
_entries = st.builds(
    LoreEntry,
    keys=st.lists(_short, max_size=3).map(tuple),
    content=_text,
    enabled=st.booleans(),
    insertion_order=st.integers(-10, 100),
    case_sensitive=st.none() | st.booleans(),
    use_regex=st.booleans(),
    constant=st.none() | st.booleans(),
    selective=st.none() | st.booleans(),
    secondary_keys=st.none() | st.lists(_short, max_size=2).map(tuple),
    name=st.none() | _short,
    priority=st.none() | st.integers(0, 100),
    id=st.none() | st.integers(0, 99) | _short,
    comment=st.none() | _text,
    position=st.none() | st.sampled_from(["before_char", "after_char"]),
    extensions=_extensions,
)
_books = st.builds(
    Lorebook,
    entries=st.lists(_entries, max_size=3).map(tuple),
    name=st.none() | _short,
    description=st.none() | _text,
    scan_depth=st.none() | st.integers(0, 50),
    token_budget=st.none() | st.integers(0, 5000),
    recursive_scanning=st.none() | st.booleans(),
    extensions=_extensions,
)
_assets = st.builds(
    Asset,
    type=st.sampled_from(["icon", "emotion", "background", "x_custom"]),
    uri=st.sampled_from(["ccdefault:", "embeded://assets/a.png", "https://example.invalid/b"]),
    name=_short,
    ext=st.sampled_from(["png", "webp", "unknown"]),
)
cards = st.builds(
    Card,
    name=_short,
    description=_text,
    personality=_text,
    scenario=_text,
    first_mes=_text,
    mes_example=_text,
    alternate_greetings=st.lists(_text, max_size=3).map(tuple),
    system_prompt=_text,
    post_history_instructions=_text,
    creator_notes=_text,
    tags=st.lists(_short, max_size=3).map(tuple),
    creator=_text,
    character_version=_text,
    character_book=st.none() | _books,
    group_only_greetings=st.lists(_text, max_size=2).map(tuple),
    assets=st.none() | st.lists(_assets, max_size=3).map(tuple),
    nickname=st.none() | _text,
    creator_notes_multilingual=st.none() | st.dictionaries(st.sampled_from(["en", "ja"]), _text),
    source=st.none() | st.lists(_short, max_size=2).map(tuple),
    creation_date=st.none() | st.integers(0, 2_000_000_000),
    modification_date=st.none() | st.integers(0, 2_000_000_000),
    extensions=_extensions,
)
_quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_quick
@given(cards)
def test_a_card_written_as_v3_json_reads_back_the_same(card: Card) -> None:
    got = read(write_json(card))
    assert (got.card, got.spec) == (card, SPEC_V3)


@_quick
@given(cards)
def test_a_card_written_as_png_reads_back_the_same(card: Card) -> None:
    got = read(write_png(card))
    assert (got.card, got.spec, got.container) == (card, SPEC_V3, "png")


@_quick
@given(cards)
def test_the_png_v2_chunk_alone_gives_the_v2_part_of_the_card(card: Card) -> None:
    blob = write_png(card)
    # Drop the ccv3 chunk, as a V2-only reader would never look at it.
    v2_only = b"".join(
        chunk(c_type, data) for c_type, data in _walk(blob) if not data.startswith(b"ccv3\0")
    )
    got = read(b"\x89PNG\r\n\x1a\n" + v2_only)
    assert got.spec == SPEC_V2
    assert got.card.name == card.name and got.card.description == card.description
    assert got.card.extensions == card.extensions
    assert got.card.assets is None and got.card.nickname is None
    if card.character_book is not None:
        assert got.card.character_book is not None
        assert [e.content for e in got.card.character_book.entries] == [
            e.content for e in card.character_book.entries
        ]


@_quick
@given(cards)
def test_a_card_written_as_charx_reads_back_the_same(card: Card) -> None:
    files = {"assets/a.png": b"A"}
    got = read(write_charx(card, files))
    assert got.card == card
    if any(a.uri == "embeded://assets/a.png" for a in card.assets or ()):
        assert got.files == {"embeded://assets/a.png": b"A"}


def _walk(blob: bytes) -> list[tuple[bytes, bytes]]:
    out, pos = [], 8
    while pos < len(blob):
        (length,) = struct.unpack(">I", blob[pos : pos + 4])
        out.append((blob[pos + 4 : pos + 8], blob[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return out


def test_our_state_rides_in_extensions_beside_the_ones_we_found() -> None:
    found = read(json.dumps(v2_doc()).encode()).card
    state = {"mode": "lite", "personality": {"warmth": 70.0}, "mood": [0.1, 0.2, 0.0]}
    for blob in (write_json(found, soul=state), write_png(found, soul=state)):
        again = read(blob).card
        assert soul_state(again) == state
        assert again.extensions["depth_prompt"] == {"depth": 4}
        assert again.extensions["talkativeness"] == "0.5"
    doc = json.loads(write_json(found, soul=state))
    assert doc["spec"] == "chara_card_v3" and doc["spec_version"] == "3.0"
    assert doc["data"]["extensions"]["synthetic_soul"] == state


def test_writing_a_png_again_replaces_the_old_card_chunks() -> None:
    first = write_png(Card(name="First"), base=tiny_png(chunk(b"tEXt", b"Comment\0kept")))
    second = write_png(Card(name="Second"), base=first)
    kinds = [data.split(b"\0", 1)[0] for kind, data in _walk(second) if kind == b"tEXt"]
    assert sorted(kinds) == [b"Comment", b"ccv3", b"chara"]
    assert read(second).card.name == "Second"
    assert [kind for kind, _ in _walk(second)][-1] == b"IEND"


def test_the_plain_portrait_is_a_valid_png() -> None:
    blob = write_png(Card(name="Plain"))
    kinds = [kind for kind, _ in _walk(blob)]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    idat = b"".join(data for kind, data in _walk(blob) if kind == b"IDAT")
    width, height = struct.unpack(">II", _walk(blob)[0][1][:8])
    assert len(zlib.decompress(idat)) == height * (1 + 3 * width)
