"""Reminders as plain functions that take `now`: the schedule, what is skipped, claiming
once, retries and failures, reschedule and cancel. The real scheduler is in
test_scheduler.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import Connection, event, select, update

from bot.app import build_services
from bot.core.backoff import BACKOFF_BASE, backoff
from bot.demo.slack_fake import FakeSlack
from bot.interviews import cancel_reminders
from bot.reminders.publish import process_due
from bot.reminders.service import (
    CLAIM_LEASE,
    MAX_DAILY_REMINDERS,
    ReminderTimes,
    claim_due,
    next_due_at,
    nudge_times,
    pending_kinds,
    plan_reminders,
    schedule_reminders,
)
from bot.services import Services
from models import Interview, InterviewStatus, Reminder, ReminderStatus, transaction
from models.session import READ_ONLY
from tests.conftest import (
    CHANNEL,
    LEAD,
    MARI,
    PEETER,
    PIA,
    RECRUITER,
    Clock,
    World,
    make_settings,
)
from tests.factories import add_scorecard, make_interview, perform_side_effects

DEFAULTS = ReminderTimes()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- the schedule ---------------------------------------------------------------------

# Interview ends Friday 6 March 2026 15:00 UTC; debrief Tuesday 10 March 13:00 UTC, so the
# last nudge is at 11:00 UTC. New York moves to summer time on Sunday 8 March.
ENDS = utc(2026, 3, 6, 15)
DEBRIEF = utc(2026, 3, 10, 13)


def test_daily_nudges_come_at_nine_in_each_panelists_own_time_zone() -> None:
    assert nudge_times(ENDS, DEBRIEF, "Europe/Tallinn", DEFAULTS) == [
        ("first", utc(2026, 3, 6, 16)),  # 18:00 in Tallinn, Friday
        ("daily:2026-03-07", utc(2026, 3, 7, 7)),
        ("daily:2026-03-08", utc(2026, 3, 8, 7)),
        ("daily:2026-03-09", utc(2026, 3, 9, 7)),
        ("last", utc(2026, 3, 10, 11)),  # Tuesday: the last is that day's nudge
    ]
    assert nudge_times(ENDS, DEBRIEF, "America/New_York", DEFAULTS) == [
        ("first", utc(2026, 3, 6, 16)),
        ("daily:2026-03-07", utc(2026, 3, 7, 14)),  # 09:00 EST
        ("daily:2026-03-08", utc(2026, 3, 8, 13)),  # 09:00 EDT, after the clocks moved
        ("daily:2026-03-09", utc(2026, 3, 9, 13)),
        ("last", utc(2026, 3, 10, 11)),
    ]
    # In Tokyo the first nudge lands at 01:00 on Saturday: the dailies start on Sunday.
    assert nudge_times(ENDS, DEBRIEF, "Asia/Tokyo", DEFAULTS) == [
        ("first", utc(2026, 3, 6, 16)),
        ("daily:2026-03-08", utc(2026, 3, 8, 0)),
        ("daily:2026-03-09", utc(2026, 3, 9, 0)),
        ("last", utc(2026, 3, 10, 11)),
    ]
    assert [k for k, _ in nudge_times(ENDS, DEBRIEF, "UTC", DEFAULTS)] == [
        "first", "daily:2026-03-07", "daily:2026-03-08", "daily:2026-03-09", "last"]


def test_the_offsets_come_from_the_settings() -> None:
    times = ReminderTimes(first_after=timedelta(minutes=15), daily_at=time(14, 30),
                          before_debrief=timedelta(hours=24))
    assert nudge_times(ENDS, DEBRIEF, "Europe/Tallinn", times) == [
        ("first", utc(2026, 3, 6, 15, 15)),
        ("daily:2026-03-07", utc(2026, 3, 7, 12, 30)),
        ("daily:2026-03-08", utc(2026, 3, 8, 12, 30)),
        ("last", utc(2026, 3, 9, 13)),  # Monday 15:00 in Tallinn: Monday's nudge
    ]


@pytest.mark.parametrize("first_after,before,debrief_after", [
    (0, 120, timedelta(hours=1)),  # debrief an hour after: the "last" would be before it ends
    (60, 0, timedelta(days=2)),  # 0 minutes before: no separate last nudge
    (60, 120, timedelta(minutes=30)),  # the first would come after the debrief
    (60, 60 * 24 * 30, timedelta(days=3)),  # "last" a month before a debrief in 3 days
    (0, 0, timedelta(0)),
])
def test_never_a_nudge_before_the_interview_ends_or_after_the_debrief(
    first_after: int, before: int, debrief_after: timedelta
) -> None:
    times = ReminderTimes(first_after=timedelta(minutes=first_after),
                          before_debrief=timedelta(minutes=before))
    for tz in ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Tallinn"):
        plan = nudge_times(ENDS, ENDS + debrief_after, tz, times)
        assert all(ENDS <= due < ENDS + debrief_after for _, due in plan), (tz, plan)
        assert [due for _, due in plan] == sorted(due for _, due in plan)
        assert [k for k, _ in plan].count("last") <= 1


def test_daily_nudges_are_bounded() -> None:
    plan = nudge_times(ENDS, ENDS + timedelta(days=60), "UTC", DEFAULTS)
    kinds = [k for k, _ in plan]
    assert sum(k.startswith("daily:") for k in kinds) == MAX_DAILY_REMINDERS
    assert kinds[0] == "first" and kinds[-1] == "last"


def test_the_plan_adds_the_leads_note_and_the_debrief() -> None:
    plan = plan_reminders(ends_at=ENDS, debrief_at=DEBRIEF, channel_id=CHANNEL,
                          hiring_lead_id=LEAD, panel_tz=[(PIA, "Europe/Tallinn")],
                          times=DEFAULTS)
    rows = {(p.kind, p.recipient_id): p.due_at for p in plan}
    assert rows[("lead_missing", LEAD)] == rows[("last", PIA)] == utc(2026, 3, 10, 11)
    assert rows[("debrief", CHANNEL)] == rows[("debrief_lead", LEAD)] == DEBRIEF


def test_backoff_doubles_and_respects_retry_after() -> None:
    assert backoff(1) == BACKOFF_BASE
    assert backoff(2) == BACKOFF_BASE * 2
    assert backoff(50) == timedelta(minutes=30)
    assert backoff(1, retry_after=120) == timedelta(seconds=120)


# --- rows in the database -------------------------------------------------------------


@pytest.fixture
def world(fake: FakeSlack, database_url: str) -> Iterator[World]:
    """The services against the fake, without the app's HTTP server: these tests call the
    reminder functions directly (and skip its half-second shutdown)."""
    services = build_services(make_settings(fake, database_url))
    clock = Clock()
    services.clock = clock
    try:
        yield World(fake=fake, slack=None, services=services, clock=clock,  # type: ignore[arg-type]
                    url="")
    finally:
        services.engine.dispose()


def schedule(services: Services, interview_id: int) -> None:
    with transaction(services.db) as session:
        schedule_reminders(session, session.get(Interview, interview_id), services)


def rows(services: Services, interview_id: int) -> dict[tuple[str, str], Reminder]:
    with transaction(services.db) as session:
        found = session.scalars(select(Reminder).where(Reminder.interview_id == interview_id))
        return {(r.kind, r.recipient_id): r for r in found}


def interview_times(services: Services, interview_id: int) -> Interview:
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        return interview


def buttons(message: dict) -> list[tuple[str, str]]:
    return [(e["action_id"], e.get("value")) for b in message["blocks"] if b["type"] == "actions"
            for e in b["elements"]]


def test_schedule_writes_rows_for_each_panelist_in_their_time_zone(world: World) -> None:
    services = world.services
    interview_id = make_interview(services)  # ended an hour ago, debrief in 22 hours
    schedule(services, interview_id)
    interview = interview_times(services, interview_id)
    found = rows(services, interview_id)
    first = interview.ends_at + timedelta(minutes=60)
    for user in (PIA, PEETER, MARI):
        assert found[("first", user)].due_at == first
        assert found[("last", user)].due_at == interview.debrief_at - timedelta(hours=2)
    for (kind, user), row in found.items():
        if kind.startswith("daily:"):  # 09:00 on the panelist's own clock
            local = row.due_at.astimezone(ZoneInfo(services.users.tz(user)))
            assert (local.time(), local.date().isoformat()) == (time(9), kind[6:])
    assert found[("debrief", CHANNEL)].due_at == interview.debrief_at
    assert all(r.status == ReminderStatus.PENDING for r in found.values())


def test_a_due_nudge_is_sent_once_with_the_score_button(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA, PEETER))
    add_scorecard(services, interview_id, PEETER, {})
    schedule(services, interview_id)
    now = services.clock() + timedelta(seconds=1)

    outcomes = process_due(services, now, "worker-a")
    assert [(o.kind, o.recipient_id, o.status) for o in outcomes] == [("first", PIA, "sent")]
    [dm] = world.fake.dms(PIA)
    assert ("score_candidate", str(interview_id)) in buttons(dm)
    assert "Mari Maasikas" in dm["text"]
    assert world.fake.dms(PEETER) == []  # their scorecard is in: no row was even planned

    assert process_due(services, now, "worker-a") == []
    assert process_due(services, now + timedelta(minutes=10), "worker-b") == []
    assert len(world.fake.dms(PIA)) == 1
    row = rows(services, interview_id)[("first", PIA)]
    assert (row.status, row.attempts, row.sent_at) == (ReminderStatus.SENT, 1, now)


def test_nothing_is_sent_for_a_scorecard_that_came_in_meanwhile(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA,))
    schedule(services, interview_id)
    add_scorecard(services, interview_id, PIA, {})
    outcomes = process_due(services, services.clock() + timedelta(seconds=1), "w")
    assert [(o.kind, o.status, o.detail) for o in outcomes] == [
        ("first", "skipped", "scorecard in")]
    assert world.fake.dms(PIA) == []


@pytest.mark.parametrize("status", [InterviewStatus.CANCELLED, InterviewStatus.DECIDED])
def test_nobody_is_reminded_about_a_cancelled_or_decided_interview(
    world: World, status: InterviewStatus
) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA,))
    schedule(services, interview_id)
    with transaction(services.db) as session:
        session.get(Interview, interview_id).status = status
    # Even the debrief (a day later) is skipped.
    outcomes = process_due(services, services.clock() + timedelta(days=2), "w")
    assert {o.status for o in outcomes} == {"skipped"}
    assert world.fake.dms(PIA) == [] and world.fake.dms(LEAD) == []
    assert world.fake.calls("chat.postMessage") == []


def test_after_downtime_only_the_debrief_goes_out_once_it_has_started(world: World) -> None:
    services = world.services
    posted = services.client.chat_postMessage(channel=CHANNEL, text="Interview plan")
    interview_id = make_interview(services, panel=(PIA, PEETER), plan_ts=posted["ts"])
    schedule(services, interview_id)
    add_scorecard(services, interview_id, PEETER, {})

    # The bot was down from before the first nudge until after the debrief started.
    interview = interview_times(services, interview_id)
    outcomes = process_due(services, interview.debrief_at + timedelta(hours=3), "w")
    by_kind = {(o.kind, o.recipient_id): o.status for o in outcomes}
    assert by_kind[("first", PIA)] == "skipped"
    assert by_kind[("last", PIA)] == "skipped"
    assert by_kind[("lead_missing", LEAD)] == "skipped"
    assert by_kind[("debrief", CHANNEL)] == "sent"
    assert by_kind[("debrief_lead", LEAD)] == "sent"
    assert world.fake.dms(PIA) == []
    assert world.fake.thread(CHANNEL, posted["ts"]), "the debrief goes into the plan's thread"
    [note] = world.fake.dms(LEAD)
    assert f"<@{PIA}>" in str(note["blocks"]) and f"<@{PEETER}>" not in str(note["blocks"])


def test_after_downtime_a_panelist_gets_one_nudge_not_a_pile(world: World) -> None:
    services = world.services
    start = services.clock() - timedelta(hours=2)
    interview_id = make_interview(services, panel=(PIA,), starts_at=start,
                                  debrief_at=start + timedelta(days=5))
    schedule(services, interview_id)
    # Down for three days: first and two dailies are due; only the latest goes out.
    outcomes = process_due(services, start + timedelta(days=3, hours=12), "w")
    sent = [o.kind for o in outcomes if o.status == "sent"]
    assert len(sent) == 1 and sent[0].startswith("daily:")
    assert len(world.fake.dms(PIA)) == 1


def test_the_last_nudge_and_the_leads_note(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA, PEETER))
    schedule(services, interview_id)
    interview = interview_times(services, interview_id)
    process_due(services, interview.ends_at + timedelta(minutes=61), "w")
    add_scorecard(services, interview_id, PEETER, {})
    outcomes = process_due(services, interview.debrief_at - timedelta(minutes=119), "w")
    assert {(o.kind, o.recipient_id, o.status) for o in outcomes} >= {
        ("last", PIA, "sent"), ("last", PEETER, "skipped"), ("lead_missing", LEAD, "sent")}
    last = world.fake.dms(PIA)[-1]
    assert last["text"].startswith("Last reminder")
    assert ("score_candidate", str(interview_id)) in buttons(last)
    [note] = world.fake.dms(LEAD)
    assert f"<@{PIA}>" in str(note["blocks"]) and f"<@{PEETER}>" not in str(note["blocks"])


def test_a_sweep_commits_once_a_reminder_and_publishes_each_app_home_once(
        world: World) -> None:
    """Three interviews of one recruiter, lead and panel reach their debrief together: the
    nudges are skipped in the one transaction that reads the batch, each sent reminder
    records its outcome in one commit (a debrief also claims and stores its summary), and
    the organisers' App Homes, which show the debrief's status and which each debrief asks
    for, are published once each; the panel's show nothing that changed."""
    services = world.services
    start = services.clock() - timedelta(hours=2)
    interview_ids = [make_interview(services, starts_at=start) for _ in range(3)]
    for interview_id in interview_ids:
        schedule(services, interview_id)
    now = interview_times(services, interview_ids[0]).debrief_at + timedelta(minutes=1)
    commits: list[object] = []

    def count(connection: Connection) -> None:  # transactions that may write
        if not connection.get_execution_options().get(READ_ONLY):
            commits.append(connection)
    event.listen(services.engine, "commit", count)
    try:
        outcomes = process_due(services, now, "w")
    finally:
        event.remove(services.engine, "commit", count)
    sent = [o.kind for o in outcomes if o.status == "sent"]
    assert sorted(sent) == ["debrief"] * 3 + ["debrief_lead"] * 3
    assert {o.status for o in outcomes if o.kind not in sent} == {"skipped"}
    assert len(commits) <= 2 + len(sent) + 2 * sent.count("debrief")
    before = len(world.fake.calls("views.publish"))
    perform_side_effects(services)
    published = [c["params"]["user_id"] for c in world.fake.calls("views.publish")[before:]]
    assert sorted(published) == sorted([LEAD, RECRUITER])


