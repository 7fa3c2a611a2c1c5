"""An agent's own face for an expression: an image's bytes, and what kind of image they are.

The kind is read from the bytes themselves (their magic numbers), never from a name or a
declared type: a face comes from someone's card and is served back to browsers as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from synthetic_soul.domain.expressions import image_candidates, normalize

PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
GIF = "image/gif"

# The file extension each kind of image goes by (in a card's asset `ext`, or a file name).
EXTENSIONS: dict[str, str] = {PNG: "png", JPEG: "jpeg", WEBP: "webp", GIF: "gif"}


@dataclass(frozen=True)
class Face:
    """One expression's image as an agent wears it."""

    media_type: str
    data: bytes


def image_type(data: bytes) -> str | None:
    """The media type these bytes are an image of (PNG, JPEG, WebP, GIF), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return WEBP
    return None


def expression_named(filename: str) -> str | None:
    """The expression an image request names (`joy_happy.png`, `neutral.webp`, `sad`), alias
    applied, whatever its extension; None for a name that is not one of ours or not safe."""
    candidates = image_candidates(filename)
    if not candidates:
        return None
    return normalize(candidates[0].rpartition(".")[0])
