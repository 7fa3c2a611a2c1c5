"""How much of a card we read: every size an uploaded card may reach, stated once.

A card comes from anyone, so each part of it is bounded before it is decoded, not after:
a PNG's text chunks, a CHARX's entries and the JSON inside them are measured first.
"""

from __future__ import annotations

MiB = 1024 * 1024

# The whole upload (a PNG with its picture, or a CHARX with its images).
MAX_UPLOAD_BYTES = 32 * MiB
# The card's JSON once decoded (base64 undone, zTXt inflated, read out of a zip).
MAX_JSON_BYTES = 4 * MiB
# Each long text (description, personality, scenario, greetings, examples, lore content).
MAX_TEXT_CHARS = 64_000
# Each short text (name, creator, version, a tag, a key, an asset's fields).
MAX_SHORT_CHARS = 1_000
# Items in a list of texts (alternate greetings, tags, a lore entry's keys, sources).
MAX_LIST_ITEMS = 200
# Entries in a lorebook.
MAX_LORE_ENTRIES = 1_000
# Assets a card lists, and the bytes of one embedded asset and of all of them together.
MAX_ASSETS = 256
MAX_ASSET_BYTES = 8 * MiB
MAX_ASSETS_TOTAL_BYTES = 64 * MiB
# An emotion image kept as one of the agent's faces, and all of one agent's faces together
# (each is one database document, and an exported PNG card carries them all).
MAX_FACE_BYTES = 2 * MiB
MAX_FACES_TOTAL_BYTES = 16 * MiB
# Chunks in a PNG, and entries in a CHARX's zip directory.
MAX_PNG_CHUNKS = 4_096
MAX_ZIP_ENTRIES = 1_024
# Nesting of the JSON (objects in arrays in objects...), below Python's recursion limit.
MAX_JSON_DEPTH = 64
