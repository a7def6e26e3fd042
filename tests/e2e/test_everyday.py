"""Everyday use end to end, through signed requests to the real app and the local Slack fake:
the App Home and `/interview list`, rescheduling and cancelling (command and plan menu),
panel changes, export, and deleting from the plan's menu (tests/e2e/test_posted.py deletes
after every kind of message and searches Slack and every table for what was typed).
Interviews are set up with the real `/interview new` flow."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.demo.slack_fake import blockkit
from models import (
    Candidate,
    Interview,
    InterviewStatus,
    Reminder,
    ReminderStatus,
    transaction,
)
from tests.conftest import CHANNEL, LEAD, MARI, OUTSIDER, PEETER, PIA, RECRUITER, World
from tests.factories import add_scorecard, make_interview
from tests.slack_steps import open_views, picked_time, top_view

PANEL = [PIA, PEETER, MARI]


# --- helpers ---------------------------------------------------------------------------------








def row(world: World, interview_id: int) -> Interview:
    with transaction(world.services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        _ = [p.scorecard for p in interview.panelists]
        session.expunge_all()
        return interview


def create(world: World, name: str = "Mari Maasikas", **values: Any) -> int:
    """`/interview new` as the recruiter types it; waits for the plan and every kit."""
    before = open_views(world, RECRUITER)
    world.slack.command(RECRUITER, f"new {name}")
    view = top_view(world, RECRUITER, "new_interview", before)
    submitted = {"role": "Support agent", "question_set": "customer-service:en",
                 "panel": list(PANEL), "hiring_lead": LEAD, "channel": CHANNEL,
                 "starts_at": picked_time(world, days=2), "length": "60",
                 "debrief_at": picked_time(world, days=3), **values}
    published = len(world.fake.calls("views.publish"))
    assert world.slack.submit(RECRUITER, view["id"], submitted).status == 200

    def ready() -> int | None:
        with transaction(world.services.db) as session:
            found = session.scalars(select(Interview).join(Interview.candidate).where(
                Candidate.name == name).order_by(Interview.id.desc())).first()
            if found and found.plan_ts and all(p.kit_ts for p in found.panelists):
                return found.id
        return None

    interview_id = world.fake.wait_for(ready)
    # The set-up ends by refreshing everyone's App Home (recruiter, lead, panel): wait for
    # it, so a later, newer publish in the test is not overtaken by this older one.
    people = {RECRUITER, LEAD, *submitted["panel"]}
    world.fake.wait_for(lambda: len(world.fake.calls("views.publish")) >= published + len(people))
    return interview_id


def plan(world: World, interview_id: int) -> dict[str, Any]:
    interview = row(world, interview_id)
    assert interview.plan_ts
    return world.fake.message(CHANNEL, interview.plan_ts)


def thread(world: World, interview_id: int) -> list[dict[str, Any]]:
    interview = row(world, interview_id)
    assert interview.plan_ts
    return world.fake.thread(CHANNEL, interview.plan_ts)


def wait_thread(world: World, interview_id: int, words: str) -> dict[str, Any]:
    return world.fake.wait_for(lambda: next(
        (m for m in thread(world, interview_id) if words in m["text"]), None))


def menu(world: World, user: str, interview_id: int, action: str) -> None:
    """Choose an option of the plan's "…" menu."""
    interview = row(world, interview_id)
    response = world.slack.click(user, "plan_menu", channel=CHANNEL, ts=interview.plan_ts,
                                 selected=f"{action}:{interview_id}")
    assert response.status == 200




def command_reply(world: World, user: str, text: str) -> dict[str, Any]:
    reply = world.slack.command(user, text).json()
    assert reply is None or reply.get("response_type") == "ephemeral"
    return reply or {}


def pending(world: World, interview_id: int) -> dict[tuple[str, str], datetime]:
    with transaction(world.services.db) as session:
        rows = session.scalars(select(Reminder).where(
            Reminder.interview_id == interview_id, Reminder.status == ReminderStatus.PENDING))
        return {(r.kind, r.recipient_id): r.due_at for r in rows}


