"""The debrief end to end: signed clicks, commands and submissions to the real app, answered
through the local Slack fake, from a scored interview to a recorded (and changed) decision.

The interview is the worked example of tests/bot/test_debrief.py (the numbers are worked out
by hand there): Pia scores through the real scorecard modal, Peeter and Mari's scorecards are
rows from the factory."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from bot.debrief import publish as debrief_publish
from bot.demo.slack_fake.simulator import FORM, Response, build_state
from bot.i18n import translator
from bot.slack.blocks import actions, to_dicts
from bot.slack.buttons import score_candidate_button, start_debrief_button
from models import (
    Decision,
    DecisionOutcome,
    Interview,
    InterviewStatus,
    Reminder,
    ReminderStatus,
    transaction,
)
from tests.conftest import CHANNEL, LEAD, MARI, OUTSIDER, PEETER, PIA, RECRUITER, TEAM, World
from tests.factories import (
    LARGE_PANEL,
    MARI_SCORES,
    PEETER_SCORES,
    PIA_SCORES,
    add_pending_reminders,
    add_scorecard,
    largest_interview,
    make_interview,
)
from tests.slack_steps import open_views, said_to, top_view


def post_plan(world: World, interview_id: int) -> str:
    """A stand-in for the plan message with the buttons the plan carries."""
    t = translator("en")
    blocks = to_dicts([actions(score_candidate_button(t, interview_id),
                               start_debrief_button(t, interview_id))])
    reply = world.services.client.chat_postMessage(channel=CHANNEL, text="Interview plan",
                                                   blocks=blocks)
    ts = str(reply["ts"])
    with transaction(world.services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        interview.plan_ts = ts
    return ts






def score_through_the_modal(world: World, interview_id: int) -> None:
    """Pia presses "Score candidate" in the plan and submits the worked example's scores."""
    before = open_views(world, PIA)
    world.slack.click(PIA, "score_candidate", channel=CHANNEL, value=str(interview_id))
    view = top_view(world, PIA, "scorecard", before)
    values = {f"q:{q}": "na" if s is None else str(s) for q, s in PIA_SCORES.items()}
    values.update({f"note:{c}": "Owned the outage story." for c in ("behavioural",
                                                                      "situational")})
    values.update({"recommendation": "strong_hire", "private_note": "Salary expectations high.",
                   "takeaways": "Owned the <!channel> outage story & fixed it."})
    response = world.slack.submit(PIA, view["id"], values)
    assert response.status == 200 and response.json() is None
    world.fake.wait_for(lambda: world.fake.dms(PIA))


def scored_interview(world: World) -> tuple[int, str]:
    services = world.services
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI))
    plan_ts = post_plan(world, interview_id)
    score_through_the_modal(world, interview_id)
    add_scorecard(services, interview_id, PEETER, PEETER_SCORES, recommendation="no_hire",
                  takeaways="Could not give a concrete example.")
    add_scorecard(services, interview_id, MARI, MARI_SCORES, recommendation="hire",
                  takeaways="Calm under pressure.")
    return interview_id, plan_ts




def section_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]


