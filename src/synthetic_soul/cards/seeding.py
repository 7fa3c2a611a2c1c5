"""A personality seeded from a card's words, the same way every time.

Cards describe a character in prose ("cheerful, a little shy, fiercely loyal") and carry no
numbers; our mind needs numbers. This is the fallback that needs no model: each trait word
we know moves some of the 34 rich traits from the neutral middle, a negated word ("not shy")
moves them half as far the other way, and each word counts once however often it is
repeated. Lite mode takes the MBTI preset nearest to where the words point and meets it
halfway. The `Seeding` says which words moved which trait, so the choice can be shown and
recorded beside the agent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from synthetic_soul.domain.facts import LITE_TRAITS, MBTI_PRESETS, RICH_TRAIT_INITIAL, RICH_TRAITS
from synthetic_soul.domain.personality import Personality

METHOD = "words-v1"
# A seed keeps off the walls: a few words should not pin a trait at 0 or 100.
SEED_MIN = 10.0
SEED_MAX = 90.0
# However many words push one way, one trait moves at most this far from the middle.
MAX_SHIFT = 40.0
# A negated word ("not shy") moves its traits this fraction of the way, the other way.
NEGATED = -0.5
# How many words before a trait word a negation still reaches ("not very shy").
NEGATION_REACH = 3
NEGATIONS = frozenset(
    {
        "not",
        "never",
        "no",
        "nor",
        "without",
        "hardly",
        "rarely",
        "barely",
        "isn't",
        "isnt",
        "aren't",
        "wasn't",
        "doesn't",
        "don't",
        "didn't",
        "can't",
    }
)

# Trait word -> rich traits it moves, in points from the middle (50).
LEXICON: dict[str, dict[str, float]] = {
    "cheerful": {"optimism": 15, "excitement": 10, "sociability": 5, "humor": 5},
    "outgoing": {"sociability": 20, "confidence": 10, "assertiveness": 5},
    "extroverted": {"sociability": 20, "excitement": 10},
    "extraverted": {"sociability": 20, "excitement": 10},
    "extrovert": {"sociability": 20, "excitement": 10},
    "friendly": {"friendliness": 20, "sociability": 5},
    "kind": {"compassion": 15, "friendliness": 10, "empathy": 5},
    "warm": {"friendliness": 15, "affection": 10},
    "sweet": {"friendliness": 15, "affection": 10},
    "bubbly": {"excitement": 15, "sociability": 10, "optimism": 5},
    "talkative": {"sociability": 15, "excitement": 5},
    "chatty": {"sociability": 15, "excitement": 5},
    "energetic": {"excitement": 20},
    "excitable": {"excitement": 15, "impulsiveness": 5},
    "shy": {"sociability": -20, "confidence": -15, "self_consciousness": 15},
    "quiet": {"sociability": -15, "excitement": -10, "assertiveness": -5},
    "introverted": {"sociability": -20, "independence": 5},
    "introvert": {"sociability": -20, "independence": 5},
    "reserved": {"sociability": -10, "excitement": -5, "self_consciousness": 5},
    "timid": {"confidence": -20, "assertiveness": -15, "neuroticism": 10},
    "aloof": {"sociability": -15, "affection": -10},
    "grumpy": {"friendliness": -15, "optimism": -15, "patience": -10},
    "rude": {"friendliness": -15, "diplomacy": -20},
    "cold": {"friendliness": -15, "affection": -15, "empathy": -10},
    "curious": {"curiosity": 20, "openness": 10},
    "inquisitive": {"curiosity": 20},
    "playful": {"humor": 15, "excitement": 10, "flirtatiousness": 5},
    "mischievous": {"humor": 10, "impulsiveness": 10},
    "funny": {"humor": 20},
    "witty": {"humor": 15, "creativity": 5},
    "sarcastic": {"humor": 10, "diplomacy": -10, "skepticism": 10},
    "serious": {"seriousness": 20, "humor": -10},
    "stoic": {"mood_stability": 15, "seriousness": 10, "excitement": -10},
    "calm": {"mood_stability": 15, "patience": 10, "neuroticism": -10},
    "anxious": {"neuroticism": 20, "mood_stability": -10, "confidence": -10},
    "nervous": {"neuroticism": 15, "confidence": -10},
    "insecure": {"confidence": -20, "self_consciousness": 15},
    "confident": {"confidence": 20, "assertiveness": 5},
    "bold": {"confidence": 15, "adventurousness": 10, "assertiveness": 10},
    "brave": {"confidence": 10, "adventurousness": 10, "resilience": 10},
    "assertive": {"assertiveness": 20},
    "bossy": {"assertiveness": 15, "diplomacy": -10},
    "stubborn": {"stubbornness": 20, "adaptability": -10},
    "patient": {"patience": 20},
    "impatient": {"patience": -20, "impulsiveness": 5},
    "impulsive": {"impulsiveness": 20, "discipline": -10},
    "reckless": {"impulsiveness": 20, "discipline": -10, "adventurousness": 10},
    "disciplined": {"discipline": 20, "impulsiveness": -10},
    "responsible": {"discipline": 15, "loyalty": 5},
    "lazy": {"discipline": -20},
    "childish": {"seriousness": -10, "impulsiveness": 10},
    "loyal": {"loyalty": 20, "trust": 5},
    "honest": {"trust": 15},
    "trustworthy": {"trust": 15, "loyalty": 10},
    "manipulative": {"trust": -20, "empathy": -10},
    "suspicious": {"skepticism": 15, "trust": -10},
    "skeptical": {"skepticism": 20},
    "cynical": {"skepticism": 15, "optimism": -15},
    "optimistic": {"optimism": 20},
    "pessimistic": {"optimism": -20},
    "gloomy": {"optimism": -15, "excitement": -10},
    "melancholic": {"optimism": -15, "neuroticism": 10},
    "melancholy": {"optimism": -15, "neuroticism": 10},
    "caring": {"compassion": 15, "empathy": 10},
    "compassionate": {"compassion": 20},
    "empathetic": {"empathy": 20},
    "gentle": {"compassion": 10, "patience": 10, "assertiveness": -5},
    "affectionate": {"affection": 20},
    "loving": {"affection": 15, "compassion": 5},
    "flirty": {"flirtatiousness": 20},
    "flirtatious": {"flirtatiousness": 20},
    "seductive": {"flirtatiousness": 20, "confidence": 5},
    "creative": {"creativity": 20},
    "artistic": {"creativity": 15},
    "imaginative": {"creativity": 15, "openness": 5},
    "adventurous": {"adventurousness": 20},
    "independent": {"independence": 20},
    "clingy": {"independence": -15, "affection": 10},
    "jealous": {"jealousy": 20},
    "possessive": {"jealousy": 15},
    "humble": {"humility": 20},
    "modest": {"humility": 15},
    "arrogant": {"humility": -20, "confidence": 10},
    "proud": {"confidence": 10, "humility": -10},
    "cocky": {"confidence": 15, "humility": -15},
    "diplomatic": {"diplomacy": 20},
    "polite": {"diplomacy": 15, "friendliness": 5},
    "forgiving": {"forgiveness": 20},
    "vengeful": {"forgiveness": -20},
    "grateful": {"gratitude": 20},
    "resilient": {"resilience": 20},
    "moody": {"mood_stability": -20},
    "emotional": {"neuroticism": 10, "mood_stability": -10},
    "sensitive": {"empathy": 10, "neuroticism": 10},
    "open-minded": {"openness": 20, "adaptability": 5},
    "adaptable": {"adaptability": 20},
    "rigid": {"adaptability": -20},
    "wise": {"patience": 10, "humility": 5},
    "tsundere": {"stubbornness": 10, "diplomacy": -10, "affection": 5},
}

# Rich trait -> the lite traits it stands for, with a weight: how a word reaches lite mode.
RICH_TO_LITE: dict[str, dict[str, float]] = {
    "friendliness": {"warmth": 1.0},
    "flirtatiousness": {"playfulness": 0.5},
    "trust": {"trust_reliability": 0.5},
    "curiosity": {"curiosity_creativity": 1.0},
    "empathy": {"empathy_compassion": 1.0},
    "humor": {"playfulness": 1.0},
    "seriousness": {"playfulness": -0.5, "discipline_responsibility": 0.5},
    "optimism": {"emotional_stability": 0.5},
    "confidence": {"assertiveness_confidence": 1.0},
    "adventurousness": {"curiosity_creativity": 0.5, "adaptability": 0.5},
    "patience": {"emotional_stability": 0.5, "perspective": 0.5},
    "independence": {"assertiveness_confidence": 0.5},
    "compassion": {"empathy_compassion": 1.0},
    "creativity": {"curiosity_creativity": 1.0},
    "stubbornness": {"adaptability": -1.0},
    "impulsiveness": {"discipline_responsibility": -1.0},
    "discipline": {"discipline_responsibility": 1.0},
    "assertiveness": {"assertiveness_confidence": 1.0},
    "skepticism": {"perspective": 0.3},
    "affection": {"warmth": 1.0},
    "adaptability": {"adaptability": 1.0},
    "sociability": {"warmth": 0.5, "playfulness": 0.5},
    "diplomacy": {"empathy_compassion": 0.5, "perspective": 0.5},
    "humility": {"perspective": 0.5},
    "loyalty": {"trust_reliability": 1.0},
    "jealousy": {"emotional_stability": -0.5},
    "resilience": {"emotional_stability": 1.0},
    "mood_stability": {"emotional_stability": 1.0},
    "forgiveness": {"empathy_compassion": 0.5},
    "gratitude": {"warmth": 0.5},
    "self_consciousness": {"assertiveness_confidence": -1.0},
    "openness": {"curiosity_creativity": 0.5, "adaptability": 0.5},
    "neuroticism": {"emotional_stability": -1.0},
    "excitement": {"playfulness": 1.0},
}

_CLAUSES = re.compile(r"[.,;:!?()\[\]\n]+|\bbut\b|\byet\b|\bthough\b", re.IGNORECASE)
_WORDS = re.compile(r"[a-z]+(?:['-][a-z]+)*")
_SUFFIXES = ("ly", "ness")


@dataclass(frozen=True)
class Move:
    """One word's push on one trait: the evidence a seed keeps."""

    word: str
    negated: bool
    trait: str
    delta: float


