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
# What happened to the user (their fortune, not the agent's): a clear word of loss or of good
# news is a strong event for them. Phrases are read first and taken out, so "passed away" is
# a loss and not an exam passed.
_THEIR_LOSS_PHRASES = ("passed away", "laid off", "broke up")
_THEIR_GAIN_PHRASES = ("got the job", "got a job", "new job")
_THEIR_LOSS = {
    "died",
    "dead",
    "death",
    "funeral",
    "grief",
    "grieving",
    "loss",
    "lost",
    "fired",
    "sick",
    "ill",
    "cancer",
    "hospital",
    "divorce",
    "cry",
    "crying",
    "cried",
    "injured",
    "dumped",
}
_THEIR_GAIN = {
    "promoted",
    "promotion",
    "engaged",
    "married",
    "passed",
    "hired",
    "graduated",
    "won",
    "accepted",
    "recovered",
}
_FORTUNE_POINTS = 8.0  # one clear word of someone's loss or good news


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
        desirability_for_user=_their_fortune(text),
        desirability=max(
            -10.0, min(10.0, scale(kind) - scale(hostile) - scale(sad) - scale(scary))
        ),
        praiseworthiness=max(-10.0, min(10.0, scale(kind) - scale(hostile))),
        liking=max(-10.0, min(10.0, scale(kind) - scale(hostile))),
        unexpectedness=min(10.0, surprise + (3.0 if scary else 0.0)),
    )


def _their_fortune(text: str) -> float:
    """How good what the message tells is for its writer, -10..10, from clear words."""
    lowered = text.lower()
    found = 0
    for phrases, sign in ((_THEIR_LOSS_PHRASES, -1), (_THEIR_GAIN_PHRASES, 1)):
        for phrase in phrases:
            found += sign * lowered.count(phrase)
            lowered = lowered.replace(phrase, " ")
    for word in _WORD.findall(lowered):
        found += (word in _THEIR_GAIN) - (word in _THEIR_LOSS)
    return max(-10.0, min(10.0, found * _FORTUNE_POINTS))
