"""A card's emotion images as the agent's faces: only real images the card carries, within
the limits, put to our expression names; and the faces carried back out in each card form."""

from __future__ import annotations

import base64
import io
import json
import urllib.parse
import zipfile
from typing import Any

import pytest

from synthetic_soul.cards import limits, png, read, write_charx, write_json, write_png
from synthetic_soul.cards.card import Asset, Card
from synthetic_soul.cards.faces import (
    CardFace,
    card_faces,
    data_uri_bytes,
    dressed_charx,
    dressed_inline,
    dressed_png,
    inline_within,
    without_faces,
)
from synthetic_soul.domain.faces import GIF, JPEG, PNG, WEBP, Face, expression_named, image_type

JOY = png.solid(8, (250, 200, 0))
SAD = png.solid(8, (40, 60, 200))
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
WEBP_BYTES = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(24)
GIF_BYTES = b"GIF89a\x01\x00\x01\x00" + bytes(16)


def data_uri(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def emotion(name: str, uri: str, ext: str = "png") -> dict[str, str]:
    return {"type": "emotion", "uri": uri, "name": name, "ext": ext}


def v3(assets: list[dict[str, str]], name: str = "Mira") -> dict[str, Any]:
    return {
        "spec": "chara_card_v3",
        "spec_version": "3.0",
        "data": {"name": name, "assets": assets},
    }


def faces_of(doc: dict[str, Any]) -> dict[str, tuple[str, bytes]]:
    return {f.expression: (f.name, f.face.data) for f in card_faces(read(json.dumps(doc).encode()))}


# --- what an image is -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [(JOY, PNG), (JPEG_BYTES, JPEG), (WEBP_BYTES, WEBP), (GIF_BYTES, GIF), (b"GIF87a..", GIF)],
)
def test_an_image_is_known_by_its_magic_bytes(data: bytes, kind: str) -> None:
    assert image_type(data) == kind


@pytest.mark.parametrize(
    "data",
    [b"", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"PK\x03"],
)
def test_what_is_not_one_of_the_four_images_is_none(data: bytes) -> None:
    assert image_type(data) is None


@pytest.mark.parametrize(
    ("filename", "expression"),
    [
        ("joy_happy.png", "joy_happy"),
        ("joy_happy.jpeg", "joy_happy"),
        ("neutral.webp", "neutral_listening"),
        ("sad", "sad"),
        ("wave.png", None),
        ("../sad.png", None),
        ("", None),
    ],
)
def test_an_image_request_names_an_expression(filename: str, expression: str | None) -> None:
    assert expression_named(filename) == expression


# --- which assets become faces ----------------------------------------------------------


def test_a_data_uri_image_becomes_the_face_of_its_expression() -> None:
    doc = v3([emotion("happy", data_uri(JOY)), emotion("Sadness", data_uri(SAD, "image/x"))])
    assert faces_of(doc) == {"joy_happy": ("happy", JOY), "sad": ("Sadness", SAD)}


def test_the_bytes_decide_the_kind_not_the_uri_or_ext() -> None:
    doc = v3([emotion("surprised", data_uri(GIF_BYTES, "image/png"), ext="png")])
    (face,) = card_faces(read(json.dumps(doc).encode()))
    assert face.face == Face(GIF, GIF_BYTES)


def test_names_that_match_nothing_and_other_asset_types_are_left_out() -> None:
    doc = v3(
        [
            emotion("wave", data_uri(JOY)),
            {"type": "icon", "uri": data_uri(JOY), "name": "main", "ext": "png"},
            {"type": "background", "uri": data_uri(SAD), "name": "sad", "ext": "png"},
        ]
    )
    assert faces_of(doc) == {}


def test_what_is_not_an_image_is_left_out_and_another_asset_may_stand_in() -> None:
    doc = v3(
        [
            emotion("joy", data_uri(b"<script>alert(1)</script>", "image/png")),
            emotion("happy", data_uri(JOY)),
            emotion("sad", data_uri(b"not base64 at all!", "image/png")),
            emotion("angry", "https://example.invalid/angry.png"),  # never fetched
            emotion("scared", "embeded://assets/not/in/the/card.png"),
        ]
    )
    assert faces_of(doc) == {"joy_happy": ("happy", JOY)}


def test_an_exact_name_wins_its_expression_over_a_synonym() -> None:
    doc = v3([emotion("happy", data_uri(SAD)), emotion("joy_happy", data_uri(JOY))])
    assert faces_of(doc) == {"joy_happy": ("joy_happy", JOY)}


