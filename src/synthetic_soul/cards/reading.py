"""Reading a card from what someone uploaded: JSON, a PNG portrait, or a CHARX zip.

The bytes say which it is (a PNG's signature, a zip's `PK`, else JSON). Everything is
untrusted: each length is checked before it is used, nothing is inflated past its limit,
and any fault ends in one `CardError` with a code a client can act on.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
import zlib
from dataclasses import dataclass, field

from synthetic_soul.cards import limits, png
from synthetic_soul.cards.card import Card, card_from_json, parse_json
from synthetic_soul.cards.errors import invalid, too_large

JSON = "json"
PNG = "png"
CHARX = "charx"

# Where a CHARX's assets point into the zip: the spec's spelling and the common correction.
EMBEDDED_SCHEMES = ("embeded://", "embedded://")
# A legacy V3 PNG's own assets: tEXt chunks `chara-ext-asset_:PATH`, named `__asset:PATH`.
PNG_ASSET_KEYWORD = "chara-ext-asset_:"
PNG_ASSET_SCHEME = "__asset:"

_B64_JSON_LIMIT = limits.MAX_JSON_BYTES * 4 // 3 + 4
_B64_ASSET_LIMIT = limits.MAX_ASSET_BYTES * 4 // 3 + 4


@dataclass(frozen=True)
class CardFile:
    """A card as read, with where it came from and the assets it carried inside it.

    `files` holds each embedded asset's bytes under the asset's `uri` as the card writes it;
    `portrait` is the PNG a PNG card came in (its picture is the character's main icon).
    """

    card: Card
    spec: str
    container: str
    files: dict[str, bytes] = field(default_factory=dict)
    portrait: bytes | None = None


def read(blob: bytes) -> CardFile:
    """Whatever card these bytes hold; `CardError` if none, or one past a limit."""
    if len(blob) > limits.MAX_UPLOAD_BYTES:
        raise too_large(f"the upload is over {limits.MAX_UPLOAD_BYTES} bytes")
    if blob.startswith(png.SIGNATURE):
        return read_png(blob)
    if blob.startswith(b"PK\x03\x04"):
        return read_charx(blob)
    head = blob.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"{":
        return read_json(blob)
    raise invalid("not a character card: expected JSON, a PNG or a CHARX (zip)")


def read_json(blob: bytes | str) -> CardFile:
    card, spec = card_from_json(parse_json(blob))
    return CardFile(card, spec, JSON)


def _unbase64(text: str, what: str) -> bytes:
    compact = "".join(text.split())
    compact += "=" * (-len(compact) % 4)
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid(f"the PNG's {what} chunk is not valid base64") from exc


def _raw_json(text: str) -> bytes:
    """JSON put in a chunk as it is, not in base64 (some old tools did).

    A tEXt chunk is read as Latin-1, so UTF-8 JSON in one comes back as its Latin-1 reading;
    its bytes are those again. An iTXt chunk's text is already decoded.
    """
    try:
        return text.encode("latin-1").decode("utf-8").encode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text.encode("utf-8")


def _limit_for(keyword: str) -> int | None:
    """How much text a PNG chunk of this keyword may hold (None: not ours to read)."""
    key = keyword.lower()
    if key in ("ccv3", "chara"):
        return _B64_JSON_LIMIT
    if key.startswith(PNG_ASSET_KEYWORD):
        return _B64_ASSET_LIMIT
    return None


def read_png(blob: bytes) -> CardFile:
    """The card in a PNG's `ccv3` chunk, else its `chara` chunk (V2)."""
    found = png.texts(blob, _limit_for, limits.MAX_UPLOAD_BYTES)
    by_lower = {k.lower(): v for k, v in found.items() if not k.lower().startswith("chara-ext")}
    keyword = "ccv3" if "ccv3" in by_lower else "chara" if "chara" in by_lower else None
    if keyword is None:
        raise invalid("the PNG holds no character card (no `ccv3` or `chara` text chunk)")
    text = by_lower[keyword].strip()
    raw = _raw_json(text) if text.startswith("{") else _unbase64(text, keyword)
    card, spec = card_from_json(parse_json(raw))
    files: dict[str, bytes] = {}
    wanted = {a.uri for a in card.assets or () if a.uri.startswith(PNG_ASSET_SCHEME)}
    total = 0
    for key, value in found.items():
        if not key.lower().startswith(PNG_ASSET_KEYWORD):
            continue
        uri = PNG_ASSET_SCHEME + key[len(PNG_ASSET_KEYWORD) :]
        if uri not in wanted:
            continue
        data = _unbase64(value, "asset")
        total += len(data)
        if total > limits.MAX_ASSETS_TOTAL_BYTES:
            raise too_large(f"the embedded assets are over {limits.MAX_ASSETS_TOTAL_BYTES} bytes")
        files[uri] = data
    return CardFile(card, spec, PNG, files, blob)


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """One zip entry's bytes, refused before inflating if it says it is too big.

    zipfile stops at the size the directory declares and checks the CRC, so an entry that
    lies about its size fails instead of inflating on.
    """
    if info.flag_bits & 0x1:
        raise invalid(f"the CHARX entry {info.filename[:80]!r} is encrypted")
    if info.file_size > limit:
        raise too_large(f"the CHARX entry {info.filename[:80]!r} is over {limit} bytes")
    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise invalid(f"the CHARX entry {info.filename[:80]!r} is damaged") from exc
    if len(data) > limit:
        raise too_large(f"the CHARX entry {info.filename[:80]!r} is over {limit} bytes")
    return data


def embedded_path(uri: str) -> str | None:
    """The zip path an `embeded://` (or `embedded://`) URI names, or None."""
    for scheme in EMBEDDED_SCHEMES:
        if uri.startswith(scheme):
            return uri[len(scheme) :]
    return None


def read_charx(blob: bytes) -> CardFile:
    """The card in a CHARX's root `card.json`, with the assets it points at inside the zip.

    Entries the card does not name are never inflated.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise invalid("the CHARX is not a readable zip") from exc
    if len(infos) > limits.MAX_ZIP_ENTRIES:
        raise too_large(f"the CHARX has over {limits.MAX_ZIP_ENTRIES} entries")
    by_name = {info.filename: info for info in infos}
    if "card.json" not in by_name:
        raise invalid("the CHARX has no card.json at its root")
    raw = _member(archive, by_name["card.json"], limits.MAX_JSON_BYTES)
    card, spec = card_from_json(parse_json(raw))
    files: dict[str, bytes] = {}
    total = 0
    for asset in card.assets or ():
        path = embedded_path(asset.uri)
        if path is None or asset.uri in files or path not in by_name:
            continue
        info = by_name[path]
        total += info.file_size
        if total > limits.MAX_ASSETS_TOTAL_BYTES:
            raise too_large(f"the CHARX's assets are over {limits.MAX_ASSETS_TOTAL_BYTES} bytes")
        files[asset.uri] = _member(archive, info, limits.MAX_ASSET_BYTES)
    return CardFile(card, spec, CHARX, files)