def test_times_in_messages_are_shown_in_each_readers_time_zone(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA,))
    schedule(services, interview_id)
    process_due(services, services.clock() + timedelta(seconds=1), "w")
    [dm] = world.fake.dms(PIA)
    debrief_at = interview_times(services, interview_id).debrief_at
    assert f"<!date^{int(debrief_at.timestamp())}^" in str(dm["blocks"])


# --- claiming -------------------------------------------------------------------------


def test_a_row_is_claimed_once_until_its_lease_expires(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI))
    schedule(services, interview_id)
    now = services.clock() + timedelta(seconds=1)
    with transaction(services.db) as session:
        first = claim_due(session, now, "worker-a", limit=2)
    with transaction(services.db) as session:
        second = claim_due(session, now, "worker-b", limit=10)
    with transaction(services.db) as session:
        third = claim_due(session, now, "worker-c", limit=10)
    assert len(first) == 2 and len(second) == 1 and third == []
    assert not set(first) & set(second)

    # worker-a died holding its claims: after the lease, another process takes them over.
    later = now + CLAIM_LEASE + timedelta(seconds=1)
    with transaction(services.db) as session:
        assert sorted(claim_due(session, later, "worker-c", limit=10)) == sorted(
            first + second)
    outcomes = process_due(services, later, "worker-a")
    assert outcomes == []  # nothing due left that is not claimed
    with transaction(services.db) as session:
        assert {r.claimed_by for r in session.scalars(
            select(Reminder).where(Reminder.kind == "first"))} == {"worker-c"}


