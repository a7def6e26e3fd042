"""Changing an interview after set-up: reschedule, cancel, panel changes, deleting the
candidate's data (every table scanned afterwards) and the retention sweep. Slack is the
local fake: the plan, the kits and the thread notes are read back from it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.focus import assign_focus
from bot.debrief.publish import post_debrief_summary
from bot.debrief.service import record_decision
from bot.errors import InterviewRefused, NotFound
from bot.interviews import store_posted
from bot.lifecycle import publish as lifecycle_publish
from bot.lifecycle import service as lifecycle
from bot.lifecycle.service import Action
from bot.plan.publish import post_interview_plan, send_kits
from bot.reminders.service import schedule_reminders
from bot.setup.service import DEBRIEF_AT_BLOCK, STARTS_AT_BLOCK, NewInterviewForm
from models import (
    Base,
    DecisionOutcome,
    Event,
    Interview,
    InterviewStatus,
    OutboxMessage,
    Panelist,
    PostedKind,
    PostedMessage,
    Reminder,
    ReminderStatus,
    Scorecard,
    ScorecardDraft,
    transaction,
)
from tests.conftest import CHANNEL, LEAD, MARI, OUTSIDER, PEETER, PIA, RECRUITER, TEAM, World
from tests.factories import (
    add_scorecard,
    generated_set,
    make_interview,
    perform_side_effects,
    shipped_set,
)

QUESTION = "define-customer-service"


def set_up(world: World, **kwargs: Any) -> int:
    """An interview starting tomorrow, its plan posted, kits sent, reminders planned."""
    services = world.services
    now = services.clock()
    kwargs.setdefault("starts_at", now + timedelta(days=1))
    kwargs.setdefault("debrief_at", now + timedelta(days=2))
    interview_id = make_interview(services, **kwargs)
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        schedule_reminders(session, interview, services)
    post_interview_plan(services, interview_id, RECRUITER)
    send_kits(services, interview_id)
    return interview_id


def row(world: World, interview_id: int) -> Interview:
    with transaction(world.services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        for panelist in interview.panelists:
            _ = panelist.scorecard
        session.expunge_all()
        return interview


def pending(world: World, interview_id: int) -> dict[tuple[str, str], datetime]:
    with transaction(world.services.db) as session:
        rows = session.scalars(select(Reminder).where(
            Reminder.interview_id == interview_id, Reminder.status == ReminderStatus.PENDING))
        return {(r.kind, r.recipient_id): r.due_at for r in rows}


def plan_of(world: World, interview_id: int) -> dict[str, Any]:
    interview = row(world, interview_id)
    assert interview.plan_ts
    return world.fake.message(CHANNEL, interview.plan_ts)


def thread_texts(world: World, interview_id: int) -> list[str]:
    interview = row(world, interview_id)
    assert interview.plan_ts
    return [m["text"] for m in world.fake.thread(CHANNEL, interview.plan_ts)]


def kit_of(world: World, user: str) -> dict[str, Any]:
    return [m for m in world.fake.dms(user) if m["thread_ts"] is None][-1]


# --- who may ---------------------------------------------------------------------------------


def test_only_organisers_and_only_known_ids(world: World) -> None:
    services = world.services
    interview_id = set_up(world)
    other_team = make_interview(services, team_id="T0002")
    for action in Action:
        for user in (PIA, OUTSIDER):
            with pytest.raises(InterviewRefused):
                lifecycle.prepare(services, TEAM, str(interview_id), user, action)
        for raw in ("999999", "twelve", str(other_team), ""):
            with pytest.raises(NotFound):
                lifecycle.prepare(services, TEAM, raw, RECRUITER, action)
        for organiser in (RECRUITER, LEAD):
            info = lifecycle.prepare(services, TEAM, f"#{interview_id}", organiser, action)
            assert info.interview_id == interview_id
            assert info.panel == (PIA, PEETER, MARI)


def test_a_decided_interview_can_only_be_deleted(world: World) -> None:
    services = world.services
    interview_id = set_up(world)
    record_decision(services, TEAM, interview_id, LEAD, DecisionOutcome.HIRE, "Good.", None)
    for action in (Action.RESCHEDULE, Action.CANCEL, Action.ADD_PANELIST,
                   Action.REMOVE_PANELIST):
        with pytest.raises(InterviewRefused) as refused:
            lifecycle.prepare(services, TEAM, str(interview_id), LEAD, action)
        assert "decided" in refused.value.render(lifecycle.translator("en"))
    assert lifecycle.prepare(services, TEAM, str(interview_id), LEAD, Action.DELETE)


# --- reschedule ------------------------------------------------------------------------------


def test_reschedule_moves_times_reminders_plan_kits_and_tells_the_thread(world: World) -> None:
    services = world.services
    interview_id = set_up(world)
    before = pending(world, interview_id)
    kit_before = kit_of(world, PIA)
    start = row(world, interview_id).starts_at + timedelta(days=3)
    change = lifecycle.reschedule(services, TEAM, interview_id, RECRUITER, start,
                                  start + timedelta(minutes=90), start + timedelta(days=1))
    assert change.changed
    perform_side_effects(services)
    moved = row(world, interview_id)
    assert (moved.starts_at, moved.ends_at, moved.debrief_at) == (
        start, start + timedelta(minutes=90), start + timedelta(days=1))
    after = pending(world, interview_id)
    assert after[("debrief", CHANNEL)] == start + timedelta(days=1)
    assert after[("first", PIA)] == start + timedelta(minutes=90 + 60)
    assert before[("first", PIA)] != after[("first", PIA)]
    # The plan and the kit (updated in place, not sent again) show the new start.
    token = f"<!date^{int(start.timestamp())}^"
    assert token in json.dumps(plan_of(world, interview_id)["blocks"])
    kit = kit_of(world, PIA)
    assert kit["ts"] == kit_before["ts"] and token in json.dumps(kit["blocks"])
    note = thread_texts(world, interview_id)[-1]
    assert note.startswith(f"Rescheduled by <@{RECRUITER}>") and token in note
    # The same times again (a retried submission) change nothing and say nothing.
    again = lifecycle.reschedule(services, TEAM, interview_id, RECRUITER, start,
                                 start + timedelta(minutes=90), start + timedelta(days=1))
    assert not again.changed
    assert perform_side_effects(services) == 0
    assert len(thread_texts(world, interview_id)) == 1


def test_reschedule_is_validated_like_the_setup_form(world: World) -> None:
    services = world.services
    interview_id = set_up(world)
    start = services.clock() + timedelta(days=1)
    form = NewInterviewForm(starts_at=start, length_minutes=60,
                            debrief_at=start + timedelta(minutes=30))
    _, errors = lifecycle.check_reschedule(services, TEAM, interview_id, LEAD, form)
    assert list(errors) == [DEBRIEF_AT_BLOCK]
    far = NewInterviewForm(starts_at=start + timedelta(days=400), length_minutes=60,
                           debrief_at=start + timedelta(days=401))
    assert list(lifecycle.check_reschedule(services, TEAM, interview_id, LEAD, far)[1]) == [
        STARTS_AT_BLOCK]


def test_an_unchanged_start_may_stay_in_the_past(world: World) -> None:
    services = world.services
    long_ago = services.clock() - timedelta(days=10)
    interview_id = set_up(world, starts_at=long_ago, debrief_at=long_ago + timedelta(days=20))
    form = NewInterviewForm(starts_at=long_ago, length_minutes=60,
                            debrief_at=services.clock() + timedelta(days=1))
    assert lifecycle.check_reschedule(services, TEAM, interview_id, LEAD, form)[1] == {}
    form = NewInterviewForm(starts_at=long_ago - timedelta(hours=1), length_minutes=60,
                            debrief_at=services.clock() + timedelta(days=1))
    assert STARTS_AT_BLOCK in lifecycle.check_reschedule(services, TEAM, interview_id, LEAD,
                                                         form)[1]


# --- cancel ----------------------------------------------------------------------------------


def test_cancel_shows_on_the_plan_removes_reminders_and_tells_the_panel(world: World) -> None:
    services = world.services
    interview_id = set_up(world)
    assert pending(world, interview_id)
    change = lifecycle.cancel_interview(services, TEAM, interview_id, LEAD)
    assert change.changed
    perform_side_effects(services)
    assert row(world, interview_id).status == InterviewStatus.CANCELLED
    assert pending(world, interview_id) == {}
    plan = plan_of(world, interview_id)
    assert "Cancelled" in json.dumps(plan["blocks"])
    assert "score_candidate" not in json.dumps(plan["blocks"])
    note = thread_texts(world, interview_id)[-1]
    assert f"cancelled by <@{LEAD}>" in note
    # A retried confirmation: nothing more.
    assert not lifecycle.cancel_interview(services, TEAM, interview_id, LEAD).changed
    assert len(thread_texts(world, interview_id)) == 1
    with pytest.raises(InterviewRefused):
        lifecycle.reschedule(services, TEAM, interview_id, LEAD, services.clock(),
                             services.clock() + timedelta(hours=1),
                             services.clock() + timedelta(days=1))


# --- the panel -------------------------------------------------------------------------------


def test_adding_a_panelist_rebalances_focus_sends_their_kit_and_plans_reminders(
        world: World) -> None:
    services = world.services
    interview_id = set_up(world, panel=(PIA, PEETER))
    change = lifecycle.add_panelist(services, TEAM, interview_id, RECRUITER, MARI)
    assert change.changed and change.panel == (PIA, PEETER, MARI)
    perform_side_effects(services)
    interview = row(world, interview_id)
    categories = [c.id for c in shipped_set(services).categories]
    expected = assign_focus(categories, [PIA, PEETER, MARI])
    assert {p.user_id: p.focus_categories for p in interview.panelists} == expected
    assert ("first", MARI) in pending(world, interview_id)
    assert "interview kit" in kit_of(world, MARI)["text"]
    assert f"added <@{MARI}> to the panel" in thread_texts(world, interview_id)[-1]
    assert not lifecycle.add_panelist(services, TEAM, interview_id, RECRUITER, MARI).changed


def test_new_panelist_checks(world: World) -> None:
    services = world.services
    interview_id = set_up(world)
    check = lifecycle.check_new_panelist
    assert "on the panel already" in str(check(services, TEAM, interview_id, LEAD, PIA)[1])
    assert "bot" in str(check(services, TEAM, interview_id, LEAD, "UBOTUSER")[1])
    assert "deactivated" in str(check(services, TEAM, interview_id, LEAD, "UGONE")[1])
    assert check(services, TEAM, interview_id, LEAD, OUTSIDER)[1] is None
    with pytest.raises(InterviewRefused):
        check(services, TEAM, interview_id, PIA, OUTSIDER)


def test_removing_a_panelist_keeps_their_scorecard_and_rebalances(world: World) -> None:
    services = world.services
    interview_id = set_up(world)
    add_scorecard(services, interview_id, PEETER, {QUESTION: 4}, takeaways="Solid.")
    pia_kit = kit_of(world, PIA)
    change = lifecycle.remove_panelist(services, TEAM, interview_id, LEAD, PIA)
    assert change.changed and change.panel == (PEETER, MARI)
    perform_side_effects(services)
    interview = row(world, interview_id)
    pia = next(p for p in interview.panelists if p.user_id == PIA)
    assert pia.removed_at is not None
    categories = [c.id for c in shipped_set(services).categories]
    expected = assign_focus(categories, [PEETER, MARI])
    assert {p.user_id: p.focus_categories for p in interview.active_panelists} == expected
    assert not [k for k in pending(world, interview_id) if k[1] == PIA]
    assert "no longer on the panel" in world.fake.message(pia_kit["channel"],
                                                          pia_kit["ts"])["text"]
    assert f"removed <@{PIA}> from the panel" in thread_texts(world, interview_id)[-1]
    # Peeter leaves too: his scorecard stays, marked by removed_at.
    lifecycle.remove_panelist(services, TEAM, interview_id, LEAD, PEETER)
    interview = row(world, interview_id)
    peeter = next(p for p in interview.panelists if p.user_id == PEETER)
    assert peeter.removed_at is not None and peeter.scorecard is not None
    with pytest.raises(InterviewRefused):  # Mari is the last one
        lifecycle.remove_panelist(services, TEAM, interview_id, LEAD, MARI)
    # Pia comes back: the same row, active again.
    lifecycle.add_panelist(services, TEAM, interview_id, LEAD, PIA)
    interview = row(world, interview_id)
    assert [p.user_id for p in interview.active_panelists] == [PIA, MARI]
    assert len(interview.panelists) == 3


# --- deleting --------------------------------------------------------------------------------

SECRETS = {
    "name": "Zebulon Quaxfeather",
    "role": "Chief Marmalade Officer",
    "link": "https://ats.example.com/zq-771",
    "note": "Allergic to pamplemousse",
    "takeaways": "Juggled flaming torches",
    "private": "Wants 9 million",
    "category": "Hums while thinking",
    "rating": "Mentioned the kumquat",
    "draft": "Half-written thoughts about xylophones",
    "reason": "Unanimous for the quokka story",
}


def all_text(world: World) -> str:
    """Every value of every column of every table, as text."""
    parts = []
    with world.services.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for values in connection.execute(table.select()):
                parts += [json.dumps(v, default=str) if isinstance(v, dict | list) else str(v)
                          for v in values]
    return "\n".join(parts)


def seed_secrets(world: World) -> int:
    services = world.services
    interview_id = set_up(world, candidate_name=SECRETS["name"])
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        interview.candidate.role = SECRETS["role"]
        interview.candidate.link = SECRETS["link"]
        interview.note = SECRETS["note"]
        mari = next(p for p in interview.panelists if p.user_id == MARI)
        session.add(ScorecardDraft(panelist_id=mari.id, data={"takeaways": SECRETS["draft"]}))
    add_scorecard(services, interview_id, PIA, {QUESTION: 4}, takeaways="First thoughts")
    add_scorecard(services, interview_id, PIA, {QUESTION: 5}, takeaways=SECRETS["takeaways"],
                  private_note=SECRETS["private"],
                  category_notes={"customer-service": SECRETS["category"]})
    with transaction(services.db) as session:
        card = session.scalars(select(Scorecard).where(
            Scorecard.interview_id == interview_id)).one()
        card.current.ratings[0].note = SECRETS["rating"]
    post_interview_plan(services, interview_id)
    send_kits(services, interview_id)  # updates nothing: kits are out; names are in them
    post_debrief_summary(services, interview_id, LEAD)
    record_decision(services, TEAM, interview_id, LEAD, DecisionOutcome.HIRE,
                    SECRETS["reason"], "V-decision")
    perform_side_effects(services)
    return interview_id


def test_delete_leaves_no_candidate_text_in_any_table(world: World) -> None:
    services = world.services
    interview_id = seed_secrets(world)
    text = all_text(world)
    assert all(secret in text for secret in SECRETS.values())  # the scan finds them
    result = lifecycle.delete_candidate_data(services, TEAM, str(interview_id), RECRUITER)
    assert result.changed
    perform_side_effects(services)
    text = all_text(world)
    assert [s for s in SECRETS.values() if s in text] == []
    interview = row(world, interview_id)
    assert interview.deleted_by == RECRUITER and interview.deleted_at is not None
    assert interview.question_set == shipped_set(services).to_snapshot()  # not candidate data
    with transaction(services.db) as session:
        events = session.scalars(select(Event).where(Event.interview_id == interview_id)).all()
        assert [(e.kind, e.actor_id) for e in events] == [("deleted", RECRUITER)]
        assert session.scalars(select(Scorecard)).all() == []
        assert session.scalars(select(Reminder)).all() == []
        assert session.scalars(select(ScorecardDraft)).all() == []
        assert len(session.scalars(select(Panelist)).all()) == 3


def test_delete_edits_plan_kits_and_summary(world: World) -> None:
    services = world.services
    interview_id = seed_secrets(world)
    interview = row(world, interview_id)
    assert interview.plan_ts and interview.summary_ts
    shown = [(CHANNEL, interview.plan_ts), (CHANNEL, interview.summary_ts)]
    shown += [(p.kit_channel, p.kit_ts) for p in interview.panelists]
    assert all(SECRETS["name"] in json.dumps(world.fake.message(*m)) for m in shown[:1])
    lifecycle.delete_candidate_data(services, TEAM, str(interview_id), LEAD)
    perform_side_effects(services)
    for channel, ts in shown:
        assert channel and ts
        message = world.fake.message(channel, ts)
        current = json.dumps({"text": message["text"], "blocks": message["blocks"]})
        assert "deleted" in current
        assert not [s for s in SECRETS.values() if s in current]


def test_delete_erases_every_recorded_message_and_resumes_after_a_rate_limit(
        world: World) -> None:
    """The plan and the kits are edited to the notice, the kits' question pages deleted;
    a message Slack refuses for good is counted, not retried; a rate limit halfway
    leaves the rest for later, where it stopped, and the one who deleted is told once."""
    fake, services = world.fake, world.services
    interview_id = set_up(world, question_set=generated_set(), panel=(PIA, PEETER))
    kit = kit_of(world, PIA)
    assert fake.thread(kit["channel"], kit["ts"])  # the kit's question pages
    reply_to = {"user": {"id": RECRUITER}, "channel": {"id": CHANNEL}}
    fake.fail_next("chat.update", "cant_update_message", status=200)  # the plan's edit
    fake.fail_next("chat.delete", retry_after=40)  # the first page

    lifecycle.delete_candidate_data(services, TEAM, str(interview_id), RECRUITER, reply_to)
    perform_side_effects(services)
    assert "deleted" in fake.message(kit["channel"], kit["ts"])["text"]
    assert fake.thread(kit["channel"], kit["ts"])  # not yet: Slack asked to wait 40 s
    assert "deleted" not in plan_of(world, interview_id)["text"]  # refused for good
    assert fake.ephemerals(RECRUITER) == []
    with transaction(services.db) as session:
        (waiting,) = session.scalars(select(OutboxMessage)).all()
        assert waiting.due_at > services.clock() + timedelta(seconds=39)

    world.clock.advance(seconds=41)
    perform_side_effects(services)
    for user in (PIA, PEETER):
        head = kit_of(world, user)
        assert "deleted" in head["text"] and fake.thread(head["channel"], head["ts"]) == []
    (told,) = [e["text"] for e in fake.ephemerals(RECRUITER)]
    assert "1 Slack message could not be changed; delete it by hand." in told
    with transaction(services.db) as session:
        (refused,) = session.scalars(select(PostedMessage)).all()
        assert (refused.kind, refused.erase_error) == (PostedKind.PLAN, "cant_update_message")
        assert session.scalars(select(OutboxMessage)).all() == []


def test_a_big_erase_goes_in_rounds_and_tells_once(world: World,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifecycle_publish, "ERASE_BATCH", 2)  # the plan and 3 kits: 2 rounds
    services = world.services
    interview_id = set_up(world)
    reply_to = {"user": {"id": RECRUITER}, "channel": {"id": CHANNEL}}
    lifecycle.delete_candidate_data(services, TEAM, str(interview_id), RECRUITER, reply_to)
    perform_side_effects(services)
    assert "deleted" in plan_of(world, interview_id)["text"]
    assert all("deleted" in kit_of(world, user)["text"] for user in (PIA, PEETER, MARI))
    assert len(world.fake.ephemerals(RECRUITER)) == 1
    assert len(world.fake.calls("chat.update")) == 4


def test_a_message_posted_after_the_delete_is_erased_too(world: World) -> None:
    """A side effect that raced the deletion (a confirmation DM rendered before it, posted
    after): recorded as posted, and erased at once."""
    services = world.services
    interview_id = set_up(world)
    lifecycle.delete_candidate_data(services, TEAM, str(interview_id), LEAD)
    perform_side_effects(services)
    late = services.client.chat_postMessage(channel=PIA, text="Your scorecard for Mari is in")
    store_posted(services, interview_id, PostedKind.CONFIRMATION, late["channel"],
                 ts=late["ts"])
    perform_side_effects(services)
    assert "deleted" in world.fake.message(late["channel"], late["ts"])["text"]


def test_delete_checks_who_and_which(world: World) -> None:
    services = world.services
    interview_id = set_up(world)
    with pytest.raises(InterviewRefused):
        lifecycle.delete_candidate_data(services, TEAM, str(interview_id), PIA)
    with pytest.raises(NotFound):
        lifecycle.delete_candidate_data(services, "T0002", str(interview_id), RECRUITER)
    assert lifecycle.delete_candidate_data(services, TEAM, str(interview_id), LEAD).changed
    # A retried confirmation finds it gone: no error for an organiser, nothing done.
    assert not lifecycle.delete_candidate_data(services, TEAM, str(interview_id), LEAD).changed
    with pytest.raises(NotFound):  # and to anyone else it simply does not exist
        lifecycle.delete_candidate_data(services, TEAM, str(interview_id), PIA)
    with pytest.raises(NotFound):
        lifecycle.prepare(services, TEAM, str(interview_id), LEAD, Action.DELETE)


# --- retention -------------------------------------------------------------------------------


@pytest.mark.settings(DATA_RETENTION_DAYS="30")
def test_retention_deletes_decided_and_cancelled_interviews_older_than_the_period(
        world: World) -> None:
    services = world.services
    old = make_interview(services, candidate_name="Old Decided")
    recent = make_interview(services, candidate_name="Recent Decided")
    cancelled = make_interview(services, candidate_name="Old Cancelled",
                               starts_at=services.clock() - timedelta(days=50),
                               debrief_at=services.clock() - timedelta(days=40))
    open_one = make_interview(services, candidate_name="Still Open",
                              starts_at=services.clock() - timedelta(days=50),
                              debrief_at=services.clock() - timedelta(days=40))
    for interview_id in (old, recent):
        record_decision(services, TEAM, interview_id, LEAD, DecisionOutcome.NO_HIRE, "No.",
                        None)
    with transaction(services.db) as session:
        decided = session.get(Interview, old)
        assert decided is not None
        decided.decided_at = services.clock() - timedelta(days=31)
        gone = session.get(Interview, cancelled)
        assert gone is not None
        gone.status = InterviewStatus.CANCELLED
    assert lifecycle.retention_sweep(services) == [old, cancelled]
    text = all_text(world)
    assert "Old Decided" not in text and "Old Cancelled" not in text
    assert "Recent Decided" in text and "Still Open" in text
    with transaction(services.db) as session:
        event = session.scalars(select(Event).where(Event.interview_id == old)).one()
        assert (event.kind, event.actor_id, event.detail) == ("deleted", None,
                                                              {"reason": "retention"})
    assert lifecycle.retention_sweep(services) == []
    assert open_one


def test_without_a_retention_period_nothing_is_swept(world: World) -> None:
    services = world.services
    interview_id = make_interview(services)
    record_decision(services, TEAM, interview_id, LEAD, DecisionOutcome.HOLD, "Wait.", None)
    assert lifecycle.retention_sweep(services, services.clock() + timedelta(days=3650)) == []


@pytest.mark.settings(DATA_RETENTION_DAYS="7")
def test_the_scheduler_runs_the_retention_sweep_daily(world: World) -> None:
    from bot.scheduler import RETENTION_JOB, ReminderScheduler

    services = world.services
    interview_id = make_interview(services, candidate_name="Long Decided")
    record_decision(services, TEAM, interview_id, LEAD, DecisionOutcome.HIRE, "Yes.", None)
    world.clock.advance(days=8)
    scheduler = ReminderScheduler(services)
    scheduler.start()
    try:
        job = scheduler._scheduler.get_job(RETENTION_JOB)
        assert job is not None and job.trigger.interval == timedelta(days=1)
        world.fake.wait_for(lambda: row(world, interview_id).deleted_at is not None)
    finally:
        scheduler.shutdown()
    assert "Long Decided" not in all_text(world)


def test_no_retention_job_without_a_period(world: World) -> None:
    from bot.scheduler import RETENTION_JOB, ReminderScheduler

    scheduler = ReminderScheduler(world.services)
    scheduler.start()
    try:
        assert scheduler._scheduler.get_job(RETENTION_JOB) is None
    finally:
        scheduler.shutdown()
