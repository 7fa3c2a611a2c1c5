"""Character cards (V1, V2 `chara_card_v2`, V3 `chara_card_v3`): read, checked, written.

What the rest of the service calls: `read` for an upload, `write_json` / `write_png` /
`write_charx` for an export, `seed` for a personality from a card's words, `identity_of` for
its first identity, and `emotion_assets` for the faces a card brings. See docs/cards.md.
"""

from synthetic_soul.cards.card import (
    SOUL_EXTENSION,
    SPEC_V1,
    SPEC_V2,
    SPEC_V3,
    Asset,
    Card,
    soul_state,
    to_v2,
    to_v3,
    with_soul,
)
from synthetic_soul.cards.errors import CARD_INVALID, CARD_TOO_LARGE, CardError
from synthetic_soul.cards.expressions import emotion_assets, expression_for, map_names
from synthetic_soul.cards.identity import identity_of
from synthetic_soul.cards.reading import CardFile, read, read_charx, read_json, read_png
from synthetic_soul.cards.seeding import Seeding, seed
from synthetic_soul.cards.writing import write_charx, write_json, write_png

__all__ = [
    "CARD_INVALID",
    "CARD_TOO_LARGE",
    "SOUL_EXTENSION",
    "SPEC_V1",
    "SPEC_V2",
    "SPEC_V3",
    "Asset",
    "Card",
    "CardError",
    "CardFile",
    "Seeding",
    "emotion_assets",
    "expression_for",
    "identity_of",
    "map_names",
    "read",
    "read_charx",
    "read_json",
    "read_png",
    "seed",
    "soul_state",
    "to_v2",
    "to_v3",
    "with_soul",
    "write_charx",
    "write_json",
    "write_png",
]