def test_a_worker_that_lost_its_claim_records_nothing(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA,))
    schedule(services, interview_id)
    now = services.clock() + timedelta(seconds=1)
    with transaction(services.db) as session:
        [reminder_id] = claim_due(session, now, "worker-a", limit=1)
        session.execute(update(Reminder).where(Reminder.id == reminder_id)
                        .values(claimed_by="worker-b"))
    from bot.reminders.publish import process_one

    assert process_one(services, reminder_id, now, "worker-a").status == "lost"
    assert world.fake.dms(PIA) == []


def test_next_due_at_follows_leases_and_backoff(world: World) -> None:
    services = world.services
    with transaction(services.db) as session:
        assert next_due_at(session) is None
    interview_id = make_interview(services, panel=(PIA,))
    schedule(services, interview_id)
    interview = interview_times(services, interview_id)
    first_due = interview.ends_at + timedelta(minutes=60)
    with transaction(services.db) as session:
        assert next_due_at(session) == first_due
        claim_due(session, first_due, "w", limit=1)
    with transaction(services.db) as session:
        assert next_due_at(session) == first_due + CLAIM_LEASE


# --- failures -------------------------------------------------------------------------


def test_a_rate_limited_send_is_retried_later_with_backoff(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA,))
    schedule(services, interview_id)
    now = services.clock() + timedelta(seconds=1)
    world.fake.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=5)

    [outcome] = process_due(services, now, "w")
    assert (outcome.status, outcome.detail) == ("retry", "ratelimited")
    row = rows(services, interview_id)[("first", PIA)]
    assert (row.status, row.attempts, row.last_error) == (
        ReminderStatus.PENDING, 1, "ratelimited")
    assert row.claimed_until == now + backoff(1, retry_after=5)
    assert world.fake.dms(PIA) == []

    assert process_due(services, now + timedelta(seconds=5), "w") == []  # still backing off
    world.fake.fail_next("chat.postMessage", "internal_error", status=503)
    [outcome] = process_due(services, row.claimed_until + timedelta(seconds=1), "w")
    assert (outcome.status, outcome.detail) == ("retry", "http 503")
    row = rows(services, interview_id)[("first", PIA)]
    assert row.attempts == 2 and row.claimed_until is not None

    [outcome] = process_due(services, row.claimed_until + timedelta(seconds=1), "w")
    assert outcome.status == "sent"
    assert len(world.fake.dms(PIA)) == 1
    row = rows(services, interview_id)[("first", PIA)]
    assert (row.status, row.attempts, row.last_error) == (ReminderStatus.SENT, 3, None)


