"""Scorecards end to end: signed clicks and submissions to the real app, answered through
the local Slack fake, rows checked in the database."""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.app import stop_services
from bot.core.question_sets import QuestionSet
from bot.demo.slack_fake.simulator import FORM, Response, build_state
from bot.i18n import translator
from bot.plan.publish import post_interview_plan
from bot.scheduler import ReminderScheduler
from bot.slack.blocks import actions, to_dicts
from bot.slack.buttons import view_panel_feedback_button
from models import (
    Event,
    Interview,
    InterviewStatus,
    Panelist,
    Scorecard,
    ScorecardDraft,
    ScorecardVersion,
    transaction,
)
from tests.conftest import CHANNEL, LEAD, MARI, OUTSIDER, PEETER, PIA, TEAM, World
from tests.factories import generated_set, make_interview, shipped_set
from tests.slack_steps import said_to


def dump(data: Any) -> str:
    """JSON as a reader would read it (no \\u escapes)."""
    return json.dumps(data, ensure_ascii=False)


# --- helpers -------------------------------------------------------------------------------


def post_feedback_button(world: World, interview_id: int, channel: str = CHANNEL) -> None:
    """"View panel feedback" where anyone in the channel can press it (as on App Home)."""
    blocks = to_dicts([actions(view_panel_feedback_button(translator("en"), interview_id))])
    world.services.client.chat_postMessage(channel=channel, text="Feedback", blocks=blocks)


def scorecard_interview(world: World, question_set: QuestionSet | None = None,
                        **kwargs: Any) -> int:
    """An interview whose plan, with its "Score candidate" button, is in the channel."""
    interview_id = make_interview(world.services, question_set=question_set, **kwargs)
    post_interview_plan(world.services, interview_id)
    post_feedback_button(world, interview_id)
    return interview_id


