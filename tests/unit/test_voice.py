"""The reply keeps her voice: help-desk closers and out-of-character disclaimers are cut."""

from __future__ import annotations

import pytest

from synthetic_soul.domain.voice import in_her_voice, is_boilerplate, sentences


def test_a_help_desk_closer_is_cut_and_the_rest_kept() -> None:
    said = (
        "That's amazing, congratulations on the job! Let me know if there's anything else you need."
    )
    assert in_her_voice(said) == "That's amazing, congratulations on the job!"


def test_an_out_of_character_disclaimer_is_cut() -> None:
    said = "As an AI, I don't have feelings. But I'm so sorry about your dog."
    assert in_her_voice(said) == "But I'm so sorry about your dog."


@pytest.mark.parametrize(
    "said",
    [
        "Haha, you caught me! What are you up to tonight?",
        "I missed you too... where have you been?",
        "Ugh, that's rough. Want to tell me what happened?",
    ],
)
def test_a_reply_in_her_voice_is_untouched(said: str) -> None:
    assert in_her_voice(said) == said


def test_a_reply_made_only_of_boilerplate_is_kept_rather_than_emptied() -> None:
    said = "I'm here to help! How can I assist you today?"
    assert in_her_voice(said) == said


def test_curly_apostrophes_and_case_are_seen_through() -> None:
    assert is_boilerplate("LET ME KNOW IF THERE’S ANYTHING I can do.")


def test_sentences_keep_their_end_marks_and_split_on_line_breaks() -> None:
    assert [s.strip() for s in sentences("Wow!! Really?\nTell me more…")] == [
        "Wow!!",
        "Really?",
        "Tell me more…",
    ]
