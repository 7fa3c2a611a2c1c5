"""PNG chunks, read and written by hand: where a card hides in its own portrait.

A PNG is a signature and a run of chunks (length, type, data, CRC). Cards ride in text
chunks (`tEXt`, and sometimes `zTXt` or `iTXt`) whose keyword names them (`chara`, `ccv3`).
Reading walks the chunks with every length checked against what is left and inflates a
compressed text chunk no further than the JSON limit; writing puts fresh text chunks just
before `IEND` and drops the old ones of the same keywords.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from synthetic_soul.cards import limits
from synthetic_soul.cards.errors import invalid, too_large

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TEXT_TYPES = (b"tEXt", b"zTXt", b"iTXt")
MAX_KEYWORD = 79  # the longest keyword a text chunk may have (the PNG spec's limit)


@dataclass(frozen=True)
class Chunk:
    type: bytes
    data: bytes


def chunks(png: bytes) -> Iterator[Chunk]:
    """The chunks of a PNG in order, up to and with `IEND`; `CardError` if malformed."""
    if not png.startswith(SIGNATURE):
        raise invalid("not a PNG: the signature is missing")
    pos = len(SIGNATURE)
    count = 0
    while True:
        if pos + 8 > len(png):
            raise invalid("the PNG is truncated: it ends before its IEND chunk")
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        end = pos + 8 + length + 4
        if end > len(png):
            raise invalid("the PNG is truncated: a chunk runs past the end of the file")
        if not kind.isalpha():
            raise invalid("the PNG has a chunk with a malformed type")
        data = png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[end - 4 : end])
        if zlib.crc32(kind + data) != crc:
            raise invalid(f"the PNG's {kind.decode('ascii')} chunk fails its CRC check")
        if count == 0 and kind != b"IHDR":
            raise invalid("the PNG does not start with an IHDR chunk")
        count += 1
        if count > limits.MAX_PNG_CHUNKS:
            raise too_large(f"the PNG has over {limits.MAX_PNG_CHUNKS} chunks")
        yield Chunk(kind, data)
        if kind == b"IEND":
            return
        pos = end


def _inflate(data: bytes, limit: int) -> bytes:
    """Compressed text, inflated to at most `limit` bytes (a bomb stops there)."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise invalid("a compressed PNG text chunk does not inflate") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise too_large(f"a compressed PNG text chunk inflates past {limit} bytes")
    return out


def _keyword(chunk: Chunk) -> str:
    keyword, sep, _ = chunk.data.partition(b"\0")
    if not sep or not 1 <= len(keyword) <= MAX_KEYWORD:
        raise invalid("a PNG text chunk has a malformed keyword")
    return keyword.decode("latin-1")


def text_of(chunk: Chunk, limit: int) -> str:
    """A text chunk's text, inflated to at most `limit` bytes if compressed."""
    rest = chunk.data.partition(b"\0")[2]
    if chunk.type == b"tEXt":
        return rest.decode("latin-1")
    if chunk.type == b"zTXt":
        if not rest or rest[0] != 0:
            raise invalid("a zTXt chunk names an unknown compression method")
        return _inflate(rest[1:], limit).decode("latin-1")
    # iTXt: compression flag, method, language tag, translated keyword, then UTF-8 text.
    if len(rest) < 2:
        raise invalid("an iTXt chunk is truncated")
    flag, method = rest[0], rest[1]
    parts = rest[2:].split(b"\0", 2)
    if len(parts) != 3:
        raise invalid("an iTXt chunk is truncated")
    body = parts[2]
    if flag:
        if method != 0:
            raise invalid("an iTXt chunk names an unknown compression method")
        body = _inflate(body, limit)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid("an iTXt chunk is not UTF-8") from exc


def texts(png: bytes, limit_for: Callable[[str], int | None], total: int) -> dict[str, str]:
    """The text of each wanted keyword, as the PNG spells it (the first chunk of a keyword,
    in any case, wins).

    `limit_for` says how many bytes a keyword's text may have (None: not wanted). Only wanted
    chunks are decoded, each to at most its limit and all together to `total`, so neither a
    compressed bomb nor a thousand text chunks costs more than that.
    """
    found: dict[str, str] = {}
    seen: set[str] = set()
    spent = 0
    for chunk in chunks(png):
        if chunk.type not in _TEXT_TYPES:
            continue
        key = _keyword(chunk)
        limit = limit_for(key)
        if key.lower() in seen or limit is None:
            continue
        seen.add(key.lower())
        text = text_of(chunk, min(limit, total - spent))
        if len(text) > limit:
            raise too_large(f"the PNG's {key[:40]!r} chunk is over {limit} bytes")
        spent += len(text)
        if spent > total:
            raise too_large(f"the PNG's card chunks hold over {total} bytes")
        found[key] = text
    return found


def _chunk_bytes(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def with_texts(png: bytes, entries: Iterable[tuple[str, str]]) -> bytes:
    """The PNG with these tEXt chunks before IEND, old chunks of their keywords removed."""
    new = list(entries)
    replaced = {key.lower() for key, _ in new}
    out = [SIGNATURE]
    for chunk in chunks(png):
        if chunk.type in _TEXT_TYPES:
            keyword = chunk.data.partition(b"\0")[0].decode("latin-1").lower()
            if keyword in replaced:
                continue
        if chunk.type == b"IEND":
            for key, text in new:
                out.append(
                    _chunk_bytes(b"tEXt", key.encode("latin-1") + b"\0" + text.encode("latin-1"))
                )
        out.append(_chunk_bytes(chunk.type, chunk.data))
    return b"".join(out)


def solid(size: int = 64, rgb: tuple[int, int, int] = (0x8A, 0x7F, 0xC8)) -> bytes:
    """A small valid PNG of one colour: the portrait of a card that brought none."""
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    row = b"\0" + bytes(rgb) * size  # filter type 0, then the pixels
    pixels = zlib.compress(row * size, 9)
    return (
        SIGNATURE
        + _chunk_bytes(b"IHDR", header)
        + _chunk_bytes(b"IDAT", pixels)
        + _chunk_bytes(b"IEND", b"")
    )