def home_text(world: World, user: str) -> str:
    home = world.fake.home(user)
    return json.dumps(home["blocks"], ensure_ascii=False) if home else ""


def kit_head(world: World, user: str, interview_id: int) -> dict[str, Any]:
    panelist = next(p for p in row(world, interview_id).panelists if p.user_id == user)
    assert panelist.kit_channel and panelist.kit_ts
    return world.fake.message(panelist.kit_channel, panelist.kit_ts)


# --- App Home and the list -------------------------------------------------------------------


def test_app_home_shows_everyones_interviews_and_the_score_button_works(world: World) -> None:
    fake, slack = world.fake, world.slack
    interview_id = create(world, "Ada Lovelace")
    for user in (PIA, LEAD, RECRUITER, OUTSIDER):
        slack.home_opened(user)
    fake.wait_for(lambda: all(fake.home(u) for u in (PIA, LEAD, RECRUITER, OUTSIDER)))
    pia = home_text(world, PIA)
    assert "My upcoming interviews" in pia and "Ada Lovelace" in pia
    assert "No scorecards to write." in pia and "Interviews I created" not in pia
    lead = home_text(world, LEAD)
    assert "Debriefs I lead" in lead and "0 of 3 scorecards in" in lead
    assert "Interviews I created" in home_text(world, RECRUITER)
    assert "Ada Lovelace" not in home_text(world, OUTSIDER)

    world.clock.advance(days=2, hours=2)  # the interview is over: Pia owes her scorecard
    slack.home_opened(PIA)
    fake.wait_for(lambda: "Score candidate" in home_text(world, PIA))
    before = open_views(world, PIA)
    slack.click(PIA, "score_candidate", value=str(interview_id))  # from the App Home
    assert top_view(world, PIA, "scorecard", before)


def test_list_command_shows_the_same_in_an_ephemeral(world: World) -> None:
    interview_id = create(world, "Grace Hopper")
    world.clock.advance(days=2, hours=2)
    reply = command_reply(world, PIA, "list")
    assert blockkit.message_errors(reply["blocks"]) == [] and len(reply["blocks"]) <= 50
    text = json.dumps(reply["blocks"])
    assert "Scorecards I owe" in text and "Grace Hopper" in text
    buttons = [b["accessory"] for b in reply["blocks"] if b.get("accessory")]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("score_candidate", str(interview_id))]
    lead = json.dumps(command_reply(world, LEAD, "list")["blocks"])
    assert "Debriefs I lead" in lead and "0 of 3 scorecards in" in lead


# --- reschedule ------------------------------------------------------------------------------


def test_reschedule_by_command_moves_plan_kits_reminders_and_tells_the_panel(
        world: World) -> None:
    fake, slack = world.fake, world.slack
    interview_id = create(world)
    old = row(world, interview_id)
    slack.home_opened(PIA)
    fake.wait_for(lambda: fake.home(PIA))
    before_reminders = pending(world, interview_id)

    assert command_reply(world, RECRUITER, f"reschedule {interview_id}") == {}
    view = top_view(world, RECRUITER, "reschedule_interview")
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["starts_at"]["initial_date_time"] == int(old.starts_at.timestamp())
    assert inputs["debrief_at"]["initial_date_time"] == int(old.debrief_at.timestamp())
    assert inputs["length"]["initial_option"]["value"] == "60"

    # The setup form's rules: the debrief must come after the interview.
    bad = slack.submit(RECRUITER, view["id"], {"starts_at": picked_time(world, days=5),
                                               "debrief_at": picked_time(world, days=4)})
    assert "debrief_at" in bad.json()["errors"]

    new_start = picked_time(world, days=5)
    response = slack.submit(RECRUITER, view["id"], {"starts_at": new_start, "length": "90",
                                                    "debrief_at": picked_time(world, days=6)})
    assert response.status == 200 and response.json() is None
    note = wait_thread(world, interview_id, "Rescheduled by")
    token = f"<!date^{new_start}^"
    assert token in note["text"] and f"<@{PIA}>" in json.dumps(note["blocks"])
    moved = row(world, interview_id)
    assert int(moved.starts_at.timestamp()) == new_start
    assert moved.ends_at - moved.starts_at == timedelta(minutes=90)
    assert token in json.dumps(plan(world, interview_id)["blocks"])
    for user in PANEL:
        assert token in json.dumps(kit_head(world, user, interview_id)["blocks"])
    after = pending(world, interview_id)
    assert after[("first", PIA)] != before_reminders[("first", PIA)]
    assert after[("first", PIA)] == moved.ends_at + timedelta(minutes=60)
    # Pia's App Home was published again without her opening it.
    fake.wait_for(lambda: token in home_text(world, PIA))