def interview_row(world: World, interview_id: int) -> Interview:
    with transaction(world.services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        _ = interview.decisions
        session.expunge(interview)
        return interview


def send_again(world: World, user: str, view: dict[str, Any], values: dict[str, Any],
               retry_num: int) -> Response:
    """The same view_submission once more, as Slack retries it."""
    payload_view = {k: v for k, v in view.items() if k != "user"}
    payload_view["state"] = build_state(payload_view, values)
    payload = {"type": "view_submission", "team": {"id": TEAM, "domain": "test"},
               "user": {"id": user, "name": user.lower(), "team_id": TEAM},
               "api_app_id": world.fake.app_id,
               "trigger_id": world.fake.issue_trigger_id(user), "view": payload_view,
               "response_urls": []}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return world.slack.send_raw(body, FORM, retry_num=retry_num)


# --- the whole way -------------------------------------------------------------------------


def test_a_full_interview_from_scores_to_a_recorded_decision(world: World) -> None:
    services, fake, slack = world.services, world.fake, world.slack
    interview_id, plan_ts = scored_interview(world)
    add_pending_reminders(services, interview_id)

    # The hiring lead starts the debrief from the plan; pressing twice gives one summary.
    slack.click(LEAD, "start_debrief", channel=CHANNEL, ts=plan_ts)
    summary = fake.wait_for(lambda: fake.thread(CHANNEL, plan_ts, shares=False))[0]
    slack.click(LEAD, "start_debrief", channel=CHANNEL, ts=plan_ts)
    fake.wait_for(lambda: fake.message(CHANNEL, summary["ts"])["edits"])
    assert [m["ts"] for m in fake.thread(CHANNEL, plan_ts, shares=False)] == [summary["ts"]]
    assert interview_row(world, interview_id).status == InterviewStatus.DEBRIEF

    texts = section_texts(fake.message(CHANNEL, summary["ts"])["blocks"])
    numbers, headline = texts[:2]
    assert "The numbers say *Hire*: the category means combine to 3.54" in numbers
    assert f"order:* <@{PIA}> → <@{PEETER}> → <@{MARI}> → <@{LEAD}> (hiring lead)" in numbers
    assert "*Scorecards in:* 3 of 3" in headline
    assert "*Recommendations:* Strong hire 1 · Hire 1 · No hire 1 · Strong no hire 0" in headline
    agenda = [t for t in texts if t[:3] in {f"*{n}." for n in range(1, 6)}]
    assert [a.splitlines()[0] for a in agenda] == [
        "*1. Behavioural questions* — Split",
        "*2. Situational questions* — Mixed",
        "*3. Customer service questions* — Consensus",
        "*4. Personal questions* — Too few ratings",
        "*5. Questions about the company* — Too few ratings",
    ]
    unjudged = "agreement not judged: fewer than 4 questions rated by 3 or more"
    assert agenda[0].splitlines()[1].startswith(
        f"mean 3.0 (Adequate) · range 1.5 (Weak) – 4.5 (Excellent) · {unjudged}")
    assert f"1 of 3 rated high: <@{PIA}> 4.5 · 1 of 3 rated low: <@{PEETER}> 1.5" in agenda[0]
    assert "Split questions (rated clearly high by one panelist, clearly low by another): 2 of 2" \
        in agenda[0]
    assert agenda[1].splitlines()[1].startswith(
        f"mean 4.2 (Good) · range 3.5 (Good) – 5.0 (Excellent) · {unjudged}")
    assert agenda[2].splitlines()[1].startswith(
        f"mean 4.0 (Good) · range 4.0 (Good) – 4.0 (Good) · {unjudged}")
    alpha = json.dumps(fake.message(CHANNEL, summary["ts"])["blocks"], ensure_ascii=False)
    assert f"<@{PIA}> (5): “Owned the outage story.”" in alpha  # the evidence under the split
    assert "alpha (ordinal, over all question ratings): not judged, from only 18 paired" in alpha
    panel = "\n".join(texts)
    assert "Owned the &lt;!channel&gt; outage story &amp; fixed it." in panel
    assert "Salary" not in panel

    # Anyone else pressing "Start debrief" is told no.
    slack.click(OUTSIDER, "start_debrief", channel=CHANNEL, ts=plan_ts)
    fake.wait_for(lambda: any("Only the hiring lead and the recruiter" in m
                              for m in said_to(world, OUTSIDER)))

    # The organisers see every scorecard, private notes included; a panelist is refused.
    before = open_views(world, LEAD)
    slack.click(LEAD, "full_scorecards", channel=CHANNEL, ts=summary["ts"])
    full = top_view(world, LEAD, "full_scorecards", before)
    assert "Salary expectations high." in json.dumps(full["blocks"])
    slack.click(PIA, "full_scorecards", channel=CHANNEL, ts=summary["ts"])
    fake.wait_for(lambda: any("Only the hiring lead" in m for m in said_to(world, PIA)))

    # The recruiter records the decision; a blank reason is sent back first.
    before = open_views(world, RECRUITER)
    slack.click(RECRUITER, "record_decision", channel=CHANNEL, ts=summary["ts"])
    modal = top_view(world, RECRUITER, "record_decision", before)
    assert modal["title"]["text"] == "Record decision"
    reply = slack.submit(RECRUITER, modal["id"], {"outcome": "hire", "reason": "   "}).json()
    assert reply["response_action"] == "errors" and list(reply["errors"]) == ["reason"]
    values = {"outcome": "hire", "reason": "Strong STAR stories; the split was discussed."}
    response = slack.submit(RECRUITER, modal["id"], values)
    assert response.status == 200 and response.json() is None
    assert send_again(world, RECRUITER, modal, values, retry_num=1).status == 200

    announcement = fake.wait_for(lambda: fake.thread(CHANNEL, plan_ts, shares=False)[1:])[0]
    said = json.dumps(announcement["blocks"], ensure_ascii=False)
    assert "Decision recorded by <@URECRUITER>: *Hire*." in said
    assert all(f"<@{u}>" in said for u in (PIA, PEETER, MARI))
    fake.wait_for(lambda: "*Decision:* Hire" in json.dumps(
        fake.message(CHANNEL, summary["ts"])["blocks"]))
    fake.wait_for(lambda: "Decided: Hire" in json.dumps(fake.message(CHANNEL, plan_ts)["blocks"]))
    row = interview_row(world, interview_id)
    assert (row.status, row.decision, row.decided_by) == (
        InterviewStatus.DECIDED, DecisionOutcome.HIRE, RECRUITER)
    assert [d.outcome for d in row.decisions] == [DecisionOutcome.HIRE]  # the retry added none
    with transaction(services.db) as session:
        statuses = list(session.scalars(select(Reminder.status).where(
            Reminder.interview_id == interview_id)))
    assert statuses == [ReminderStatus.SENT]

    # Scorecards are locked now.
    slack.click(PIA, "score_candidate", channel=CHANNEL, ts=plan_ts)
    fake.wait_for(lambda: any("locked" in m for m in said_to(world, PIA)))

    # The recruiter cannot change it; the hiring lead can, and the history is kept.
    slack.click(RECRUITER, "record_decision", channel=CHANNEL, ts=summary["ts"])
    fake.wait_for(lambda: any("only the hiring lead can change it" in m
                              for m in said_to(world, RECRUITER)))
    before = open_views(world, LEAD)
    slack.click(LEAD, "record_decision", channel=CHANNEL, ts=summary["ts"])
    modal = top_view(world, LEAD, "record_decision", before)
    assert modal["title"]["text"] == "Change decision"
    # The modal shows the numbers (hire, 3.54); going against them asks why, next to the field.
    assert "The numbers say *Hire*" in json.dumps(modal["blocks"])
    values = {"outcome": "no_hire", "reason": "References first."}
    reply = slack.submit(LEAD, modal["id"], values).json()
    assert reply["errors"] == {
        "against_numbers": "The numbers say Hire. Say here why you decide otherwise."}
    slack.submit(LEAD, modal["id"], {**values, "against_numbers": "Both references said no."})
    fake.wait_for(lambda: len(fake.thread(CHANNEL, plan_ts, shares=False)) == 3)
    change = json.dumps(fake.thread(CHANNEL, plan_ts, shares=False)[2]["blocks"])
    assert "Decision changed by <@ULEAD>: *No hire* (was Hire)" in change
    assert "This goes against the numbers, which said Hire. Why: Both references said no." \
        in change
    fake.wait_for(lambda: "Decided: No hire" in json.dumps(
        fake.message(CHANNEL, plan_ts)["blocks"]))
    with transaction(services.db) as session:
        history = list(session.scalars(select(Decision.outcome).order_by(Decision.id)))
    assert history == [DecisionOutcome.HIRE, DecisionOutcome.NO_HIRE]
    # summary, decision, change: no second summary
    assert len(fake.thread(CHANNEL, plan_ts, shares=False)) == 3


# --- the commands --------------------------------------------------------------------------


def test_summary_command_is_for_organisers_and_panelists_who_scored(world: World) -> None:
    services, slack = world.services, world.slack
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI))
    add_scorecard(services, interview_id, PIA, PIA_SCORES, recommendation="strong_hire")

    def summary(user: str, text: str) -> dict:
        """The command's answer, ephemeral, in its ack."""
        reply = slack.command(user, text)
        assert reply.status == 200
        body = reply.json()
        assert body["response_type"] == "ephemeral"
        return dict(body)

    reply = summary(PIA, f"summary {interview_id}")
    text = json.dumps(reply["blocks"])
    assert "Scorecards in:* 1 of 3" in text and "missing: <@UPEETER>, <@UMARI>" in text
    buttons = [e["action_id"] for b in reply["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert buttons == ["view_panel_feedback"]

    lead = summary(LEAD, f"summary #{interview_id}")
    assert [e["action_id"] for b in lead["blocks"] if b["type"] == "actions"
            for e in b["elements"]] == ["record_decision", "full_scorecards"]

    for user, words in ((PEETER, "Submit your own scorecard first"),
                        (OUTSIDER, "Only the hiring lead, the recruiter and panelists")):
        assert words in summary(user, f"summary {interview_id}")["text"]
    assert "no interview 999" in summary(LEAD, "summary 999")["text"]
    assert world.fake.messages(CHANNEL) == []  # nothing was posted for anyone to see


def test_debrief_command_posts_once_for_organisers_only(world: World) -> None:
    services, slack, fake = world.services, world.slack, world.fake
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI))
    add_scorecard(services, interview_id, PIA, PIA_SCORES)

    refused = slack.command(PIA, f"debrief {interview_id}").json()
    assert "Only the hiring lead and the recruiter" in refused["text"]
    assert fake.messages(CHANNEL) == []

    reply = slack.command(RECRUITER, f"debrief {interview_id}").json()
    assert reply["response_type"] == "ephemeral" and "Posting the debrief summary" in reply["text"]
    posted = fake.wait_for(lambda: fake.messages(CHANNEL))  # no plan: in the channel
    slack.command(LEAD, f"debrief {interview_id}")
    fake.wait_for(lambda: fake.message(CHANNEL, posted[0]["ts"])["edits"])
    assert len(fake.messages(CHANNEL)) == 1
    assert "Which interview?" in slack.command(LEAD, "debrief").json()["text"]


