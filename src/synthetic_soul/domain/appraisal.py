"""OCC-style appraisal of an event, and the fixed table from appraisal to emotion potentials.

Appraisal variables are -10..10 (unexpectedness 0..10); potentials are 0..10. What the
potentials do to the current emotions is `affect.feel`.

Besides the agent's own stake in an event (`desirability`), OCC's fortunes-of-others branch
weighs what it means for the user (`desirability_for_user`): felt as the agent's own joy or
sorrow as far as it likes the user (happy-for, pity), and turned around for one it dislikes
(resentment; gloating has no emotion in either set and is not felt).
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Appraisal:
    desirability: float = 0.0
    praiseworthiness: float = 0.0
    liking: float = 0.0
    unexpectedness: float = 0.0
    # How good the event is for the user it happened to (their loss, their good news).
    desirability_for_user: float = 0.0


# How much of the user's fortune the agent feels, from its affinity toward them (-100..100):
# a stranger's news at 3/4 (a companion is open to people it has just met), a liked user's
# in full from affinity 10, nothing at -30 (near where `enemy` begins, -35), and the other
# way round below that (their good news resented), fully from -70.
FELLOW_FEELING_AT_ZERO = 0.75
FELLOW_FEELING_SPAN = 40.0


def regard(affinity: float) -> float:
    """-1..1: the share of the user's fortune the agent feels as its own (negative: resents)."""
    return max(-1.0, min(1.0, FELLOW_FEELING_AT_ZERO + affinity / FELLOW_FEELING_SPAN))


# A group message meant for someone else is overheard: it touches the agent at this share of
# what it would if said to her (others' cheer, others' questions), and carries no liking or
# praise toward her, since it was not about her. Their fortune is felt at the same share.
OVERHEARD_SHARE = 0.3


def overheard(a: Appraisal) -> Appraisal:
    """The appraisal of a message the agent only overheard (group, not addressed to her)."""
    return Appraisal(
        desirability=a.desirability * OVERHEARD_SHARE,
        unexpectedness=a.unexpectedness * OVERHEARD_SHARE,
        desirability_for_user=a.desirability_for_user * OVERHEARD_SHARE,
    )


def _pos(x: float) -> float:
    return max(0.0, x)


def _neg(x: float) -> float:
    return max(0.0, -x)


def coherent(a: Appraisal, affinity: float = 0.0) -> Appraisal:
    """The appraisal with its own stake made to agree with the rest: blame aimed at her, or a
    loss for a user she feels for (`regard` > 0), is no good news for her (OCC: a liked
    person's misfortune is undesirable to the one who likes them; that is what pity is made of).

    Small models read `desirability` as how pleasant the exchange is and answer 10 for an
    insult or a friend's grief; the blame and the loss are what they get right, so those win.
    """
    blamed = a.praiseworthiness < 0
    their_loss = a.desirability_for_user < 0 and regard(affinity) > 0
    if a.desirability > 0 and (blamed or their_loss):
        return replace(a, desirability=0.0)
    return a


def potentials(a: Appraisal, mode: str, affinity: float = 0.0) -> dict[str, float]:
    """Emotion potentials (0..10) for the active emotion set, toward a user of `affinity`."""
    a = coherent(a, affinity)
    threat = _neg(a.desirability) * a.unexpectedness / 10.0
    share = regard(affinity)
    happy_for = _pos(a.desirability_for_user) * _pos(share)
    pity = _neg(a.desirability_for_user) * _pos(share)
    resentment = _pos(a.desirability_for_user) * _neg(share)
    base = {
        # One feeling, whoever's fortune raised it: the stronger of the two, so a model that
        # also marks the user's loss as bad for the agent does not count the sorrow twice.
        "joy": max(_pos(a.desirability), happy_for),
        "sadness": max(_neg(a.desirability) * 0.8, pity),
        "anger": _neg(a.praiseworthiness),
        "fear": threat,
        "surprise": a.unexpectedness,
        "love": _pos(a.liking) * 0.8,
        "disgust": _neg(a.liking) * 0.6,
    }
    if mode == "lite":
        return base
    praise, want, like = a.praiseworthiness, a.desirability, a.liking
    blamed = _neg(praise)
    return {
        "happiness": base["joy"],
        "sadness": base["sadness"],
        "anger": base["anger"],
        "fear": threat,
        "surprise": a.unexpectedness,
        "disgust": base["disgust"],
        "love": base["love"],
        "affection": _pos(like),
        # The self-conscious emotions. OCC ties pride and shame to one's own actions; what a
        # companion does is how she is with the person, so their warm praise lands on her as
        # pride (and some love for herself), their blame as shame, blame out of the blue as
        # embarrassment, blame with dislike as self-loathing, and their hurt together with
        # their blame as guilt (she hurt them). Each stays below the outward feeling the
        # same event raises (gratitude, anger).
        "pride": min(_pos(praise), _pos(like)) * 0.6,
        "love_for_self": min(_pos(praise), _pos(like)) * 0.3,
        "shame": blamed * 0.4,
        "embarrassment": blamed * a.unexpectedness / 10.0,
        "self_loathing": min(blamed, _neg(like)) * 0.2,
        "guilt": min(pity, blamed) * 0.6,
        # Good news that was expected settles her rather than excites her.
        "serenity": _pos(want) * (10.0 - a.unexpectedness) / 10.0 * 0.4,
        "gratitude": min(_pos(praise), _pos(want)),
        "trust": _pos(praise) * 0.5,
        "compassion": max(_pos(like) * _neg(want) / 10.0, pity),
        "envy": resentment,
        "frustration": _neg(want) * 0.7,
        "bitterness": _neg(praise) * 0.4,
        "hope": _pos(want) * 0.4,
        "excitement": _pos(want) * a.unexpectedness / 10.0,
        "contentment": _pos(want) * 0.5,
        "anxiety": threat * 0.8,
    }
