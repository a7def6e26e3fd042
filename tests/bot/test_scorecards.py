"""Scorecards without Slack in the loop: answers and their checks, the modal's pages within
Slack's limits, storing versions, and who may see what. The flows through the local Slack
are in tests/e2e/test_scorecards.py."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

import bot.scorecards.service
from bot.core.question_sets import QuestionSet
from bot.debrief.service import record_decision
from bot.demo.slack_fake import blockkit
from bot.errors import InterviewRefused
from bot.i18n import LANGUAGES, translator
from bot.scorecards.builders.modal import (
    MAX_MODAL_BLOCKS,
    ScorecardModal,
    decode_metadata,
    plan_pages,
)
from bot.scorecards.builders.views import panel_feedback_modal, scorecard_confirmation
from bot.scorecards.service import (
    Answers,
    answer_problems,
    can_view_panel_feedback,
    load_form,
    panel_feedback,
    render_problems,
    save_draft,
    scorecard_locked,
    submit_scorecard,
)
from models import (
    DecisionOutcome,
    Event,
    Interview,
    InterviewStatus,
    Panelist,
    ScorecardDraft,
    ScorecardVersion,
    transaction,
)
from tests.conftest import LEAD, MARI, OUTSIDER, PEETER, PIA, RECRUITER, TEAM, World
from tests.factories import add_scorecard, form_for, generated_set, make_interview, shipped_set

T = translator("en")


def dump(data: Any) -> str:
    """JSON as a reader would read it (no \\u escapes)."""
    return json.dumps(data, ensure_ascii=False)


def blocks_by_id(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if "block_id" in b}


# --- answers and their checks ---------------------------------------------------------------


def test_a_page_lays_its_answers_over_earlier_ones_and_empty_fields_clear_them() -> None:
    earlier = Answers(ratings={"a": "3", "b": "na"}, category_notes={"x": "old"},
                      recommendation="hire", takeaways="Good.", private_note="psst")
    page = {"ratings": {"a": "", "c": "5"}, "category_notes": {"x": ""},
            "takeaways": "Better."}
    now = earlier.apply(page)
    assert now.ratings == {"b": "na", "c": "5"}
    assert now.category_notes == {}
    assert (now.recommendation, now.takeaways, now.private_note) == ("hire", "Better.", "psst")
    assert now.score("b") is None and now.score("c") == 5


def test_each_missing_piece_is_reported_next_to_its_field() -> None:
    qs = shipped_set_en()
    focus = qs.categories[1]
    form = form_for(qs, focus=[focus.id])
    everything = [c.id for c in qs.categories]
    errors = render_problems(T, answer_problems(form, Answers(), categories=everything,
                                                final=True))
    assert set(errors) == {f"q:{focus.questions[0].id}", "recommendation", "takeaways"}
    assert focus.name in errors[f"q:{focus.questions[0].id}"]
    # "Not assessed" is not a rating; whitespace is not a takeaway.
    answers = Answers(ratings={q.id: "na" for q in focus.questions}, recommendation="hire",
                      takeaways="  \n ")
    errors = render_problems(T, answer_problems(form, answers, categories=everything,
                                                final=True))
    assert set(errors) == {f"q:{focus.questions[0].id}", "takeaways"}
    answers = replace(answers, ratings={focus.questions[-1].id: "2"}, takeaways="Solid.")
    assert answer_problems(form, answers, categories=everything, final=True) == []


def test_a_neutral_or_forged_value_is_refused() -> None:
    qs = shipped_set_en()
    form = form_for(qs)
    question = qs.categories[0].questions[0]
    answers = Answers(ratings={question.id: "9"}, recommendation="maybe", takeaways="x")
    errors = render_problems(T, answer_problems(form, answers, categories=[qs.categories[0].id],
                                                final=True))
    assert set(errors) == {f"q:{question.id}", "recommendation"}


def test_a_page_before_the_last_checks_only_its_own_categories() -> None:
    qs = generated_set()
    form = form_for(qs, focus=["cat-0", "cat-9"])
    problems = answer_problems(form, Answers(), categories=["cat-0"], final=False)
    assert [p.block_id for p in problems] == ["q:c0-q0"]
    # On the last page, a focus category kept on another page is reported where it can show.
    problems = answer_problems(form, Answers(ratings={"c0-q3": "4"}, recommendation="hire",
                                             takeaways="ok"), categories=["cat-5"], final=True)
    assert [p.block_id for p in problems] == ["recommendation"]


def test_a_1_or_a_5_needs_a_note_on_its_category_where_the_set_asks_for_it() -> None:
    qs = shipped_set_en()
    category = qs.categories[0]
    first, second = category.questions[0], category.questions[1]
    form = form_for(qs)
    answers = Answers(ratings={first.id: "5", second.id: "1"}, recommendation="hire",
                      takeaways="ok")
    errors = render_problems(T, answer_problems(form, answers, categories=[category.id],
                                                final=True))
    assert list(errors) == [f"note:{category.id}"]
    assert f"“{first.text}” (5), “{second.text}” (1)" in errors[f"note:{category.id}"]
    # A note on the category is the evidence; 2 to 4 need none; a set without the rule
    # asks for nothing.
    noted = replace(answers, category_notes={category.id: "Told the outage story."})
    middling = replace(answers, ratings={first.id: "4", second.id: "2"})
    lax = form_for(qs.model_copy(update={"extreme_ratings_need_note": False}))
    for form_, given in ((form, noted), (form, middling), (lax, answers)):
        assert answer_problems(form_, given, categories=[category.id], final=True) == []


# --- the modal ---------------------------------------------------------------------------------


def shipped_set_en() -> QuestionSet:
    from bot.core.question_sets import QuestionSetLibrary

    found = QuestionSetLibrary.load().get("customer-service", "en")
    assert found is not None
    return found


def test_the_modal_groups_questions_with_the_panelists_focus_first_and_marked() -> None:
    qs = shipped_set_en()
    focus = qs.categories[2]
    view = ScorecardModal(T, form_for(qs, focus=[focus.id])).view(0)
    assert blockkit.view_errors(view) == []
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert headers[0] == f"{focus.name} (your focus)"
    assert headers[1:] == [c.name for c in qs.categories if c is not focus]
    inputs = blocks_by_id(view)
    question = qs.categories[0].questions[0]
    select = inputs[f"q:{question.id}"]
    assert select["optional"] is True and select["label"]["text"] == question.text
    options = [o["text"]["text"] for o in select["element"]["options"]]
    assert options == [f"{p.value} · {p.label}: {p.anchor}"
                       for p in qs.question_scale(question)] + ["Not assessed"]
    recommendation = inputs["recommendation"]
    assert [o["value"] for o in recommendation["element"]["options"]] == [
        "strong_no_hire", "no_hire", "hire", "strong_hire"]
    assert not recommendation.get("optional") and not inputs["takeaways"].get("optional")
    assert inputs["private_note"]["optional"] is True
    assert "hiring lead and the recruiter" in inputs["private_note"]["hint"]["text"]
    assert all(inputs[f"note:{c.id}"]["optional"] for c in qs.categories)
    assert "Mari &lt;!channel&gt;" in view["blocks"][0]["text"]["text"]
    assert view["title"]["text"] == "Scorecard" and view["submit"]["text"] == "Submit"


def test_a_question_with_its_own_anchors_offers_them_in_the_modal() -> None:
    qs = generated_set((4,))  # c0-q0 and c0-q3 have anchors of their own
    own, plain_question = qs.categories[0].questions[:2]
    assert own.anchors and not plain_question.anchors
    answers = Answers(ratings={own.id: "2", plain_question.id: "2"})
    inputs = blocks_by_id(ScorecardModal(T, form_for(qs, answers=answers)).view(0))

    def texts(question_id: str) -> list[str]:
        return [o["text"]["text"] for o in inputs[f"q:{question_id}"]["element"]["options"]]

    assert texts(own.id) == [f"{p.value} · {p.label}: {anchor}" for p, anchor in
                             zip(qs.scale, own.anchors, strict=True)] + ["Not assessed"]
    assert texts(plain_question.id) == [p.option_text() for p in qs.scale] + ["Not assessed"]
    initial = inputs[f"q:{own.id}"]["element"]["initial_option"]["text"]["text"]
    assert initial == f"2 · Level 2: {own.anchors[1]}"
    assert all(len(text) <= 75 for q in (own, plain_question) for text in texts(q.id))


def test_the_modal_is_prefilled_with_the_last_answers() -> None:
    qs = shipped_set_en()
    first, second = qs.categories[0].questions[:2]
    answers = Answers(ratings={first.id: "4", second.id: "na"},
                      category_notes={qs.categories[0].id: "Note"}, recommendation="hire",
                      takeaways="Kind.", private_note="Between us.")
    inputs = blocks_by_id(ScorecardModal(T, form_for(qs, answers=answers, version=2)).view(0))
    assert inputs[f"q:{first.id}"]["element"]["initial_option"]["value"] == "4"
    assert inputs[f"q:{second.id}"]["element"]["initial_option"]["value"] == "na"
    assert inputs[f"note:{qs.categories[0].id}"]["element"]["initial_value"] == "Note"
    assert inputs["recommendation"]["element"]["initial_option"]["value"] == "hire"
    assert inputs["takeaways"]["element"]["initial_value"] == "Kind."
    assert inputs["private_note"]["element"]["initial_value"] == "Between us."


@pytest.mark.parametrize("sizes", [(15,) * 10, (40,) + (12,) * 9, (40, 40, 40, 30)])
def test_the_largest_sets_page_within_slacks_limits_and_keep_every_question(
        sizes: tuple[int, ...]) -> None:
    qs = generated_set(sizes)
    assert qs.question_count <= 150
    form = form_for(qs, focus=[qs.categories[-1].id])
    modal = ScorecardModal(T, form)
    assert len(modal.pages) > 1
    seen: list[str] = []
    for page in modal.pages:
        view = modal.view(page.number)
        assert blockkit.view_errors(view) == [], page
        assert len(view["blocks"]) <= MAX_MODAL_BLOCKS
        assert len(view["private_metadata"]) < 3000
        meta = decode_metadata(view["private_metadata"])
        assert meta is not None and (meta.interview_id, meta.page) == (7, page.number)
        ids = blocks_by_id(view)
        seen += [b[2:] for b in ids if b.startswith("q:")]
        assert ("recommendation" in ids) is page.final
        assert view["submit"]["text"] == ("Submit" if page.final else "Next")
        assert ("scorecard_nav" in ids) is (page.number > 0)
    assert seen == [q.id for c in form.categories for q in c.questions]
    assert modal.pages[0].category_ids[0] == qs.categories[-1].id  # focus first
    assert [p.final for p in modal.pages] == [False] * (len(modal.pages) - 1) + [True]


def test_a_set_that_fits_is_one_page() -> None:
    assert len(plan_pages(form_for(shipped_set_en()))) == 1


def test_reading_a_page_back_gives_every_field_on_it() -> None:
    qs = generated_set((15,) * 10)
    modal = ScorecardModal(T, form_for(qs))
    page = modal.pages[0]
    values = {"q:c0-q1": {"rating": {"type": "static_select",
                                     "selected_option": {"value": "4"}}},
              "note:cat-0": {"note": {"type": "plain_text_input", "value": "Fine"}}}
    patch = modal.read(0, values)
    assert patch == {"ratings": {"c0-q1": "4"}, "category_notes": {"cat-0": "Fine"}}
    # Every input of the page is in a submitted state: empty ones clear earlier answers.
    every = {f"q:{q.id}": {"rating": {"type": "static_select", "selected_option": None}}
             for c in page.category_ids for q in qs.category(c).questions}
    patch = modal.read(0, every)
    assert set(patch["ratings"]) == {q.id for c in page.category_ids
                                     for q in qs.category(c).questions}
    assert set(patch["ratings"].values()) == {""}
    # A field of another page cannot be smuggled in through this one.
    assert modal.read(0, {"q:c9-q0": every["q:c0-q0"], "takeaways": {}}) == {
        "ratings": {}, "category_notes": {}}


@pytest.mark.parametrize("language", LANGUAGES)
def test_titles_and_buttons_fit_in_every_language(language: str) -> None:
    t = translator(language)
    for text in (t._("Scorecard"), t._("Panel feedback"), t._("Submit"), t._("Next"),
                 t._("Cancel"), t._("Close")):
        assert 0 < len(text) <= 24, text


# --- storing and reading back ----------------------------------------------------------------


def _full_answers(qs: QuestionSet, score: str = "4", **overrides: str) -> Answers:
    return Answers(ratings={q.id: score for c in qs.categories for q in c.questions},
                   recommendation=overrides.get("recommendation", "hire"),
                   takeaways=overrides.get("takeaways", "Listens well."),
                   private_note=overrides.get("private_note", ""))


def test_a_submission_is_a_version_with_its_ratings_and_a_retry_stores_nothing(
        world: World) -> None:
    services = world.services
    interview_id = make_interview(services)
    qs = shipped_set(services)
    answers = _full_answers(qs).apply({"ratings": {qs.categories[0].questions[0].id: "na"}})
    first = submit_scorecard(services, TEAM, interview_id, PIA, answers, "V1")
    again = submit_scorecard(services, TEAM, interview_id, PIA, answers, "V1")
    assert first.stored and not again.stored
    assert again.scorecard.version == first.scorecard.version == 1
    edit = submit_scorecard(services, TEAM, interview_id, PIA,
                            answers.apply({"recommendation": "strong_hire"}), "V2")
    assert edit.stored and edit.edited and edit.scorecard.recommendation == "strong_hire"
    with transaction(services.db) as session:
        versions = session.scalars(select(ScorecardVersion).order_by(ScorecardVersion.number)
                                   ).all()
        assert [(v.number, v.recommendation) for v in versions] == [
            (1, "hire"), (2, "strong_hire")]
        assert len(versions[0].ratings) == qs.question_count
        assert versions[0].ratings[0].score is None  # not assessed: no score, not a zero
        assert versions[0].scorecard.current_version == 2
        kinds = session.scalars(select(Event.kind).order_by(Event.id)).all()
        assert kinds == ["scored", "scorecard_edited"]


def test_panelists_submit_side_by_side_and_a_decision_waits_for_a_submission(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    services = world.services
    if services.engine.dialect.name != "postgresql":
        pytest.skip("row locks: on SQLite every write transaction takes its turn")
    interview_id = make_interview(services)
    answers = _full_answers(shipped_set(services))
    inside, release = threading.Event(), threading.Event()
    log_event = bot.scorecards.service.log_event

    def pia_pauses_mid_submission(session: Any, interview: Any, actor_id: Any,
                                  *args: Any, **kwargs: Any) -> Any:
        if actor_id == PIA:
            inside.set()
            release.wait(10)
        return log_event(session, interview, actor_id, *args, **kwargs)

    monkeypatch.setattr(bot.scorecards.service, "log_event", pia_pauses_mid_submission)
    with ThreadPoolExecutor(3) as pool:
        pia = pool.submit(submit_scorecard, services, TEAM, interview_id, PIA, answers, "VP")
        assert inside.wait(10)
        peeter = pool.submit(submit_scorecard, services, TEAM, interview_id, PEETER, answers,
                             "VQ")
        assert peeter.result(timeout=5).stored, "Peeter does not wait for Pia"
        decision = pool.submit(record_decision, services, TEAM, interview_id, LEAD,
                               DecisionOutcome.HIRE, "Strong on every focus area.", "VD")
        time.sleep(0.3)
        assert not decision.done(), "the decision waits for the submission in progress"
        release.set()
        assert pia.result(timeout=10).stored
        assert decision.result(timeout=10).stored
    with transaction(services.db) as session:
        kinds = session.scalars(select(Event.kind).where(
            Event.kind.in_(["scored", "decided"])).order_by(Event.id)).all()
    assert kinds == ["scored", "scored", "decided"], "Pia's scorecard is in before the decision"


def test_drafts_collect_pages_until_the_final_submit(world: World) -> None:
    services = world.services
    qs = generated_set()
    interview_id = make_interview(services, question_set=qs, focus={PIA: ["cat-0"]})
    save_draft(services, TEAM, interview_id, PIA, {"ratings": {"c0-q0": "2"},
                                                   "category_notes": {"cat-0": "n"}})
    save_draft(services, TEAM, interview_id, PIA, {"ratings": {"c1-q0": "na"}})
    form = load_form(services, TEAM, interview_id, PIA)
    assert dict(form.answers.ratings) == {"c0-q0": "2", "c1-q0": "na"}
    assert form.focus == ("cat-0",)
    submit_scorecard(services, TEAM, interview_id, PIA,
                     form.answers.apply({"recommendation": "no_hire", "takeaways": "t"}), "V9")
    with transaction(services.db) as session:
        assert session.scalars(select(ScorecardDraft)).all() == []


def test_only_active_panelists_may_submit_and_nothing_after_the_decision(world: World) -> None:
    services = world.services
    interview_id = make_interview(services)
    answers = _full_answers(shipped_set(services))
    for user in (OUTSIDER, LEAD):
        with pytest.raises(InterviewRefused, match="not on the panel"):
            submit_scorecard(services, TEAM, interview_id, user, answers, f"X{user}")
    with pytest.raises(InterviewRefused, match="someone else"):
        submit_scorecard(services, TEAM, interview_id, PEETER, answers, "XP", opened_by=PIA)
    submit_scorecard(services, TEAM, interview_id, PIA, answers, "V1")
    with transaction(services.db) as session:
        panelist = session.scalars(select(Panelist).where(Panelist.user_id == PIA)).one()
        panelist.removed_at = services.clock()
    with pytest.raises(InterviewRefused, match="not on the panel"):
        submit_scorecard(services, TEAM, interview_id, PIA, answers, "V2")
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None and not scorecard_locked(interview)
        interview.status = InterviewStatus.DECIDED
        assert scorecard_locked(interview)
    with pytest.raises(InterviewRefused, match="locked"):
        load_form(services, TEAM, interview_id, PEETER)
    with transaction(services.db) as session:
        assert session.scalars(select(ScorecardVersion.source_view_id)).all() == ["V1"]


def test_no_one_sees_others_scorecards_before_their_own_and_private_notes_stay_private(
        world: World) -> None:
    services = world.services
    interview_id = make_interview(services)
    qs = shipped_set(services)
    first = qs.categories[0].questions[0].id
    add_scorecard(services, interview_id, PEETER, {first: 2}, private_note="Peeter's secret",
                  takeaways="Peeter's view")
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        assert not can_view_panel_feedback(interview, PIA)
        assert not can_view_panel_feedback(interview, OUTSIDER)
        assert can_view_panel_feedback(interview, LEAD)
        assert can_view_panel_feedback(interview, RECRUITER)
        assert can_view_panel_feedback(interview, PEETER)
    with pytest.raises(InterviewRefused, match="Submit your own scorecard first"):
        panel_feedback(services, TEAM, interview_id, PIA)
    with pytest.raises(InterviewRefused, match="not on the panel"):
        panel_feedback(services, TEAM, interview_id, OUTSIDER)
    add_scorecard(services, interview_id, PIA, {first: 5}, private_note="Pia's secret")
    seen = panel_feedback(services, TEAM, interview_id, PIA)
    assert [c.user_id for c in seen.scorecards] == [PEETER]
    assert seen.scorecards[0].private_note is None and seen.missing == [MARI]
    modal = dump(panel_feedback_modal(T, seen))
    assert "Peeter's view" in modal and "secret" not in modal
    lead = panel_feedback(services, TEAM, interview_id, LEAD)
    assert [c.user_id for c in lead.scorecards] == [PIA, PEETER]
    modal = dump(panel_feedback_modal(T, lead))
    assert "Peeter's secret" in modal and "Pia's secret" in modal


def test_big_receipts_and_feedback_fit_slacks_limits(world: World) -> None:
    services = world.services
    qs = generated_set((40,) + (12,) * 9)
    panel = [f"UP{n:02d}" for n in range(12)]
    interview_id = make_interview(services, question_set=qs, panel=panel,
                                  starts_at=services.clock() - timedelta(hours=3))
    scores = {q.id: (n % 5) + 1 for n, (q) in enumerate(
        q for c in qs.categories for q in c.questions)}
    for user in panel:
        add_scorecard(services, interview_id, user, scores, private_note="p" * 2000,
                      takeaways="t" * 3000,
                      category_notes={c.id: "n" * 1000 for c in qs.categories})
    result = submit_scorecard(
        services, TEAM, interview_id, panel[0],
        _full_answers(qs, takeaways="x" * 3000, private_note="y" * 3000).apply(
            {"category_notes": {c.id: "z" * 3000 for c in qs.categories}}), "VBIG")
    receipt = scorecard_confirmation(T, result)
    assert blockkit.message_errors(receipt.blocks) == []
    assert len(receipt.blocks) <= 50
    view = panel_feedback_modal(T, panel_feedback(services, TEAM, interview_id, LEAD))
    assert blockkit.view_errors(view) == []
    assert len(view["blocks"]) <= MAX_MODAL_BLOCKS
