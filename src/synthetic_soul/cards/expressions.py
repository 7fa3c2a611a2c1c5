"""A card's emotion images, put to our expression names.

Cards name their faces freely: V3 `emotion` assets by whatever word the author chose, and
SillyTavern sprites by the 28 labels of its emotion classifier (admiration ... surprise).
Each name is tidied (case, separators, an extension or a trailing number dropped), taken
as-is if it is one of ours, else looked up among the synonyms below; what matches nothing
is left out, and our default image stands in for the expressions a card does not cover.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from synthetic_soul.cards.card import Asset
from synthetic_soul.domain.expressions import IMAGE_EXTENSIONS, normalize

EMOTION_ASSET = "emotion"

# A card's word -> our expression. SillyTavern's classifier labels first, then common words.
SYNONYMS: dict[str, str] = {
    "admiration": "affection",
    "amusement": "joking",
    "anger": "anger_frustration",
    "annoyance": "skeptical_unimpressed",
    "approval": "encouraging",
    "caring": "supportive",
    "confusion": "confused",
    "curiosity": "curious_interested",
    "desire": "love",
    "disappointment": "sad",
    "disapproval": "skeptical_unimpressed",
    "embarrassment": "embarrased_shy",
    "excitement": "excited_enthusiastic",
    "fear": "fear_nervous",
    "gratitude": "affection",
    "grief": "crying_tearful",
    "joy": "joy_happy",
    "nervousness": "fear_nervous",
    "optimism": "encouraging",
    "pride": "pleased_smug",
    "realization": "surprise",
    "relief": "relieved",
    "remorse": "sad",
    "sadness": "sad",
    "happy": "joy_happy",
    "happiness": "joy_happy",
    "laugh": "joy_happy",
    "laughing": "joy_happy",
    "smile": "polite_smile",
    "smiling": "polite_smile",
    "angry": "anger_frustration",
    "mad": "anger_frustration",
    "frustrated": "anger_frustration",
    "frustration": "anger_frustration",
    "annoyed": "skeptical_unimpressed",
    "skeptical": "skeptical_unimpressed",
    "unimpressed": "skeptical_unimpressed",
    "suspicious": "skeptical_unimpressed",
    "unhappy": "sad",
    "crying": "crying_tearful",
    "cry": "crying_tearful",
    "tears": "crying_tearful",
    "tearful": "crying_tearful",
    "shy": "embarrased_shy",
    "embarrassed": "embarrased_shy",
    "blush": "blushing",
    "flustered": "blushing",
    "scared": "fear_nervous",
    "afraid": "fear_nervous",
    "nervous": "fear_nervous",
    "anxious": "fear_nervous",
    "worried": "fear_nervous",
    "surprised": "surprise",
    "shocked": "surprise",
    "shock": "surprise",
    "confused": "confused",
    "puzzled": "confused",
    "curious": "curious_interested",
    "interested": "curious_interested",
    "excited": "excited_enthusiastic",
    "enthusiastic": "excited_enthusiastic",
    "celebrate": "celebrating",
    "proud": "pleased_smug",
    "smug": "pleased_smug",
    "loving": "love",
    "affectionate": "affection",
    "disgusted": "disgust",
    "playful": "playful_cheeky",
    "cheeky": "playful_cheeky",
    "teasing": "playful_cheeky",
    "wink": "playful_cheeky",
    "joke": "joking",
    "sarcasm": "sarcastic",
    "tired": "sleepy_tired",
    "sleepy": "sleepy_tired",
    "think": "thinking",
    "thoughtful": "thinking",
    "pondering": "thinking_hard",
    "focused": "focused_determined",
    "determined": "focused_determined",
    "serious": "focused_determined",
    "kind": "supportive",
    "supporting": "supportive",
    "relieved": "relieved",
    "calm": "neutral_listening",
    "default": "neutral_listening",
    "idle": "neutral_listening",
    "listening": "neutral_listening",
}

_SEPARATORS = re.compile(r"[^a-z0-9]+")
_TRAILING_NUMBER = re.compile(r"_?\d+$")


def tidy(name: str) -> str:
    """A name as a key: lower case, no image extension, words joined by `_`, no counter."""
    key = name.strip().lower()
    for ext in IMAGE_EXTENSIONS:
        if key.endswith(ext):
            key = key[: -len(ext)]
            break
    key = _SEPARATORS.sub("_", key).strip("_")
    return _TRAILING_NUMBER.sub("", key) or key


def expression_for(name: str) -> str | None:
    """Our expression for a card's emotion name, or None if we have none like it."""
    key = tidy(name)
    if not key:
        return None
    return normalize(key) or SYNONYMS.get(key)


def map_names(names: Iterable[str]) -> dict[str, str]:
    """Our expression -> the card's name for it.

    A name that is exactly one of ours wins its expression over a synonym; otherwise the
    first name met keeps it. Names that match nothing are dropped.
    """
    exact: dict[str, str] = {}
    near: dict[str, str] = {}
    for name in names:
        expression = expression_for(name)
        if expression is None:
            continue
        table = exact if normalize(tidy(name)) == expression else near
        table.setdefault(expression, name)
    return {**near, **exact}


def emotion_assets(assets: Iterable[Asset] | None) -> dict[str, Asset]:
    """Our expression -> the card's `emotion` asset that shows it."""
    emotions = [a for a in assets or () if a.type == EMOTION_ASSET]
    by_name: dict[str, Asset] = {}
    for asset in emotions:
        by_name.setdefault(asset.name, asset)
    return {expression: by_name[name] for expression, name in map_names(by_name).items()}