def test_full_scorecards_of_a_big_panel_page_by_panelist(world: World) -> None:
    for n, user_id in enumerate(LARGE_PANEL):
        world.fake.add_user(user_id, name=f"panelist{n}", real_name=f"Panelist Number {n}")
    interview_id = largest_interview(world.services)
    debrief_publish.post_debrief_summary(world.services, interview_id, actor_id=LEAD)
    summary = world.fake.messages(CHANNEL)[0]

    before = open_views(world, LEAD)
    world.slack.click(LEAD, "full_scorecards", channel=CHANNEL, ts=summary["ts"])
    modal = top_view(world, LEAD, "full_scorecards", before)
    select_block = next(b for b in modal["blocks"] if b.get("block_id") == "page")
    options = select_block["elements"][0]["options"]
    assert [o["text"]["text"] for o in options][:3] == [
        "Overview: everyone", "panelist0", "panelist1"]  # their display names

    world.slack.click(LEAD, "full_scorecards_page", view_id=modal["id"], selected=LARGE_PANEL[3])

    def showing_panelist_3() -> bool:
        text = json.dumps(world.fake.view(modal["id"])["blocks"])
        return f"<@{LARGE_PANEL[3]}>" in text and f"<@{LARGE_PANEL[4]}>" not in text

    world.fake.wait_for(showing_panelist_3)
    assert "Question 14 of category 9?" in json.dumps(world.fake.view(modal["id"])["blocks"])
