"""One-line descriptions of emotions and traits, as the agent body shows them."""

from __future__ import annotations

_EMOTIONS = {
    "joy": "Feeling of happiness and delight.",
    "sadness": "Feeling of loss, sorrow or disappointment.",
    "anger": "Feeling of being wronged or blocked.",
    "fear": "Feeling of threat or danger ahead.",
    "surprise": "Reaction to the unexpected.",
    "love": "Warm attachment and care.",
    "disgust": "Aversion to something offensive.",
}
_TRAITS = {
    "warmth": "How friendly and caring she is toward others.",
    "playfulness": "How much she jokes, teases and plays.",
    "trust_reliability": "How dependable she is and how readily she trusts.",
    "curiosity_creativity": "How eager she is to explore ideas and invent.",
    "empathy_compassion": "How deeply she feels with others.",
    "emotional_stability": "How steady she stays under stress.",
    "assertiveness_confidence": "How boldly she speaks her mind.",
    "adaptability": "How easily she goes along with change.",
    "discipline_responsibility": "How organised and dutiful she is.",
    "perspective": "How wisely she sees the bigger picture.",
}


def _words(name: str) -> str:
    return name.replace("_", " ")


def emotion(name: str) -> str:
    return _EMOTIONS.get(name, f"Intensity of {_words(name)}.")


def trait(name: str) -> str:
    return _TRAITS.get(name, f"Degree of {_words(name)}.")
