"""How `soul chat` and `soul status` put the agent's state into words and bars."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from rich.console import Console, RenderableType

from synthetic_soul.terminal.client import ApiError, Unreachable
from synthetic_soul.terminal.render import (
    ago,
    bar,
    conversation_tail,
    feelings,
    memories_view,
    mood_words,
    state_view,
    thought_view,
    top_emotions,
    trouble,
)

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC).timestamp()


def plain(renderable: RenderableType, width: int = 100) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, record=True)
    console.print(renderable)
    return console.export_text()


def scale(value: float) -> dict[str, Any]:
    return {"value": value, "min": 0, "max": 100, "description": "..."}


def agent(emotions: dict[str, float], mood: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "jasmine",
        "emotional_status": {
            "emotions": {name: scale(v) for name, v in emotions.items()},
            "reason": "someone was kind",
        },
        "personality": {
            "myers-briggs": "ISFJ",
            "personality_matrix": {"warmth": scale(70), "discipline_responsibility": scale(85)},
            "description": "ISFJ: strongest in discipline responsibility.",
        },
    }
    if mood is not None:
        body["mood"] = mood
    return body


MOOD = {"pleasure": 0.39, "arousal": 0.01, "dominance": -0.05, "label": "dependent"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "··········"),
        (100, "██████████"),
        (50, "█████·····"),
        (-5, "··········"),
        (250, "██████████"),
    ],
)
def test_a_bar_fills_its_share_of_the_scale(value: float, expected: str) -> None:
    assert bar(value, width=10) == expected


def test_a_bar_of_an_empty_scale_is_empty() -> None:
    assert bar(5, low=10, high=10, width=4) == "····"


def test_top_emotions_are_the_strongest_felt_ties_by_name() -> None:
    emotions = {"sadness": 0, "love": 40, "joy": 62, "fear": 40, "anger": 3}
    assert top_emotions(emotions) == [("joy", 62), ("fear", 40), ("love", 40)]
    assert top_emotions(emotions, 5) == [("joy", 62), ("fear", 40), ("love", 40), ("anger", 3)]
    assert top_emotions({"joy": 0, "fear": 0}) == []


def test_the_mood_reads_with_its_intensity_unless_neutral() -> None:
    assert mood_words({**MOOD, "intensity": "slightly"}) == "slightly dependent"
    assert mood_words({"label": "neutral", "intensity": "slightly"}) == "neutral"
    assert mood_words(None) == "mood unknown"


def test_the_servers_mood_name_wins_so_a_resting_agent_reads_calm() -> None:
    assert mood_words({**MOOD, "intensity": "slightly", "name": "calm"}) == "calm"


def test_feelings_show_the_expression_mood_and_changes_since_last_seen() -> None:
    now = agent({"joy": 62, "love": 40, "fear": 7, "anger": 0}, {**MOOD, "intensity": "fully"})
    line = feelings("joy_happy", now, {"joy": 50, "love": 40, "fear": 10}).plain
    assert line == "  joy_happy · mood fully dependent · joy 62 +12 · love 40 · fear 7 -3"


def test_feelings_without_a_past_or_any_emotion() -> None:
    line = feelings(None, agent({"joy": 0}, {"label": "neutral"})).plain
    assert line == "  mood neutral · calm, no emotion above 0"
    assert "+" not in feelings("sad", agent({"sadness": 20})).plain


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (5, "just now"),
        (300, "5 min ago"),
        (3 * 3600 + 59, "3 h ago"),
        (86400, "1 day ago"),
        (3 * 86400, "3 days ago"),
        (-30, "just now"),
    ],
)
def test_ago_says_how_long_since(seconds: int, expected: str) -> None:
    then = dt.datetime.fromtimestamp(NOW - seconds, dt.UTC).isoformat()
    assert ago(then, NOW) == expected


def test_ago_of_no_time_repeats_it() -> None:
    assert ago("yesterday-ish", NOW) == "yesterday-ish"


def test_the_state_shows_mood_octant_felt_emotions_personality_and_relationship() -> None:
    body = agent({"joy": 62, "love": 7, "fear": 0, "anger": 0}, {**MOOD, "intensity": "slightly"})
    relationship = {
        "extrinsic_relationship": "friend",
        "intrinsic_relationship": "creator",
        "affinity": 12.345,
        "sentiments": {"trust": scale(30), "love": scale(12), "hate": scale(0)},
        "interactions": 1,
        "summary": "",
    }
    text = plain(state_view(body, relationship))
    assert "Jasmine is slightly dependent  (mood octant dependent: P +0.39 A +0.01 D -0.05)" in text
    assert "why: someone was kind" in text
    assert "joy  ██████████······  62" in text
    assert "love █···············   7" in text
    assert "fear" not in text and "and 2 more at 0" in text
    assert "Personality (ISFJ)" in text
    assert "discipline_responsibility ████████··  85" in text
    assert "You friend, creator · affinity +12.3 · 1 interaction · feels trust 30, love 12" in text


def test_an_agent_at_rest_says_so() -> None:
    text = plain(state_view(agent({"joy": 0, "love": 0}), None))
    assert "Emotions  all at rest (0)" in text
    assert "You " not in text


def test_the_conversation_tail_counts_what_it_leaves_out() -> None:
    messages = [{"message": f"m{i}", "from_agent": i % 2 == 1} for i in range(8)]
    text = plain(conversation_tail("jasmine", messages, count=3))
    assert text.splitlines() == ["… 5 earlier messages", "Jasmine › m5", "you › m6", "Jasmine › m7"]


def test_a_thought_or_its_absence() -> None:
    when = dt.datetime.fromtimestamp(NOW - 120, dt.UTC).isoformat()
    thought = {"id": "t", "thought": "I wonder about the sea.", "timestamp": when}
    assert thought_view("jasmine", thought, NOW).plain == (
        "Jasmine thought (2 min ago): I wonder about the sea."
    )
    assert thought_view("jasmine", None, NOW).plain == "Jasmine has had no thought yet."


def test_memories_list_what_was_kept_and_how_much_it_matters() -> None:
    when = dt.datetime.fromtimestamp(NOW - 7200, dt.UTC).isoformat()
    memory = {
        "event": "Sam told me about the cat.",
        "thoughts": "It left me warm.",
        "importance": 7,
        "tags": ["cats", "kindness"],
        "created_at": when,
    }
    text = plain(memories_view("jasmine", [memory], NOW))
    assert "What Jasmine remembers about you (1)" in text
    assert "2 h ago" in text and "Sam told me about the cat." in text
    assert "It left me warm." in text and "#cats #kindness" in text
    assert " 7 " in text
    assert plain(memories_view("jasmine", [], NOW)).strip() == (
        "Jasmine holds no memories about you yet."
    )


def test_trouble_says_what_to_do() -> None:
    down = trouble(Unreachable("http://127.0.0.1:9", "nothing answers there")).plain
    assert down.startswith("Cannot reach the service at http://127.0.0.1:9: nothing answers there.")
    assert "make run" in down and "--url" in down
    limited = trouble(ApiError(429, "rate_limited", "Too many requests.", "r1", 12)).plain
    assert limited == "Slow down: Too many requests. — try again in 12 s."
    failed = trouble(ApiError(500, "internal_error", "Something broke.", "r-42", None)).plain
    assert failed == "The service failed: Something broke. (internal_error, request r-42)."
    refused = trouble(ApiError(422, "validation_error", "Bad message.", "r", None)).plain
    assert refused == "The service said: Bad message. (validation_error)."
