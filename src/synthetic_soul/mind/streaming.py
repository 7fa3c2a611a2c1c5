"""What a watcher of a reply has been shown of its text, kept in step with the model.

A provider reports the reply text of its current attempt as it grows, and an attempt may be
abandoned (a dropped connection retried, invalid JSON asked for again, the fallback in the
end). `Shown` turns those reports into what a client applies: more text to append, or, when
an attempt takes a different turn, a reset carrying the whole text that replaces what it
has. A new attempt that repeats what the client already has sends nothing until it says more,
so a retry never duplicates text. Appending every piece (a reset starting afresh) always
gives the text last reported, and `settle` ends the pieces on the text actually answered.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    """Text for a client: appended to what it has, or (`reset`) replacing it."""

    text: str
    reset: bool = False


class Shown:
    def __init__(self) -> None:
        self.text = ""  # what the client has, once it applied every piece sent

    def update(self, text: str) -> Piece | None:
        """The piece that brings the client to an attempt's `text` so far, if any is due."""
        if text.startswith(self.text):
            if len(text) == len(self.text):
                return None
            piece = Piece(text[len(self.text) :])
        elif self.text.startswith(text):
            return None  # a new attempt, not yet past what the client has
        else:
            piece = Piece(text, reset=True)
        self.text = text
        return piece

    def settle(self, final: str) -> Piece | None:
        """The last piece, so that what the client has is `final`; nothing if it saw nothing.

        A client shown nothing gets the answer from the job's result alone.
        """
        if not self.text or final == self.text:
            return None
        if final.startswith(self.text):
            piece = Piece(final[len(self.text) :])
        else:
            piece = Piece(final, reset=True)
        self.text = final
        return piece
