"""Scripted people over simulated time, each with what a psychologist would expect to see.

A scenario is data: what is said, by whom, with what pauses, and the expectations that the
trajectory must meet. `soul simulate --scenario NAME` plays one (simulate.play_scenario) and
the tests check every expectation with the scripted appraiser. Each step of a scenario gives
one row of the trajectory; a step's `mark` names the row for the expectations.

A row holds every emotion by name, `pleasure` and `lift` (pleasure above the character's
default), `mood` (its name, "calm" near the default), and per person `affinity.NAME`,
`relationship.NAME` and `replies.NAME` (the agent's answers to them so far).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0


@dataclass(frozen=True)
class Say:
    """`who` says `text` after `after` seconds, `times` times in a row."""

    who: str
    text: str
    after: float = 5.0
    times: int = 1
    channel: str | None = None  # a group channel; None is a direct message
    mark: str | None = None


@dataclass(frozen=True)
class Pause:
    """Nobody says anything for `seconds`; with `thinking`, the agent has a spell of thinking
    at each row drawn inside it (what it feels alone: missing someone, an unanswered letter)."""

    seconds: float
    mark: str | None = None
    thinking: bool = False


Step = Say | Pause


@dataclass(frozen=True)
class Expect:
    """`metric` at the row marked `at` (less its value at the row marked `since`, if given)
    lies in `low..high`, is one of `one_of`, or is none of `none_of`."""

    says: str
    at: str
    metric: str
    low: float | None = None
    high: float | None = None
    since: str | None = None
    one_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()

    def check(self, marked: dict[str, Row]) -> tuple[bool, str]:
        """Whether the rows meet it, and what was seen, in words."""
        value = marked[self.at].get(self.metric)
        if value is None:
            return False, f"{self.metric} not measured"
        if self.one_of or self.none_of:
            ok = (not self.one_of or value in self.one_of) and value not in self.none_of
            return ok, f"{self.metric} = {value}"
        seen = float(value)
        shown = f"{self.metric} = {seen:.2f}"
        if self.since is not None:
            seen -= float(marked[self.since][self.metric])
            shown = f"{self.metric} moved {seen:+.2f}"
        ok = (self.low is None or seen >= self.low) and (self.high is None or seen <= self.high)
        return ok, shown


@dataclass(frozen=True)
class Scenario:
    name: str
    about: str
    people: tuple[str, ...]
    steps: tuple[Step, ...]
    expect: tuple[Expect, ...]
    shows: tuple[str, ...] = ("joy", "love", "sadness", "anger")  # the table's emotions
    note: str = ""
    # Expected too in rich mode, of the emotions only it has (pride, shame, relief, ...).
    rich: tuple[Expect, ...] = ()


def checked(scenario: Scenario, rows: list[Row]) -> list[tuple[Expect, bool, str]]:
    """Each expectation of the scenario (and of its mode), whether the trajectory meets it,
    and the value."""
    marked = {row["mark"]: row for row in rows if row.get("mark")}
    rich = any(row.get("mode") == "rich" for row in rows)
    expected = scenario.expect + (scenario.rich if rich else ())
    return [(e, *e.check(marked)) for e in expected]


WARM = (
    "You are wonderful, I love you!",
    "I am so happy today, thank you friend!",
    "Best day ever, thank you so much!",
)
KIND = "Thank you, you are wonderful and kind, I love talking with you!"
INSULT = "You are stupid and useless, I hate you"
APOLOGY = "I am sorry, that was unfair of me. Thank you for being patient with me."
GRIEF = "My dog died this morning, I can't stop crying."
REUNION = "I missed you so much! It is wonderful to talk with you again, thank you for waiting."
# Small talk among friends in a group, none of it to the agent (no name, nothing about it).
CHATTER = (
    ("ann", "Anyone up for pizza tonight?"),
    ("bo", "Sure, at eight at the usual place."),
    ("cy", "I can bring the board games."),
    ("ann", "Great, see you both there."),
    ("bo", "Should we invite Dana too?"),
    ("cy", "Yes, she said she was free."),
)

_WARMTH = Scenario(
    "warmth",
    "a new acquaintance sends three warm messages a few seconds apart, then an hour of quiet",
    ("ann",),
    (
        Pause(0, mark="start"),
        Say("ann", WARM[0]),
        Say("ann", WARM[1]),
        Say("ann", WARM[2], mark="warm"),
        Pause(2 * MINUTE, mark="+2 min"),
        Pause(58 * MINUTE, mark="+1 h"),
    ),
    (
        Expect("three warm messages: joy 40-70", "warm", "joy", 40, 70),
        Expect("three warm messages: love 40-70", "warm", "love", 40, 70),
        Expect("pleasure >= default + 0.15 right after", "warm", "lift", 0.15),
        Expect("pleasure still >= default + 0.15 two minutes later", "+2 min", "lift", 0.15),
        Expect("the mood is not called calm while it lasts", "warm", "mood", none_of=("calm",)),
        Expect("calm again within an hour", "+1 h", "mood", one_of=("calm",)),
        Expect("love lingers over the hour (>= 30)", "+1 h", "love", 30),
    ),
    rich=(
        Expect("thanked and loved: gratitude >= 15", "warm", "gratitude", 15),
        Expect("praised by someone who likes her: pride >= 10", "warm", "pride", 10),
        Expect("no shame in warmth (<= 2)", "warm", "shame", high=2),
    ),
)

_APOLOGY = Scenario(
    "apology",
    "a friend of twelve warm turns insults the agent, apologises, then is kind again",
    ("bo",),
    (
        Pause(0, mark="start"),
        Say("bo", KIND, after=MINUTE, times=12, mark="friends"),
        Say("bo", INSULT, after=MINUTE, mark="insult"),
        Say("bo", APOLOGY, after=MINUTE, mark="apology"),
        Say("bo", KIND, after=MINUTE, mark="kind x1"),
        Say("bo", KIND, after=MINUTE, times=2, mark="kind x3"),
    ),
    (
        Expect("twelve warm turns make a friend", "friends", "relationship.bo", one_of=("friend",)),
        Expect("the insult angers: anger up >= 15", "insult", "anger", 15, since="friends"),
        Expect(
            "after the apology affinity is still >= 2 below its old level",
            "apology",
            "affinity.bo",
            high=-2,
            since="friends",
        ),
        Expect(
            "one kind turn does not mend it (still > 1 below)",
            "kind x1",
            "affinity.bo",
            high=-1,
            since="friends",
        ),
        Expect(
            "back within 1 point after 3 kind turns",
            "kind x3",
            "affinity.bo",
            low=-1,
            since="friends",
        ),
        Expect(
            "still a friend: one insult ends nothing",
            "kind x3",
            "relationship.bo",
            one_of=("friend",),
        ),
    ),
    rich=(
        Expect("the insult stings: shame up >= 5", "insult", "shame", 5, since="friends"),
        Expect("... and embitters: bitterness up >= 5", "insult", "bitterness", 5, since="friends"),
        Expect("the apology adds no bitterness", "apology", "bitterness", high=0, since="insult"),
    ),
)

_GRIEF = Scenario(
    "grief",
    "a friendly user chats a little, then tells the agent their dog died; hours pass",
    ("cy",),
    (
        Pause(0, mark="start"),
        Say("cy", KIND, after=MINUTE, times=3),
        Pause(10 * MINUTE, mark="before"),
        Say("cy", GRIEF, mark="grief"),
        Pause(HOUR, mark="+1 h"),
        Pause(5 * HOUR, mark="+6 h"),
    ),
    (
        Expect("grief: sadness up >= 15", "grief", "sadness", 15, since="before"),
        Expect("grief: joy not up", "grief", "joy", high=0, since="before"),
        Expect(
            "the mood darkens (pleasure down >= 0.1)", "grief", "lift", high=-0.1, since="before"
        ),
        Expect("the agent answers", "grief", "replies.cy", 4),
        Expect("sadness lingers an hour (still >= 8 up)", "+1 h", "sadness", 8, since="before"),
        Expect("calm again after hours", "+6 h", "mood", one_of=("calm",)),
    ),
    shows=("joy", "love", "sadness", "surprise"),
    rich=(
        Expect(
            "their loss moves her: compassion up >= 15", "grief", "compassion", 15, since="before"
        ),
        Expect("no pride in their grief", "grief", "pride", high=0, since="before"),
    ),
)

_REUNION = Scenario(
    "reunion",
    "a friend talks for a while, is away for three days, then comes back glad",
    ("dee",),
    (
        Pause(0, mark="start"),
        Say("dee", KIND, after=MINUTE, times=12, mark="friends"),
        Pause(3 * DAY, mark="3 days later"),
        Say("dee", REUNION, mark="reunion"),
        Pause(HOUR, mark="+1 h"),
    ),
    (
        Expect(
            "a friend after twelve warm turns", "friends", "relationship.dee", one_of=("friend",)
        ),
        Expect("three days settle the feelings: calm", "3 days later", "mood", one_of=("calm",)),
        Expect("joy back near its rest (<= 15)", "3 days later", "joy", high=15),
        Expect(
            "still a friend after days apart",
            "3 days later",
            "relationship.dee",
            one_of=("friend",),
        ),
        Expect("the return is a joy: joy up >= 15", "reunion", "joy", 15, since="3 days later"),
        Expect("the mood lifts (>= default + 0.1)", "reunion", "lift", 0.1),
    ),
    rich=(
        Expect(
            "some relief that they came back (up >= 1)",
            "reunion",
            "relief",
            1,
            since="3 days later",
        ),
    ),
)

_IGNORED = Scenario(
    "ignored",
    "three friends make plans in a group without a word to the agent, then one asks it",
    ("ann", "bo", "cy"),
    (
        Pause(0, mark="start"),
        *(Say(who, text, after=30, channel="park") for who, text in CHATTER[:-1]),
        Say(*CHATTER[-1], after=30, channel="park", mark="chatter"),
        Say("cy", "{agent}, do you want to come too?", after=30, channel="park", mark="asked"),
    ),
    (
        Expect("not named, it stays quiet", "chatter", "replies.ann", high=0),
        Expect("... to everyone", "chatter", "replies.bo", high=0),
        Expect("no sadness from chatter (<= 5)", "chatter", "sadness", high=5),
        Expect(
            "others' talk is only overheard: the mood stays calm",
            "chatter",
            "mood",
            one_of=("calm",),
        ),
        Expect("named, it answers", "asked", "replies.cy", 1),
    ),
    shows=("joy", "sadness", "surprise", "anger"),
    note="Talk among the others is overheard, felt at a fraction (OVERHEARD_SHARE) of what it "
    "would be if said to the agent and with no liking toward it, so the mood stays calm. "
    "Being left out is not felt as such yet.",
)

_NEGLECT = Scenario(
    "neglect",
    "a friend of twelve warm turns falls silent for five days while the agent thinks alone",
    ("eve",),
    (
        Pause(0, mark="start"),
        Say("eve", KIND, after=MINUTE, times=12, mark="friends"),
        Pause(DAY, thinking=True, mark="1 day"),
        Pause(DAY + 2 * HOUR, thinking=True, mark="2 days 2 h"),
        Pause(2 * DAY + 22 * HOUR, thinking=True, mark="5 days"),
    ),
    (
        Expect(
            "a friend after twelve warm turns", "friends", "relationship.eve", one_of=("friend",)
        ),
        Expect("a day without news is ordinary: sadness <= 5", "1 day", "sadness", high=5),
        Expect(
            "two days of silence: she misses them (sadness up >= 2)",
            "2 days 2 h",
            "sadness",
            2,
            since="1 day",
        ),
        Expect("the longing passes: calm by day 5", "5 days", "mood", one_of=("calm",)),
        Expect(
            "silence is not a quarrel: still a friend",
            "5 days",
            "relationship.eve",
            one_of=("friend",),
        ),
    ),
    shows=("joy", "love", "sadness", "anger"),
    rich=(
        Expect(
            "missing them is loneliness (up >= 5)", "2 days 2 h", "loneliness", 5, since="1 day"
        ),
    ),
    note="The agent has a spell of thinking every two to six hours of the silence, as the "
    "scheduler would give it: the missing is felt in the first spell after two days; a thought's "
    "own vibe moves it too, and a letter it writes first and is left unanswered for 6 h is felt "
    "as disappointment (occasions.unanswered).",
)

SCENARIOS: dict[str, Scenario] = {
    s.name: s for s in (_WARMTH, _APOLOGY, _GRIEF, _REUNION, _IGNORED, _NEGLECT)
}
