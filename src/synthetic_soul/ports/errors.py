"""What a store refuses, in words every adapter raises alike."""

from __future__ import annotations


class StaleStateError(Exception):
    """The agent changed since it was read; re-read and re-apply."""


class ConflictError(Exception):
    """A unique value (email, username) is already taken."""