@dataclass(frozen=True)
class Seeding:
    """The seeded personality and how it was reached."""

    personality: Personality
    moves: tuple[Move, ...]
    preset: str | None = None

    def record(self) -> dict[str, Any]:
        """What to store beside the agent: the method, the preset, each word's moves."""
        words: dict[str, dict[str, float]] = {}
        for move in self.moves:
            label = f"not {move.word}" if move.negated else move.word
            words.setdefault(label, {})[move.trait] = move.delta
        return {"method": METHOD, "preset": self.preset, "words": words}


def _lemma(token: str) -> str | None:
    if token in LEXICON:
        return token
    for suffix in _SUFFIXES:
        stem = token.removesuffix(suffix)
        if stem != token and stem in LEXICON:
            return stem
    return None


def trait_words(text: str) -> list[tuple[str, bool]]:
    """The trait words in a text, each once, with whether it was negated; in order met."""
    seen: dict[tuple[str, bool], None] = {}
    for clause in _CLAUSES.split(text.lower().replace("\u2019", "'")):
        tokens = _WORDS.findall(clause)
        for i, token in enumerate(tokens):
            word = _lemma(token)
            if word is None:
                continue
            negated = any(t in NEGATIONS for t in tokens[max(0, i - NEGATION_REACH) : i])
            seen.setdefault((word, negated), None)
    return list(seen)