def test_an_oversized_image_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FACE_BYTES", len(JOY))
    bigger = JOY + b"\0"
    doc = v3([emotion("happy", data_uri(bigger)), emotion("sad", data_uri(SAD))])
    assert faces_of(doc) == {"sad": ("sad", SAD)}
    # The same from a file the card carries (a PNG card's asset chunk).
    card = Card(name="Mira", assets=(Asset("emotion", "__asset:1", "happy", "png"),))
    assert card_faces(read(write_png(card, files={"__asset:1": bigger}))) == []
    assert len(card_faces(read(write_png(card, files={"__asset:1": JOY})))) == 1


def test_faces_past_the_total_are_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FACES_TOTAL_BYTES", len(JOY) + len(SAD))
    doc = v3([emotion(n, data_uri(JOY)) for n in ("love", "happy", "sad")])
    assert list(faces_of(doc)) == ["joy_happy", "love"]  # in our expressions' order


def test_a_data_uri_is_read_base64_or_percent_encoded_and_bounded() -> None:
    assert data_uri_bytes(data_uri(JOY)) == JOY
    assert data_uri_bytes("data:image/png," + urllib.parse.quote_from_bytes(JOY)) == JOY
    assert data_uri_bytes("data:image/png;base64") is None  # no comma
    assert data_uri_bytes("https://example.invalid/x.png") is None
    assert data_uri_bytes(data_uri(JOY), limit=len(JOY) - 1) is None


def test_a_charx_member_becomes_a_face() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        doc = v3([emotion("happy", "embeded://assets/emotion/happy.webp", "webp")])
        archive.writestr("card.json", json.dumps(doc))
        archive.writestr("assets/emotion/happy.webp", WEBP_BYTES)
    (face,) = card_faces(read(out.getvalue()))
    assert (face.expression, face.name, face.face) == ("joy_happy", "happy", Face(WEBP, WEBP_BYTES))


def test_a_png_cards_asset_chunk_and_its_portrait_become_faces() -> None:
    card = Card(
        name="Mira",
        assets=(
            Asset("emotion", "__asset:7", "sad", "png"),
            Asset("emotion", "ccdefault:", "neutral", "png"),
        ),
    )
    portrait = png.solid(4, (1, 2, 3))
    blob = write_png(card, base=portrait, files={"__asset:7": SAD})
    got = {f.expression: f.face.data for f in card_faces(read(blob))}
    assert got["sad"] == SAD
    assert got["neutral_listening"] == blob  # the card's own picture, with its chunks


def test_the_kept_card_leaves_its_faces_and_data_uris_to_the_face_store() -> None:
    card = Card(
        name="Mira",
        assets=(
            Asset("icon", "ccdefault:", "main", "png"),
            Asset("emotion", "embeded://a.png", "happy", "png"),
            Asset("background", data_uri(JOY), "sky", "png"),
        ),
    )
    assert without_faces(card).assets == (Asset("icon", "ccdefault:", "main", "png"),)
    assert without_faces(Card(name="Mira")).assets is None


# --- carried back out -------------------------------------------------------------------

WORN = [
    CardFace("joy_happy", "Happy", Face(PNG, JOY)),
    CardFace("sad", "sad", Face(GIF, GIF_BYTES)),
]
KEPT = Card(name="Mira", assets=(Asset("icon", "ccdefault:", "main", "png"),))


def worn_by(blob: bytes) -> list[CardFace]:
    return card_faces(read(blob))


def test_a_json_card_carries_the_faces_in_data_uris() -> None:
    blob = write_json(dressed_inline(KEPT, WORN))
    assert worn_by(blob) == WORN
    assets = json.loads(blob)["data"]["assets"]
    assert assets[0] == {"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"}
    assert [(a["name"], a["ext"]) for a in assets[1:]] == [("Happy", "png"), ("sad", "gif")]


def test_a_png_card_carries_the_faces_in_asset_chunks() -> None:
    card, files = dressed_png(KEPT, WORN)
    blob = write_png(card, files=files)
    assert worn_by(blob) == WORN
    assert b"chara-ext-asset_:emotion/joy_happy\0" in blob


def test_a_charx_carries_the_faces_as_zip_entries() -> None:
    card, files = dressed_charx(KEPT, WORN)
    assert sorted(files) == ["assets/emotion/images/joy_happy.png", "assets/emotion/images/sad.gif"]
    assert worn_by(write_charx(card, files)) == WORN


def test_a_json_card_carries_the_faces_that_fit_its_limit() -> None:
    room = len(base64.b64encode(JOY)) + 600  # one face's data URI and its asset's keys
    assert inline_within(WORN, room) == WORN[:1]
    assert inline_within(WORN, 10**9) == WORN
    assert inline_within(WORN, 0) == []


def test_no_faces_leave_the_card_as_it_was() -> None:
    assert dressed_inline(KEPT, []) == KEPT
    assert dressed_png(KEPT, []) == (KEPT, {})