def test_a_network_error_is_retried(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA,))
    schedule(services, interview_id)
    now = services.clock() + timedelta(seconds=1)
    # Nothing listens on port 9: the connection is refused.
    unreachable = replace(services, client=WebClient(token="xoxb-test-token",
                                                     base_url="http://127.0.0.1:9/api/"))
    [outcome] = process_due(unreachable, now, "w")
    assert outcome.status == "retry" and outcome.detail.startswith("network")
    row = rows(services, interview_id)[("first", PIA)]
    assert (row.status, row.attempts) == (ReminderStatus.PENDING, 1)
    [outcome] = process_due(services, row.claimed_until + timedelta(seconds=1), "w")
    assert outcome.status == "sent"


def test_a_deactivated_user_fails_for_good_and_is_not_retried(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA, "UGONE"))
    schedule(services, interview_id)
    now = services.clock() + timedelta(seconds=1)
    outcomes = {o.recipient_id: o for o in process_due(services, now, "w")}
    assert outcomes["UGONE"].status == "failed"
    assert outcomes[PIA].status == "sent"
    row = rows(services, interview_id)[("first", "UGONE")]
    assert (row.status, row.last_error, row.attempts) == (
        ReminderStatus.FAILED, "user_disabled", 1)
    assert process_due(services, now + timedelta(hours=1), "w") == []