def rich_moves(text: str) -> tuple[Move, ...]:
    """Each trait word's push on each rich trait (negated words halved and reversed)."""
    moves = []
    for word, negated in trait_words(text):
        factor = NEGATED if negated else 1.0
        for trait, delta in LEXICON[word].items():
            moves.append(Move(word, negated, trait, delta * factor))
    return tuple(moves)


def _shifts(moves: tuple[Move, ...]) -> dict[str, float]:
    total: dict[str, float] = {}
    for move in moves:
        total[move.trait] = total.get(move.trait, 0.0) + move.delta
    return {t: max(-MAX_SHIFT, min(MAX_SHIFT, d)) for t, d in total.items()}


def bounded(value: float) -> float:
    """A seeded trait kept off the walls, however it was seeded (words or a model)."""
    return max(SEED_MIN, min(SEED_MAX, value))


def seed_rich(text: str) -> Seeding:
    """34 traits from the middle, each moved by the words that name it."""
    moves = rich_moves(text)
    shifts = _shifts(moves)
    traits = {t: bounded(RICH_TRAIT_INITIAL + shifts.get(t, 0.0)) for t in RICH_TRAITS}
    return Seeding(Personality(traits), moves)


def seed_lite(text: str) -> Seeding:
    """The MBTI preset nearest to where the words point, met halfway by them."""
    rich = rich_moves(text)
    moves = tuple(
        Move(m.word, m.negated, lite, m.delta * weight)
        for m in rich
        for lite, weight in RICH_TO_LITE.get(m.trait, {}).items()
    )
    shifts = _shifts(moves)
    target = {t: bounded(50.0 + shifts.get(t, 0.0)) for t in LITE_TRAITS}

    def distance(kind: str) -> tuple[float, str]:
        preset = MBTI_PRESETS[kind]
        return sum((preset[t] - target[t]) ** 2 for t in LITE_TRAITS), kind

    kind = min(MBTI_PRESETS, key=distance)
    preset = MBTI_PRESETS[kind]
    traits = {t: (preset[t] + target[t]) / 2.0 for t in LITE_TRAITS}
    return Seeding(Personality(traits, kind), moves, kind)


def seed(mode: str, description: str, personality: str = "") -> Seeding:
    """A personality for a card's description and personality text, in the agent's mode."""
    text = f"{description}\n{personality}"
    return seed_lite(text) if mode == "lite" else seed_rich(text)
