"""How many questions per category an interview asks (bot/core/selection.py), and how the
kit and the scorecard show the asked ones and the spares."""

from __future__ import annotations

import pytest

from bot.core.question_sets import QuestionSetLibrary
from bot.core.selection import as_asked, asked_and_spare, per_category_for_length
from bot.i18n import translator
from bot.scorecards.builders.modal import ScorecardModal
from tests.factories import form_for


@pytest.mark.parametrize(("minutes", "expected"), [
    (30, 1), (45, 2), (60, 2), (90, 4), (120, 5), (180, 8)])
def test_a_five_category_set_is_sized_to_the_length(minutes: int, expected: int) -> None:
    # 10 minutes for the opening and the close, then ~4 minutes a question
    assert per_category_for_length(minutes, 5) == expected


def test_one_category_gets_every_question_that_fits_and_never_less_than_one() -> None:
    assert per_category_for_length(60, 1) == 12
    assert per_category_for_length(30, 10) == 1


def test_core_questions_are_asked_first_then_spares_in_the_sets_order() -> None:
    qs = QuestionSetLibrary.load().get("customer-service", "en")
    assert qs is not None
    service = qs.categories[0]
    core = [q.id for q in service.questions if not q.spare]
    spares = [q.id for q in service.questions if q.spare]
    assert asked_and_spare(service, None) == (core, spares)
    asked, rest = asked_and_spare(service, 2)
    assert asked == core[:2] and set(rest) == set(core[2:]) | set(spares)
    asked, _ = asked_and_spare(service, len(core) + 1)
    assert asked == [q.id for q in service.questions if q.id in {*core, spares[0]}]

    interview_set = as_asked(qs, 1)
    first = interview_set.categories[0]
    assert [q.spare for q in first.questions] == [False] + [True] * (len(first.questions) - 1)
    assert first.questions[0].id == core[0]
    assert as_asked(qs, None) is qs
    assert {q.id for q in first.questions} == {q.id for q in service.questions}


def test_the_scorecard_lists_the_asked_questions_then_the_spares() -> None:
    qs = QuestionSetLibrary.load().get("customer-service", "en")
    assert qs is not None
    view = ScorecardModal(translator("en"), form_for(as_asked(qs, 1))).view(0)
    labels = [b["label"]["text"] for b in view["blocks"]
              if b["type"] == "input" and b["block_id"].startswith("q:")]
    first = qs.categories[0]
    assert labels[0] == first.questions[0].text
    assert labels[1:len(first.questions)] == [
        f"Spare: {q.text}" for q in first.questions if q.id != first.questions[0].id]
