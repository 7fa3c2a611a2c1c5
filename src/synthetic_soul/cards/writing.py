"""Writing a card other tools read: V3 JSON, a PNG with `ccv3` and `chara`, or a CHARX.

Our own state rides along under `data.extensions.synthetic_soul`; every other extension the
card came with is written back as it was. A PNG carries the V3 card and its V2 downgrade,
so readers that know only V2 still find the character.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any

from synthetic_soul.cards import limits, png
from synthetic_soul.cards.card import Card, to_v2, to_v3, with_soul
from synthetic_soul.cards.errors import invalid, too_large
from synthetic_soul.cards.reading import PNG_ASSET_KEYWORD, PNG_ASSET_SCHEME

# A fixed time for zip entries, so the same card gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _dump(document: dict[str, Any], *, pretty: bool = False) -> bytes:
    text = json.dumps(
        document,
        ensure_ascii=False,
        indent=2 if pretty else None,
        separators=None if pretty else (",", ":"),
    )
    raw = text.encode("utf-8")
    if len(raw) > limits.MAX_JSON_BYTES:
        raise too_large(f"the card's JSON would be over {limits.MAX_JSON_BYTES} bytes")
    return raw


def _stamped(card: Card, soul: Mapping[str, Any] | None) -> Card:
    return card if soul is None else with_soul(card, soul)


def write_json(card: Card, soul: Mapping[str, Any] | None = None) -> bytes:
    """The card as V3 JSON (UTF-8), with our state if given."""
    return _dump(to_v3(_stamped(card, soul)), pretty=True)


def write_png(
    card: Card,
    base: bytes | None = None,
    soul: Mapping[str, Any] | None = None,
    files: Mapping[str, bytes] | None = None,
) -> bytes:
    """The portrait (a plain one if none) with the card in `ccv3` and its V2 in `chara`.

    `files` are the card's own assets by their `__asset:PATH` URIs, each written base64 in a
    `chara-ext-asset_:PATH` chunk (the older V3 PNG's way, which `read_png` reads back).
    """
    stamped = _stamped(card, soul)
    v3 = base64.b64encode(_dump(to_v3(stamped))).decode("ascii")
    v2 = base64.b64encode(_dump(to_v2(stamped))).decode("ascii")
    texts = [("ccv3", v3), ("chara", v2)]
    for uri, data in sorted((files or {}).items()):
        if not uri.startswith(PNG_ASSET_SCHEME):
            raise invalid(f"a PNG card's asset is named __asset:PATH, not {uri[:80]!r}")
        keyword = PNG_ASSET_KEYWORD + uri[len(PNG_ASSET_SCHEME) :]
        if len(keyword) > png.MAX_KEYWORD or not keyword.isascii():
            raise invalid(f"the asset name {uri[:80]!r} is too long for a PNG chunk")
        texts.append((keyword, base64.b64encode(data).decode("ascii")))
    return png.with_texts(base if base is not None else png.solid(), texts)


def write_charx(
    card: Card, files: Mapping[str, bytes] | None = None, soul: Mapping[str, Any] | None = None
) -> bytes:
    """A CHARX: `card.json` at the root and the given files (zip paths, e.g. `assets/...`).

    The card's assets point at them as `embeded://PATH`, the spelling the spec uses.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        entry = zipfile.ZipInfo("card.json", _ZIP_TIME)
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, _dump(to_v3(_stamped(card, soul)), pretty=True))
        for path, data in sorted((files or {}).items()):
            if path == "card.json" or path.startswith("/") or ".." in path.split("/"):
                raise invalid(f"a CHARX file may not be named {path[:80]!r}")
            entry = zipfile.ZipInfo(path, _ZIP_TIME)
            entry.compress_type = zipfile.ZIP_STORED
            archive.writestr(entry, data)
    return out.getvalue()