def plan_of(world: World, interview_id: int) -> dict[str, Any]:
    with transaction(world.services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None and interview.plan_ts
        return world.fake.message(CHANNEL, interview.plan_ts)


def open_scorecard(world: World, user: str, interview_id: int) -> dict[str, Any]:
    """Press "Score candidate" and wait for the modal to open."""
    before = {v["id"] for v in world.fake.view_stack(user)}
    world.slack.click(user, "score_candidate", channel=CHANNEL, value=str(interview_id))

    def opened() -> dict[str, Any] | None:
        stack = world.fake.view_stack(user)
        top = stack[-1] if stack else None
        if top and top["callback_id"] == "scorecard" and top["id"] not in before:
            return top
        return None

    return world.fake.wait_for(opened)




def every_rating(qs: QuestionSet, score: str = "4") -> dict[str, Any]:
    return {f"q:{q.id}": score for c in qs.categories for q in c.questions}


def complete(qs: QuestionSet, score: str = "4", **fields: str) -> dict[str, Any]:
    return {**every_rating(qs, score), "recommendation": "hire",
            "takeaways": "Calm, concrete STAR stories.", **fields}


def versions(world: World, user: str | None = None) -> list[ScorecardVersion]:
    with transaction(world.services.db) as session:
        query = (select(ScorecardVersion).join(Scorecard).join(Panelist)
                 .order_by(Panelist.user_id, ScorecardVersion.number))
        if user:
            query = query.where(Panelist.user_id == user)
        found = list(session.scalars(query))
        for version in found:
            _ = version.ratings  # loaded while the session is open
        return found


def submission_payload(world: World, user: str, view_id: str,
                       values: dict[str, Any]) -> dict[str, Any]:
    """A view_submission as Slack would send it for this view, from any user: what a forger
    (or Slack retrying) sends, bypassing the simulator's "only your own modal" rule."""
    view = {k: v for k, v in world.fake.view(view_id).items() if k != "user"}
    view["state"] = build_state(view, values)
    return {"type": "view_submission", "team": {"id": TEAM, "domain": "test"},
            "user": {"id": user, "name": user.lower(), "team_id": TEAM},
            "api_app_id": world.fake.app_id, "trigger_id": world.fake.issue_trigger_id(user),
            "view": view, "response_urls": []}


def send(world: World, payload: dict[str, Any], retry_num: int | None = None) -> Response:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return world.slack.send_raw(body, FORM, retry_num=retry_num)


def set_status(world: World, interview_id: int, status: InterviewStatus) -> None:
    with transaction(world.services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        interview.status = status


# --- submit, confirm, progress ---------------------------------------------------------------


def test_a_panelist_scores_and_gets_their_own_scores_back(world: World) -> None:
    qs = shipped_set(world.services)
    interview_id = scorecard_interview(world)
    view = open_scorecard(world, PIA, interview_id)
    assert view["title"]["text"] == "Scorecard"
    first = qs.categories[0].questions[0]
    values = {**complete(qs), f"q:{first.id}": "na", "private_note": "Only for the lead."}
    response = world.slack.submit(PIA, view["id"], values)
    assert response.status == 200 and response.json() is None  # the modal closes
    assert world.fake.view_stack(PIA) == []
    receipt = world.fake.wait_for(lambda: world.fake.dms(PIA))[-1]
    text = dump(receipt["blocks"])
    assert "Your scorecard for Mari Maasikas is in" in receipt["text"]
    assert qs.categories[0].name in text and "4 · Good" in text and "not assessed" in text
    assert "Only for the lead." in text  # their own private note, marked as such
    stored = versions(world, PIA)
    assert [(v.number, v.recommendation, v.private_note) for v in stored] == [
        (1, "hire", "Only for the lead.")]
    # The plan shows the progress, never a score.
    plan = world.fake.wait_for(
        lambda: f"1 of 3 scorecards in: <@{PIA}>" in dump(plan_of(world, interview_id)["blocks"])
        and plan_of(world, interview_id))
    assert "Good" not in dump(plan["blocks"]) and "Hire" not in dump(plan["blocks"])
    ratings = {r.question_id: r.score for r in stored[0].ratings}
    assert len(ratings) == qs.question_count and ratings[first.id] is None
    assert set(ratings.values()) == {4, None}


def test_each_required_field_is_flagged_next_to_it_and_nothing_is_stored(world: World) -> None:
    qs = shipped_set(world.services)
    focus = qs.categories[1]
    interview_id = scorecard_interview(world, focus={PIA: [focus.id]})
    view = open_scorecard(world, PIA, interview_id)
    header = next(b for b in view["blocks"] if b["type"] == "header")
    assert header["text"]["text"] == f"{focus.name} (your focus)"
    # A focus category with only "Not assessed": the error sits on its first question.
    values = {**complete(qs), **{f"q:{q.id}": "na" for q in focus.questions},
              "takeaways": "Typed with care."}
    errors = world.slack.submit(PIA, view["id"], values).json()
    assert errors["response_action"] == "errors"
    assert list(errors["errors"]) == [f"q:{focus.questions[0].id}"]
    assert focus.name in errors["errors"][f"q:{focus.questions[0].id}"]
    # Nothing typed is lost: the modal stays open with what was entered.
    assert world.fake.view_stack(PIA)[-1]["id"] == view["id"]
    state = world.fake.view(view["id"])["state"]["values"]
    assert state["takeaways"]["text"]["value"] == "Typed with care."
    # Takeaways of only spaces pass Slack's own "required" check but not ours.
    errors = world.slack.submit(PIA, view["id"], complete(qs, takeaways="   ")).json()
    assert list(errors["errors"]) == ["takeaways"]
    # The recommendation is required in the modal; a payload without one is still refused.
    payload = submission_payload(world, PIA, view["id"], complete(qs))
    payload["view"]["state"]["values"]["recommendation"]["rating"]["selected_option"] = None
    errors = send(world, payload).json()
    assert list(errors["errors"]) == ["recommendation"]
    assert versions(world) == []


def test_editing_opens_the_last_answers_and_keeps_every_version(world: World) -> None:
    qs = shipped_set(world.services)
    interview_id = scorecard_interview(world)
    view = open_scorecard(world, PIA, interview_id)
    world.slack.submit(PIA, view["id"], complete(qs, score="2", private_note="First."))
    world.fake.wait_for(lambda: world.fake.dms(PIA))
    view = open_scorecard(world, PIA, interview_id)
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    question = qs.categories[0].questions[0]
    assert inputs[f"q:{question.id}"]["element"]["initial_option"]["value"] == "2"
    assert inputs["recommendation"]["element"]["initial_option"]["value"] == "hire"
    assert inputs["private_note"]["element"]["initial_value"] == "First."
    # Change one rating to a 5, keep everything else as prefilled: the shipped set asks
    # for the evidence of a 5 in the category's notes, and the modal says where.
    note = f"note:{qs.categories[0].id}"
    refused = world.slack.submit(PIA, view["id"], {f"q:{question.id}": "5",
                                                   "recommendation": "strong_hire"}).json()
    assert list(refused["errors"]) == [note]
    assert f"“{question.text}” (5)" in refused["errors"][note]
    world.slack.submit(PIA, view["id"], {f"q:{question.id}": "5", note: "Named all five parts.",
                                         "recommendation": "strong_hire"})
    world.fake.wait_for(lambda: len(world.fake.dms(PIA)) == 2)
    assert "is updated" in world.fake.dms(PIA)[-1]["text"]
    first, second = versions(world, PIA)
    assert (first.number, first.recommendation, second.number, second.recommendation) == (
        1, "hire", 2, "strong_hire")
    assert {r.question_id: r.score for r in first.ratings}[question.id] == 2
    assert {r.question_id: r.score for r in second.ratings}[question.id] == 5
    assert second.private_note == "First."
    with transaction(world.services.db) as session:
        events = [(e.kind, e.actor_id, e.detail["version"]) for e in session.scalars(
            select(Event).where(Event.kind.in_(["scored", "scorecard_edited"]))
            .order_by(Event.id))]
    assert events == [("scored", PIA, 1), ("scorecard_edited", PIA, 2)]


# --- who may do what ---------------------------------------------------------------------------


def test_someone_not_on_the_panel_is_told_so_and_nothing_opens(world: World) -> None:
    interview_id = scorecard_interview(world)
    for user in (OUTSIDER, LEAD):
        world.slack.click(user, "score_candidate", channel=CHANNEL, value=str(interview_id))
        world.fake.wait_for(lambda user=user: said_to(world, user))
        assert said_to(world, user) == [f"You are not on the panel of interview {interview_id}."]
        assert world.fake.view_stack(user) == []
    assert world.fake.ephemerals(LEAD)  # in the channel, for the lead's eyes only
    assert versions(world) == []


def test_a_forged_submission_is_refused_and_stores_nothing(world: World) -> None:
    qs = shipped_set(world.services)
    interview_id = scorecard_interview(world)
    view = open_scorecard(world, PIA, interview_id)
    for forger, why in ((OUTSIDER, "not on the panel"), (PEETER, "belongs to someone else")):
        reply = send(world, submission_payload(world, forger, view["id"], complete(qs))).json()
        assert reply["response_action"] == "errors"
        assert why in next(iter(reply["errors"].values()))
    # Metadata pointing at another interview does not help either.
    other = make_interview(world.services, panel=[MARI])
    payload = submission_payload(world, OUTSIDER, view["id"], complete(qs))
    payload["view"]["private_metadata"] = json.dumps({"i": other, "p": 0, "u": OUTSIDER})
    assert send(world, payload).json()["response_action"] == "errors"
    assert versions(world) == []
    assert world.fake.dms(PIA) == [] and world.fake.dms(PEETER) == []


def test_panel_feedback_opens_only_once_ones_own_scorecard_is_in(world: World) -> None:
    qs = shipped_set(world.services)
    interview_id = scorecard_interview(world)
    peeter_view = open_scorecard(world, PEETER, interview_id)
    world.slack.submit(PEETER, peeter_view["id"], complete(
        qs, score="2", takeaways="Peeter doubts it.", recommendation="no_hire",
        private_note="Peeter's private worry."))
    world.fake.wait_for(lambda: world.fake.dms(PEETER))
    # Before her own is in, Pia sees nothing of Peeter's.
    world.slack.click(PIA, "view_panel_feedback", channel=CHANNEL, value=str(interview_id))
    world.fake.wait_for(lambda: said_to(world, PIA))
    assert "Submit your own scorecard first" in said_to(world, PIA)[0]
    assert world.fake.view_stack(PIA) == []
    # After hers is in, the button in her receipt shows the others, without private notes.
    pia_view = open_scorecard(world, PIA, interview_id)
    world.slack.submit(PIA, pia_view["id"], complete(qs, private_note="Pia's own note."))
    world.fake.wait_for(lambda: world.fake.dms(PIA))
    world.slack.click(PIA, "view_panel_feedback", channel=PIA, value=str(interview_id))
    feedback = world.fake.wait_for(lambda: world.fake.view_stack(PIA))[-1]
    text = dump(feedback)
    assert feedback["title"]["text"] == "Panel feedback"
    assert "Peeter doubts it." in text and "No hire" in text and f"<@{PEETER}>" in text
    assert "private worry" not in text and "Pia's own note" not in text
    assert f"<@{MARI}>" in text  # named as not in yet, nothing more
    # The hiring lead sees everyone's, private notes included, at any time.
    world.slack.click(LEAD, "view_panel_feedback", channel=CHANNEL, value=str(interview_id))
    lead_view = dump(world.fake.wait_for(lambda: world.fake.view_stack(LEAD))[-1])
    assert "Peeter's private worry." in lead_view and "Pia's own note." in lead_view
    # Someone outside the panel is refused.
    world.slack.click(OUTSIDER, "view_panel_feedback", channel=CHANNEL, value=str(interview_id))
    world.fake.wait_for(lambda: said_to(world, OUTSIDER))
    assert world.fake.view_stack(OUTSIDER) == []


def test_scorecards_lock_once_the_decision_is_recorded(world: World) -> None:
    qs = shipped_set(world.services)
    interview_id = scorecard_interview(world)
    view = open_scorecard(world, PIA, interview_id)
    set_status(world, interview_id, InterviewStatus.DECIDED)
    # A modal left open is refused on submit...
    reply = world.slack.submit(PIA, view["id"], complete(qs)).json()
    assert "locked" in next(iter(reply["errors"].values()))
    # ...and the button answers ephemerally, opening nothing.
    world.slack.close(PIA, view["id"])
    world.slack.click(PIA, "score_candidate", channel=CHANNEL, value=str(interview_id))
    world.fake.wait_for(lambda: said_to(world, PIA))
    assert said_to(world, PIA) == [
        f"Scorecards of interview {interview_id} are locked: the decision is recorded."]
    assert world.fake.view_stack(PIA) == [] and versions(world) == []


def test_a_panelist_removed_midway_cannot_submit_and_their_scorecard_stays_marked(
        world: World) -> None:
    qs = shipped_set(world.services)
    interview_id = scorecard_interview(world)
    view = open_scorecard(world, PIA, interview_id)
    world.slack.submit(PIA, view["id"], complete(qs, takeaways="Pia's first view."))
    world.fake.wait_for(lambda: world.fake.dms(PIA))
    view = open_scorecard(world, PIA, interview_id)
    with transaction(world.services.db) as session:
        panelist = session.scalars(select(Panelist).where(Panelist.user_id == PIA)).one()
        panelist.removed_at = world.services.clock()
    reply = world.slack.submit(PIA, view["id"], complete(qs, score="1")).json()
    assert "not on the panel" in next(iter(reply["errors"].values()))
    assert [v.number for v in versions(world, PIA)] == [1]
    world.slack.click(LEAD, "view_panel_feedback", channel=CHANNEL, value=str(interview_id))
    feedback = dump(world.fake.wait_for(lambda: world.fake.view_stack(LEAD))[-1])
    assert "Pia's first view." in feedback and "removed from the panel" in feedback


# --- robustness -------------------------------------------------------------------------------


def test_two_panelists_submitting_at_once_both_land(world: World) -> None:
    qs = shipped_set(world.services)
    interview_id = scorecard_interview(world)
    views = {user: open_scorecard(world, user, interview_id) for user in (PIA, PEETER, MARI)}
    replies: dict[str, Response] = {}
    start = threading.Barrier(3)

    def submit(user: str) -> None:
        start.wait()
        replies[user] = world.slack.submit(user, views[user]["id"], complete(qs))

    threads = [threading.Thread(target=submit, args=(u,)) for u in views]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.status == 200 for r in replies.values())
    world.fake.wait_for(lambda: len(versions(world)) == 3)
    world.fake.wait_for(lambda: all(world.fake.dms(u) for u in views))
    assert sorted(v.scorecard_id for v in versions(world)) == [1, 2, 3]


def test_a_retried_submission_stores_one_version(world: World) -> None:
    qs = shipped_set(world.services)
    interview_id = scorecard_interview(world)
    view = open_scorecard(world, PIA, interview_id)
    payload = submission_payload(world, PIA, view["id"], complete(qs))
    assert send(world, payload).status == 200
    assert send(world, payload, retry_num=1).status == 200
    world.fake.wait_for(lambda: world.fake.dms(PIA))
    world.fake.wait_for(lambda: versions(world))
    assert [v.number for v in versions(world)] == [1]
    assert len(world.fake.dms(PIA)) == 1


# --- a set at Slack's limits ------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [(15,) * 10, (40, 14) + (12,) * 8],
                         ids=["15-per-category", "a-category-of-40"])
