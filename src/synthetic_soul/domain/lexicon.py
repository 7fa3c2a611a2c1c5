"""An offline appraiser: a small valence lexicon, used when no model answers."""

from __future__ import annotations

import re

from synthetic_soul.domain.appraisal import Appraisal

_KIND = {
    "love",
    "thank",
    "thanks",
    "grateful",
    "great",
    "wonderful",
    "amazing",
    "awesome",
    "beautiful",
    "kind",
    "happy",
    "glad",
    "appreciate",
    "nice",
    "lovely",
    "sweet",
    "proud",
    "brilliant",
    "friend",
    "hug",
    "good",
    "best",
    "fantastic",
    "adore",
    "cute",
    "fun",
}
_HOSTILE = {
    "hate",
    "stupid",
    "idiot",
    "useless",
    "dumb",
    "shut",
    "ugly",
    "worthless",
    "awful",
    "terrible",
    "pathetic",
    "annoying",
    "disgusting",
    "loser",
    "horrible",
    "trash",
    "boring",
    "liar",
    "moron",
    "die",
}
_SAD = {"sad", "lonely", "cry", "crying", "depressed", "miss", "lost", "hurt", "tired", "alone"}
_SCARY = {"scared", "afraid", "danger", "threat", "worried", "anxious", "panic", "fear"}
_WORD = re.compile(r"[a-z']+")


def appraise_text(text: str) -> Appraisal:
    """A rough OCC appraisal of a message from word counts."""
    words = _WORD.findall(text.lower())
    kind = sum(1 for w in words if w in _KIND or w.rstrip("s") in _KIND)
    hostile = sum(1 for w in words if w in _HOSTILE)
    sad = sum(1 for w in words if w in _SAD)
    scary = sum(1 for w in words if w in _SCARY)

    def scale(n: int) -> float:
        return min(10.0, 4.0 * n)

    surprise = 2.0 + (3.0 if "!" in text else 0.0) + (2.0 if "?" in text else 0.0)
    return Appraisal(
        desirability=max(
            -10.0, min(10.0, scale(kind) - scale(hostile) - scale(sad) - scale(scary))
        ),
        praiseworthiness=max(-10.0, min(10.0, scale(kind) - scale(hostile))),
        liking=max(-10.0, min(10.0, scale(kind) - scale(hostile))),
        unexpectedness=min(10.0, surprise + (3.0 if scary else 0.0)),
    )