# --- reschedule and cancel ------------------------------------------------------------


def test_rescheduling_moves_pending_rows_and_never_resends(world: World) -> None:
    services = world.services
    # At 10:00 UTC (noon in Tallinn): late in the evening, the first nudge would fall on the
    # next local day and leave one daily nudge fewer before the last.
    now = services.clock()
    world.clock.offset += (now.replace(hour=10, minute=0) + timedelta(days=1)) - now
    interview_id = make_interview(services, panel=(PIA,))
    schedule(services, interview_id)
    now = services.clock() + timedelta(seconds=1)
    process_due(services, now, "w")  # the first nudge is out

    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        interview.debrief_at += timedelta(days=2)
        schedule_reminders(session, interview, services)
        debrief_at = interview.debrief_at
    found = rows(services, interview_id)
    assert found[("first", PIA)].status == ReminderStatus.SENT
    assert found[("last", PIA)].due_at == debrief_at - timedelta(hours=2)
    assert found[("debrief", CHANNEL)].due_at == debrief_at
    assert sum(k.startswith("daily:") for k, _ in found) >= 2
    assert process_due(services, now, "w") == []
    assert len(world.fake.dms(PIA)) == 1

    # Moved earlier: the days that no longer fit are gone.
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        interview.debrief_at -= timedelta(days=2)
        schedule_reminders(session, interview, services)
    kinds = [k for k, _, _ in pending_kinds_of(services, interview_id)]
    assert not any(k.startswith("daily:") for k in kinds)


def pending_kinds_of(services: Services, interview_id: int) -> list:
    with transaction(services.db) as session:
        return pending_kinds(session, interview_id)


def test_cancelling_removes_pending_reminders(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA,))
    schedule(services, interview_id)
    process_due(services, services.clock() + timedelta(seconds=1), "w")
    with transaction(services.db) as session:
        cancel_reminders(session, interview_id)
    assert pending_kinds_of(services, interview_id) == []
    assert [k for k, _ in rows(services, interview_id)] == ["first"]  # history stays
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        interview.status = InterviewStatus.CANCELLED
        schedule_reminders(session, interview, services)  # cancelled: nothing comes back
    assert pending_kinds_of(services, interview_id) == []