def test_a_150_question_set_is_scored_page_by_page_and_every_rating_lands(
        world: World, sizes: tuple[int, ...]) -> None:
    qs = generated_set(sizes)
    assert (qs.question_count, len(qs.categories)) == (150, 10)
    interview_id = scorecard_interview(world, question_set=qs, focus={PIA: ["cat-3"]})
    view_id = open_scorecard(world, PIA, interview_id)["id"]

    def page_questions() -> list[str]:
        return [b["block_id"] for b in world.fake.view(view_id)["blocks"]
                if b.get("block_id", "").startswith("q:")]

    def page_line() -> str:
        return next(b["elements"][0]["text"] for b in world.fake.view(view_id)["blocks"]
                    if b["type"] == "context" and "Page" in b["elements"][0]["text"])

    assert page_line().startswith("Page 1 of 2:")
    first_page = page_questions()
    assert first_page[0] == "q:c3-q0"  # the focus category comes first
    # "Next" checks the focus category on its page.
    reply = world.slack.submit(PIA, view_id, {}).json()
    assert list(reply["errors"]) == ["q:c3-q0"]
    reply = world.slack.submit(PIA, view_id, {q: "3" for q in first_page}).json()
    assert reply["response_action"] == "update"
    assert page_line().startswith("Page 2 of 2:")
    second_page = page_questions()
    assert len(first_page) + len(second_page) == 150
    # Typed on page 2, then "Back": page 1 shows its answers, and page 2's are kept too.
    world.fake.set_view_state(view_id, build_state(world.fake.view(view_id),
                                                   {**{q: "5" for q in second_page},
                                                    "recommendation": "hire",
                                                    "takeaways": "Draft thoughts."}))
    world.slack.click(PIA, "scorecard_page", view_id=view_id)
    world.fake.wait_for(lambda: page_line().startswith("Page 1 of 2:"))
    blocks = {b.get("block_id"): b for b in world.fake.view(view_id)["blocks"]}
    assert blocks[first_page[0]]["element"]["initial_option"]["value"] == "3"
    world.slack.submit(PIA, view_id, {})
    blocks = {b.get("block_id"): b for b in world.fake.view(view_id)["blocks"]}
    assert blocks[second_page[-1]]["element"]["initial_option"]["value"] == "5"
    assert blocks["takeaways"]["element"]["initial_value"] == "Draft thoughts."
    # Closing the modal midway loses nothing: the draft prefills the next opening.
    world.slack.close(PIA, view_id)
    view_id = open_scorecard(world, PIA, interview_id)["id"]
    assert page_line().startswith("Page 1 of 2:")
    world.slack.submit(PIA, view_id, {})
    reply = world.slack.submit(PIA, view_id, {
        second_page[0]: "1", "recommendation": "strong_no_hire",
        "takeaways": "Paged through it all."})
    assert reply.json() is None
    world.fake.wait_for(lambda: world.fake.dms(PIA))
    (version,) = versions(world, PIA)
    scores = {f"q:{r.question_id}": r.score for r in version.ratings}
    assert scores == {**{q: 3 for q in first_page}, **{q: 5 for q in second_page},
                      second_page[0]: 1}
    assert (version.recommendation, version.takeaways) == (
        "strong_no_hire", "Paged through it all.")
    with transaction(world.services.db) as session:
        assert session.scalars(select(ScorecardDraft)).all() == []
    assert len(world.fake.dms(PIA)[-1]["blocks"]) <= 50


