"""The scorecard modal builds its rating inputs as dicts (see RatingInputs); they must stay
exactly what slack-sdk's models give, key order included."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from slack_sdk.models.blocks import InputBlock, StaticSelectElement

from bot.core.question_sets import Question, QuestionSet, QuestionSetLibrary
from bot.i18n import Translator, translator
from bot.scorecards.builders.modal import (
    HINT_LIMIT,
    INPUT_LABEL_LIMIT,
    RATING_ACTION,
    RatingInputs,
    ScorecardModal,
    scale_options,
)
from bot.scorecards.service import Answers, ScorecardForm, rating_block_id
from bot.slack.blocks import plain
from tests.factories import form_for, generated_set


def model_rating_block(t: Translator, qs: QuestionSet, question: Question,
                       value: str | None) -> InputBlock:
    """The reference: the rating input as plain slack-sdk models."""
    options = scale_options(t, qs, question)
    return InputBlock(
        block_id=rating_block_id(question.id),
        label=plain(t._("Spare: {question}", question=question.text) if question.spare
                    else question.text, INPUT_LABEL_LIMIT),
        hint=plain(question.guidance, HINT_LIMIT) if question.guidance else None,
        optional=True,
        element=StaticSelectElement(
            action_id=RATING_ACTION, placeholder=plain(t._("Choose a score")),
            options=options, initial_option=next((o for o in options if o.value == value),
                                                 None)))


def shipped_en_form() -> ScorecardForm:
    qs = QuestionSetLibrary.load().get("customer-service", "en")
    assert qs is not None
    first, second, third = qs.categories[0].questions[:3]
    return form_for(qs, focus=[qs.categories[1].id], version=2, answers=Answers(
        ratings={first.id: "4", second.id: "na", third.id: "9"},
        category_notes={qs.categories[0].id: "Note"}, recommendation="hire",
        takeaways="Kind.", private_note="Between us."))


def generated_form() -> ScorecardForm:
    qs = generated_set()  # 10 categories x 15 questions: 150, on several pages
    ratings = {q.id: ("na", "1", "5", "")[n % 4] for c in qs.categories
               for n, q in enumerate(c.questions) if n % 3}
    return form_for(qs, focus=["cat-4"], answers=Answers(ratings=ratings))


def frozen_form_with_odd_anchors() -> ScorecardForm:
    """A frozen copy loads without policy checks: anchors that do not match the scale (one
    too few here) fall back to the set's scale, in the modal as in question_scale."""
    snapshot = generated_set((3,)).to_snapshot()
    snapshot["categories"][0]["questions"][0]["anchors"] = ["One", "Two", "Three", "Four"]
    qs = QuestionSet.from_snapshot(snapshot)
    return form_for(qs, answers=Answers(ratings={"c0-q0": "4"}))


@pytest.mark.parametrize("make_form",
                         [generated_form, shipped_en_form, frozen_form_with_odd_anchors])
def test_the_views_are_what_slack_sdk_models_give(
        make_form: Callable[[], ScorecardForm], monkeypatch: pytest.MonkeyPatch) -> None:
    t = translator("en")
    form = make_form()
    modal = ScorecardModal(t, form)
    built = [modal.view(page.number) for page in modal.pages]
    # The same views with every rating input an InputBlock model, so slack-sdk's View
    # serialises every block itself.
    monkeypatch.setattr(RatingInputs, "block", lambda self, question, value: (
        model_rating_block(t, form.question_set, question, value)))
    reference = [modal.view(page.number) for page in modal.pages]
    monkeypatch.undo()
    assert built == reference
    assert json.dumps(built, ensure_ascii=False) == json.dumps(reference, ensure_ascii=False)
    ratings = [b for view in built for b in view["blocks"]
               if b.get("block_id", "").startswith("q:")]
    assert len(ratings) == form.question_set.question_count
    assert any("initial_option" in b["element"] for b in ratings)
    # Every block has its own option dicts, as with the models.
    first, second = ratings[0]["element"], ratings[1]["element"]
    assert first["options"][0] is not second["options"][0]
    assert first["options"][0]["text"] is not second["options"][0]["text"]
