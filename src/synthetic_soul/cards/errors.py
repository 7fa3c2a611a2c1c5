"""The one error a card can raise: what was wrong, in a stable code and a sentence."""

from __future__ import annotations

from synthetic_soul.errors import SoulError

CARD_INVALID = "card_invalid"
CARD_TOO_LARGE = "card_too_large"


class CardError(SoulError):
    """A card we cannot read: malformed (`card_invalid`) or over a limit (`card_too_large`).

    A client's mistake either way (a 4xx): the message names the part at fault, never
    echoes the card's content back.
    """

    code = CARD_INVALID


def invalid(message: str) -> CardError:
    return CardError(message, CARD_INVALID)


def too_large(message: str) -> CardError:
    return CardError(message, CARD_TOO_LARGE)