def test_reschedule_from_the_plan_menu(world: World) -> None:
    interview_id = create(world)
    menu(world, LEAD, interview_id, "reschedule")
    view = top_view(world, LEAD, "reschedule_interview")
    world.slack.submit(LEAD, view["id"], {"debrief_at": picked_time(world, days=4)})
    assert "Rescheduled by <@ULEAD>" in wait_thread(world, interview_id, "Rescheduled")["text"]


# --- cancel ----------------------------------------------------------------------------------


def test_cancel_confirms_then_the_plan_says_cancelled(world: World) -> None:
    interview_id = create(world, "Alan Turing")
    assert pending(world, interview_id)
    assert command_reply(world, LEAD, f"cancel {interview_id}") == {}
    view = top_view(world, LEAD, "cancel_interview")
    assert "Alan Turing" in json.dumps(view["blocks"])
    assert row(world, interview_id).status == InterviewStatus.SCHEDULED  # not before "yes"
    world.slack.submit(LEAD, view["id"])
    wait_thread(world, interview_id, "was cancelled by <@ULEAD>")
    assert row(world, interview_id).status == InterviewStatus.CANCELLED
    assert pending(world, interview_id) == {}
    blocks = json.dumps(plan(world, interview_id)["blocks"])
    assert "Cancelled" in blocks and "score_candidate" not in blocks
    again = command_reply(world, LEAD, f"reschedule {interview_id}")
    assert "is cancelled" in again["text"]


def test_cancel_from_the_plan_menu(world: World) -> None:
    interview_id = create(world)
    menu(world, RECRUITER, interview_id, "cancel")
    world.slack.submit(RECRUITER, top_view(world, RECRUITER, "cancel_interview")["id"])
    wait_thread(world, interview_id, "was cancelled")
    assert "Cancelled" in json.dumps(plan(world, interview_id)["blocks"])


# --- the panel -------------------------------------------------------------------------------


def test_add_and_remove_panelists_from_the_plan_menu(world: World) -> None:
    fake, slack = world.fake, world.slack
    interview_id = create(world, panel=[PIA, PEETER])
    pia_kit = kit_head(world, PIA, interview_id)

    menu(world, RECRUITER, interview_id, "add_panelist")
    view = top_view(world, RECRUITER, "add_panelist")
    for who, words in ((PIA, "on the panel already"), ("UBOTUSER", "is a bot"),
                       ("UGONE", "deactivated")):
        refused = slack.submit(RECRUITER, view["id"], {"panelist": who})
        assert words in refused.json()["errors"]["panelist"]
    assert slack.submit(RECRUITER, view["id"], {"panelist": MARI}).json() is None
    wait_thread(world, interview_id, f"added <@{MARI}> to the panel")
    fake.wait_for(lambda: [m for m in fake.dms(MARI) if "interview kit" in m["text"]])
    interview = row(world, interview_id)
    assert [p.user_id for p in interview.active_panelists] == [PIA, PEETER, MARI]
    assert all(p.focus_categories for p in interview.active_panelists)
    assert ("first", MARI) in pending(world, interview_id)
    assert fake.message(pia_kit["channel"], pia_kit["ts"])["edits"]  # her focus was redone

    menu(world, LEAD, interview_id, "remove_panelist")
    view = top_view(world, LEAD, "remove_panelist")
    options = next(b for b in view["blocks"] if b.get("block_id") == "panelist")[
        "element"]["options"]
    assert [o["value"] for o in options] == [PIA, PEETER, MARI]
    slack.submit(LEAD, view["id"], {"panelist": PIA})
    wait_thread(world, interview_id, f"removed <@{PIA}> from the panel")
    assert "no longer on the panel" in fake.message(pia_kit["channel"], pia_kit["ts"])["text"]
    interview = row(world, interview_id)
    assert [p.user_id for p in interview.active_panelists] == [PEETER, MARI]
    assert not [k for k in pending(world, interview_id) if k[1] == PIA]
    assert "of 2 scorecards in" in json.dumps(plan(world, interview_id)["blocks"])


