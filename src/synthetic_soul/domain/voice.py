"""Her own voice: the assistant's stock phrases a companion never says, and how to drop them.

Small instruction-tuned models close a friend's reply the way they close a help-desk ticket
("Let me know if there's anything else you need!"), or step out of character ("As an AI, I
don't have feelings"). The persona asks for her voice; what still slips through is cut here,
a sentence at a time, so the reply keeps what it said to the person. A reply made only of
such sentences is kept as it is: an odd reply is better than none.
"""

from __future__ import annotations

import re

# Lower-case fragments; a sentence holding one is boilerplate. Each was seen in replies of
# the catalogued models or is its near kin.
BOILERPLATE: tuple[str, ...] = (
    "anything else i can help",
    "anything else you need",
    "anything else you'd like",
    "anything else you would like",
    "let me know if you need",
    "let me know if there's anything",
    "let me know if there is anything",
    "feel free to ask",
    "feel free to reach out",
    "how can i assist",
    "how may i assist",
    "how can i help you",
    "i'm here to help",
    "i am here to help",
    "happy to help",
    "glad i could help",
    "as an ai",
    "as a language model",
    "as an artificial intelligence",
    "i'm just an ai",
    "i am just an ai",
    "i don't have personal feelings",
    "i do not have personal feelings",
    "i don't have feelings",
    "i do not have feelings",
)

# A sentence ends at . ! ? or … (with any closing quote), or at a line break.
_SENTENCE = re.compile(r"[^.!?…\n]+(?:[.!?…]+[\"')\]]*|\n|$)")


def sentences(text: str) -> list[str]:
    """The text's sentences, each with its end mark and the space after it."""
    found = [m.group(0) for m in _SENTENCE.finditer(text)]
    return [s for s in found if s.strip()]


def is_boilerplate(sentence: str) -> bool:
    folded = sentence.lower().replace("’", "'")
    return any(phrase in folded for phrase in BOILERPLATE)


def in_her_voice(text: str) -> str:
    """The reply without its stock sentences; unchanged if nothing else would be left."""
    every = sentences(text)
    kept = [s for s in every if not is_boilerplate(s)]
    if not kept or len(kept) == len(every):
        return text
    return " ".join(s.strip() for s in kept)