def test_app_home_stops_listing_a_scorecard_once_it_is_in(world: World) -> None:
    qs = shipped_set(world.services)
    interview_id = scorecard_interview(world)

    def owes(user: str) -> bool:
        home = world.fake.home(user) or {}
        return any(e.get("action_id") == "score_candidate" and e.get("value") == str(interview_id)
                   for b in home.get("blocks", []) for e in
                   ([b["accessory"]] if "accessory" in b else b.get("elements", [])))

    world.slack.home_opened(PIA)
    world.fake.wait_for(lambda: owes(PIA))
    view = open_scorecard(world, PIA, interview_id)
    world.slack.submit(PIA, view["id"], complete(qs))
    # Refreshed without Pia reopening the tab.
    world.fake.wait_for(lambda: world.fake.home(PIA) and not owes(PIA))


@pytest.mark.settings(REFRESH_SETTLE_SECONDS="1.0")
def test_scorecards_sent_together_update_the_plan_once_they_settle(world: World) -> None:
    qs = shipped_set(world.services)
    interview_id = scorecard_interview(world)
    plan_ts = plan_of(world, interview_id)["ts"]
    views = {user: open_scorecard(world, user, interview_id) for user in (PIA, PEETER, MARI)}
    start = threading.Barrier(3)

    def submit(user: str) -> None:
        start.wait()
        assert world.slack.submit(user, views[user]["id"], complete(qs)).status == 200

    scheduler = ReminderScheduler(world.services)  # its alarm rings once they settle
    scheduler.start()
    try:
        threads = [threading.Thread(target=submit, args=(u,)) for u in views]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        world.fake.wait_for(lambda: all(world.fake.dms(u) for u in views))  # confirmed at once
        world.fake.wait_for(lambda: "3 of 3 scorecards in" in dump(plan_of(world,
                                                                          interview_id)))
    finally:
        scheduler.shutdown()
    stop_services(world.services)  # every refresh has run
    plan_updates = [c for c in world.fake.calls("chat.update")
                    if c["params"].get("ts") == plan_ts]
    assert len(plan_updates) == 1, "three submissions, one update of the plan"
