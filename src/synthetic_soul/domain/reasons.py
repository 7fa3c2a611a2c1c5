"""Why the agent feels as it does, in words every user may read.

The agent's state is shared: whoever is signed in sees its stated reason. So a reason is
picked from a fixed set by the numbers of an appraisal, never written from who caused the
feeling or from what the model made of their words (a model's reading of a direct message
can paraphrase it). The set is closed, which also lets a reader refuse any other text, such
as a reason stored before this rule.
"""

from __future__ import annotations

from synthetic_soul.domain.appraisal import Appraisal
from synthetic_soul.domain.facts import THOUGHT_VIBES

BORN = "Just born; nothing has happened yet."
QUIET = "Nothing much has stirred me lately."
# Occasions that are no message (domain/occasions.py): fixed too, naming no one.
UNANSWERED = "I wrote to someone and have heard nothing back."
REUNION = "Someone I had missed came back."
MISSED = "I miss someone I have not heard from in days."
FORGOTTEN = "Someone I knew asked me to forget them."
_FAINT = 2.0  # an appraisal weaker than this on every axis moves nothing worth naming

# (axis, sign) -> the sentence; an axis is read from the agent's own point of view.
_BY_AXIS: dict[tuple[str, int], str] = {
    ("liking", 1): "Someone was kind to me.",
    ("liking", -1): "Someone was unkind to me.",
    ("praiseworthiness", 1): "Someone did something I admire.",
    ("praiseworthiness", -1): "Someone did something I disapprove of.",
    ("desirability", 1): "Something good happened.",
    ("desirability", -1): "Something upsetting happened.",
    ("unexpectedness", 1): "Something took me by surprise.",
    # What happened to the user (their fortune), felt with them: still naming no one.
    ("desirability_for_user", 1): "Someone shared good news.",
    ("desirability_for_user", -1): "Someone is going through something hard.",
}


def felt_reason(appraisal: Appraisal) -> str:
    """The sentence for the appraisal's strongest axis (ties go to the first named)."""
    axes = {
        "liking": appraisal.liking,
        "praiseworthiness": appraisal.praiseworthiness,
        "desirability": appraisal.desirability,
        "unexpectedness": appraisal.unexpectedness,
        "desirability_for_user": appraisal.desirability_for_user,
    }
    axis, value = max(axes.items(), key=lambda item: abs(item[1]))
    if abs(value) < _FAINT:
        return QUIET
    return _BY_AXIS[(axis, 1 if value > 0 else -1)]


def musing_reason(vibe: str) -> str:
    """The reason after a thought the agent had alone: its vibe is from a fixed list too."""
    article = "An" if vibe[:1] in "aeiou" else "A"
    return f"{article} {vibe} thought crossed my mind."


SHAREABLE = frozenset(
    {
        BORN,
        QUIET,
        UNANSWERED,
        MISSED,
        REUNION,
        FORGOTTEN,
        *_BY_AXIS.values(),
        *map(musing_reason, THOUGHT_VIBES),
    }
)


def shareable(reason: str) -> str:
    """The reason as it may be shown to anyone: one of the fixed sentences, else QUIET."""
    return reason if reason in SHAREABLE else QUIET