# --- who may, and which ids ------------------------------------------------------------------


def test_commands_refuse_outsiders_and_bad_ids(world: World) -> None:
    interview_id = create(world)
    elsewhere = make_interview(world.services, team_id="T0002")
    for sub in ("reschedule", "cancel", "export", "delete"):
        for user in (PIA, OUTSIDER):
            reply = command_reply(world, user, f"{sub} {interview_id}")
            assert "Only the hiring lead and the recruiter" in reply["text"]
        for raw, words in (("999999", "no interview 999999"),
                           ("banana", "not an interview number"),
                           (str(elsewhere), f"no interview {elsewhere}"),
                           ("", "Which interview")):
            assert words in command_reply(world, RECRUITER, f"{sub} {raw}")["text"]
    assert world.fake.view_stack(PIA) == world.fake.view_stack(OUTSIDER) == []
    assert world.fake.files() == []
    assert row(world, interview_id).status == InterviewStatus.SCHEDULED


def test_the_plan_menu_refuses_panelists(world: World) -> None:
    interview_id = create(world)
    for action in ("reschedule", "add_panelist", "remove_panelist", "cancel", "delete"):
        menu(world, PIA, interview_id, action)
    world.fake.wait_for(lambda: len([e for e in world.fake.ephemerals(PIA)
                                     if "Only the hiring lead" in e["text"]]) == 5)
    assert world.fake.view_stack(PIA) == []


# --- export ----------------------------------------------------------------------------------


def test_export_sends_csv_and_json_to_the_requesters_dm(world: World) -> None:
    interview_id = create(world, "Katherine Johnson")
    add_scorecard(world.services, interview_id, PIA, {"define-customer-service": 5,
                                                      "hardest-case": 4})
    reply = command_reply(world, LEAD, f"export {interview_id}")
    assert "arrive in a DM" in reply["text"]
    files = world.fake.wait_for(lambda: world.fake.files(LEAD) if len(
        world.fake.files(LEAD)) == 2 else None)
    by_name = {f["filename"]: f["content"].decode() for f in files}
    rows = list(csv.DictReader(io.StringIO(by_name[f"interview-{interview_id}.csv"])))
    assert [(r["question_id"], r["score"]) for r in rows] == [
        ("define-customer-service", "5"), ("hardest-case", "4")]
    document = json.loads(by_name[f"interview-{interview_id}.json"])
    assert document["candidate"]["name"] == "Katherine Johnson"
    assert world.fake.files(RECRUITER) == []


# --- delete ----------------------------------------------------------------------------------

def test_delete_from_the_plan_menu(world: World) -> None:
    interview_id = create(world, "Hedy Lamarr")
    menu(world, LEAD, interview_id, "delete")
    view = top_view(world, LEAD, "delete_interview")
    assert "Hedy Lamarr" in json.dumps(view["blocks"])
    world.slack.submit(LEAD, view["id"])
    world.fake.wait_for(lambda: "deleted" in plan(world, interview_id)["text"])
    assert "Hedy Lamarr" not in json.dumps(plan(world, interview_id)["blocks"])
    assert row(world, interview_id).deleted_by == LEAD
