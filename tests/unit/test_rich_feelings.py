"""Rich mode's self-conscious emotions answer what the person does to her (issue 17)."""

from __future__ import annotations

from synthetic_soul.domain.appraisal import Appraisal, potentials


def test_warm_praise_brings_pride_below_gratitude() -> None:
    felt = potentials(Appraisal(desirability=7, praiseworthiness=8, liking=8), "rich")
    assert felt["pride"] > 3
    assert felt["love_for_self"] > 0
    assert felt["pride"] < felt["gratitude"]
    assert felt["shame"] == felt["guilt"] == felt["embarrassment"] == 0


def test_blame_brings_shame_below_anger_and_embarrassment_when_unexpected() -> None:
    expected = potentials(Appraisal(praiseworthiness=-8, liking=-6, unexpectedness=1), "rich")
    sudden = potentials(Appraisal(praiseworthiness=-8, liking=-6, unexpectedness=9), "rich")
    assert 0 < expected["shame"] < expected["anger"]
    assert expected["self_loathing"] > 0
    assert sudden["embarrassment"] > expected["embarrassment"]
    assert expected["pride"] == 0


def test_their_hurt_with_their_blame_is_guilt_and_their_loss_alone_is_not() -> None:
    hurt_by_her = potentials(Appraisal(praiseworthiness=-6, desirability_for_user=-7), "rich")
    their_loss = potentials(Appraisal(desirability_for_user=-7), "rich")
    assert hurt_by_her["guilt"] > 2
    assert their_loss["guilt"] == 0
    assert their_loss["compassion"] > 3


def test_expected_good_news_settles_more_than_surprising_news() -> None:
    calm = potentials(Appraisal(desirability=6, unexpectedness=1), "rich")
    startling = potentials(Appraisal(desirability=6, unexpectedness=9), "rich")
    assert calm["serenity"] > startling["serenity"] > 0
    assert startling["excitement"] > calm["excitement"]


def test_rich_love_answers_liking_as_lite_love_does() -> None:
    warm = Appraisal(liking=8)
    assert potentials(warm, "rich")["love"] == potentials(warm, "lite")["love"]
