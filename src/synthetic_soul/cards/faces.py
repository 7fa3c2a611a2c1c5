"""The faces a card brings, as the agent will wear them, and the card carrying them back out.

A card's `emotion` assets point at images: a CHARX entry (`embeded://`), a legacy PNG's
`chara-ext-asset_:` chunk (`__asset:`), the card's own portrait (`ccdefault:`) or a `data:`
URI. An asset becomes a face only if its bytes are in the card (nothing is fetched), are
really an image by their magic numbers (PNG, JPEG, WebP, GIF), and fit the limits; its name
is then put to one of our expressions (`cards.expressions`). Whatever fails is left out,
and the default image stands in for that expression.
"""

from __future__ import annotations

import base64
import binascii
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, replace

from synthetic_soul.cards import limits
from synthetic_soul.cards.card import Asset, Card
from synthetic_soul.cards.expressions import EMOTION_ASSET, emotion_assets
from synthetic_soul.cards.reading import PNG_ASSET_SCHEME, CardFile
from synthetic_soul.domain.faces import EXTENSIONS, Face, image_type

PORTRAIT_URI = "ccdefault:"
DATA_SCHEME = "data:"
CHARX_FACES = "assets/emotion/images"  # where a CHARX we write keeps the faces


@dataclass(frozen=True)
class CardFace:
    """One of our expressions, the card's name for its image, and the image."""

    expression: str
    name: str
    face: Face


def data_uri_bytes(uri: str, limit: int | None = None) -> bytes | None:
    """What a `data:` URI holds (base64 or percent-encoded), or None if it is not one, is
    malformed, or holds over `limit` bytes (a face's, unless given; measured before it is
    decoded)."""
    if not uri.startswith(DATA_SCHEME):
        return None
    limit = limits.MAX_FACE_BYTES if limit is None else limit
    header, comma, payload = uri[len(DATA_SCHEME) :].partition(",")
    if not comma:
        return None
    if header.lower().endswith(";base64"):
        compact = "".join(payload.split())
        if len(compact) * 3 // 4 > limit + 2:
            return None
        try:
            data = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
        except (binascii.Error, ValueError):
            return None
    else:
        if len(payload) > 3 * limit:
            return None
        data = urllib.parse.unquote_to_bytes(payload)
    return data if len(data) <= limit else None


def _bytes_of(asset: Asset, source: CardFile) -> bytes | None:
    if asset.uri in source.files:
        return source.files[asset.uri]
    if asset.uri == PORTRAIT_URI:
        return source.portrait
    return data_uri_bytes(asset.uri)


def card_faces(source: CardFile) -> list[CardFace]:
    """The faces the card brings, one an expression, in our expressions' order.

    Of several assets for one expression, the one `emotion_assets` prefers among those whose
    bytes make a face wins. Faces past `MAX_FACES_TOTAL_BYTES` together are left out.
    """
    usable: dict[Asset, Face] = {}
    for asset in source.card.assets or ():
        if asset.type != EMOTION_ASSET or asset in usable:
            continue
        data = _bytes_of(asset, source)
        if data is None or len(data) > limits.MAX_FACE_BYTES:
            continue
        kind = image_type(data)
        if kind is not None:
            usable[asset] = Face(kind, data)
    chosen = emotion_assets(usable)
    found: list[CardFace] = []
    total = 0
    for expression in sorted(chosen):
        asset = chosen[expression]
        total += len(usable[asset].data)
        if total > limits.MAX_FACES_TOTAL_BYTES:
            break
        found.append(CardFace(expression, asset.name, usable[asset]))
    return found


def without_faces(card: Card) -> Card:
    """The card as it is kept beside the agent: its emotion assets (the faces are kept on
    their own) and any `data:` URI (an image in the card's text) left out."""
    if card.assets is None:
        return card
    kept = tuple(
        a for a in card.assets if a.type != EMOTION_ASSET and not a.uri.startswith(DATA_SCHEME)
    )
    return replace(card, assets=kept)


def _asset(face: CardFace, uri: str) -> Asset:
    return Asset(EMOTION_ASSET, uri, face.name or face.expression, EXTENSIONS[face.face.media_type])


def _with_assets(card: Card, added: Iterable[Asset]) -> Card:
    extra = tuple(added)
    if not extra:
        return card
    kept = tuple(a for a in card.assets or () if a.type != EMOTION_ASSET)
    return replace(card, assets=kept + extra)


# What an asset's JSON adds to a card beside its image's base64 (its keys, name, indent).
_ASSET_JSON_BYTES = 512


def inline_within(faces: Iterable[CardFace], room: int) -> list[CardFace]:
    """The faces, in order, whose `data:` URIs fit in `room` more bytes of a card's JSON
    (a JSON card is bounded by `MAX_JSON_BYTES`; the PNG and CHARX forms carry them all)."""
    fitting = []
    for face in faces:
        size = (len(face.face.data) + 2) // 3 * 4 + 6 * len(face.name) + _ASSET_JSON_BYTES
        if size > room:
            break
        room -= size
        fitting.append(face)
    return fitting


def dressed_inline(card: Card, faces: Iterable[CardFace]) -> Card:
    """The card with the faces as `emotion` assets in `data:` URIs (a JSON card)."""
    return _with_assets(
        card,
        (
            _asset(f, f"data:{f.face.media_type};base64,{base64.b64encode(f.face.data).decode()}")
            for f in faces
        ),
    )


def dressed_png(card: Card, faces: Iterable[CardFace]) -> tuple[Card, dict[str, bytes]]:
    """The card with the faces as `__asset:` assets, and the bytes of each under its URI
    (`write_png` puts each in a `chara-ext-asset_:` chunk)."""
    listed = list(faces)
    files = {f"{PNG_ASSET_SCHEME}emotion/{f.expression}": f.face.data for f in listed}
    assets = [_asset(f, uri) for f, uri in zip(listed, files, strict=True)]
    return _with_assets(card, assets), files


def dressed_charx(card: Card, faces: Iterable[CardFace]) -> tuple[Card, dict[str, bytes]]:
    """The card with the faces as `embeded://` assets, and the zip entries they name."""
    listed = list(faces)
    paths = {
        f.expression: f"{CHARX_FACES}/{f.expression}.{EXTENSIONS[f.face.media_type]}"
        for f in listed
    }
    files = {paths[f.expression]: f.face.data for f in listed}
    assets = [_asset(f, f"embeded://{paths[f.expression]}") for f in listed]
    return _with_assets(card, assets), files
