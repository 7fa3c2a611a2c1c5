"""The default agent's expression names, aliases and the fallback from affect."""

from __future__ import annotations

EXPRESSIONS: tuple[str, ...] = (
    "affection",
    "anger_frustration",
    "blushing",
    "celebrating",
    "confused",
    "crying_tearful",
    "curious_interested",
    "disgust",
    "embarrased_shy",
    "encouraging",
    "excited_enthusiastic",
    "fear_nervous",
    "focused_determined",
    "joking",
    "joy_happy",
    "listening_deeply",
    "love",
    "neutral_listening",
    "playful_cheeky",
    "pleased_smug",
    "polite_smile",
    "relieved",
    "sad",
    "sarcastic",
    "skeptical_unimpressed",
    "sleepy_tired",
    "supportive",
    "surprise",
    "thinking",
    "thinking_hard",
)
ALIASES: dict[str, str] = {"neutral": "neutral_listening"}
IMAGE_EXTENSIONS: tuple[str, ...] = (".jpeg", ".jpg", ".png", ".webp", ".gif")
DEFAULT_EXPRESSION = "neutral_listening"

# Dominant emotion -> expression, used when the model picks no valid name.
_BY_EMOTION: dict[str, str] = {
    "joy": "joy_happy",
    "happiness": "joy_happy",
    "sadness": "sad",
    "anger": "anger_frustration",
    "frustration": "anger_frustration",
    "bitterness": "anger_frustration",
    "fear": "fear_nervous",
    "anxiety": "fear_nervous",
    "surprise": "surprise",
    "love": "love",
    "affection": "affection",
    "disgust": "disgust",
    "guilt": "sad",
    "shame": "embarrased_shy",
    "embarrassment": "embarrased_shy",
    "pride": "pleased_smug",
    "hope": "encouraging",
    "gratitude": "affection",
    "compassion": "supportive",
    "serenity": "relieved",
    "contentment": "polite_smile",
    "loneliness": "sad",
    "trust": "supportive",
    "relief": "relieved",
    "excitement": "excited_enthusiastic",
    "envy": "skeptical_unimpressed",
    "self_loathing": "crying_tearful",
    "love_for_self": "pleased_smug",
}

# Below this intensity (0..100) no emotion is dominant enough to show.
_SHOW_THRESHOLD = 10.0


def normalize(name: str) -> str | None:
    """The canonical expression for a name (alias applied), or None if unknown."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    return key if key in EXPRESSIONS else None


def from_emotions(emotions: dict[str, float]) -> str:
    """A deterministic expression from the dominant current emotion."""
    if not emotions:
        return DEFAULT_EXPRESSION
    name, value = max(sorted(emotions.items()), key=lambda item: item[1])
    if value < _SHOW_THRESHOLD:
        return DEFAULT_EXPRESSION
    return _BY_EMOTION.get(name, DEFAULT_EXPRESSION)


def choose(pick: str | None, emotions: dict[str, float]) -> str:
    """The model's pick when valid, else the fallback from emotions."""
    if pick:
        valid = normalize(pick)
        if valid:
            return valid
    return from_emotions(emotions)


def image_candidates(filename: str) -> list[str]:
    """File names to try for a requested image: its own extension first, then the others.

    Unsafe names (anything but letters, digits, `_` and `-` in the stem) yield nothing.
    """
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    if not stem or not all(c.isascii() and (c.isalnum() or c in "_-") for c in stem):
        return []
    stem = ALIASES.get(stem.lower(), stem)
    requested = f".{ext.lower()}" if ext else ""
    order = ([requested] if requested in IMAGE_EXTENSIONS else []) + [
        e for e in IMAGE_EXTENSIONS if e != requested
    ]
    return [stem + e for e in order]
