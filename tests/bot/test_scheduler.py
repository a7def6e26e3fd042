"""The real APScheduler for short real intervals against the Slack fake: the alarm wakes the
process at the due time, the sweep finds rows nobody announced, and a restart loses
nothing and sends nothing twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.app import build_services
from bot.demo.slack_fake import FakeSlack
from bot.reminders.service import schedule_reminders
from bot.scheduler import ReminderScheduler, start_scheduler
from bot.services import Services
from models import Interview, transaction
from tests.conftest import CHANNEL, LEAD, PIA, Clock, World, make_settings
from tests.factories import make_interview


@pytest.fixture
def world(fake: FakeSlack, database_url: str, request: pytest.FixtureRequest) -> Iterator[World]:
    """The app's services and background scheduler against the fake; no Slack requests come
    in here, so the app's HTTP server is left out (it takes half a second to stop)."""
    marker = request.node.get_closest_marker("settings")
    services = build_services(make_settings(fake, database_url,
                                            **(marker.kwargs if marker else {})))
    clock = Clock()
    services.clock = clock
    try:
        yield World(fake=fake, slack=None, services=services, clock=clock,  # type: ignore[arg-type]
                    url="")
    finally:
        services.engine.dispose()


def schedule(services: Services, interview_id: int, *, announce: bool = True) -> None:
    with transaction(services.db) as session:
        schedule_reminders(session, session.get(Interview, interview_id), services)
    if announce:
        services.reminders_changed()


@pytest.fixture
def scheduler(world: World) -> Iterator[ReminderScheduler]:
    scheduler = ReminderScheduler(world.services)
    scheduler.start()
    yield scheduler
    scheduler.shutdown()


@pytest.mark.settings(REMINDER_SWEEP_SECONDS="3600")  # only the alarm can be in time
def test_the_alarm_posts_a_debrief_a_second_away_once(
    world: World, scheduler: ReminderScheduler
) -> None:
    services, fake = world.services, world.fake
    plan = services.client.chat_postMessage(channel=CHANNEL, text="Interview plan")
    now = services.clock()
    interview_id = make_interview(services, panel=(PIA,), plan_ts=plan["ts"],
                                  starts_at=now - timedelta(hours=2),
                                  debrief_at=now + timedelta(seconds=1))
    schedule(services, interview_id)
    # The first nudge was due at once; the debrief follows a second later.
    fake.wait_for(lambda: fake.dms(PIA), timeout=3)
    fake.wait_for(lambda: fake.thread(CHANNEL, plan["ts"]), timeout=4)
    fake.wait_for(lambda: fake.dms(LEAD), timeout=3)

    scheduler.run_due()  # one more pass, as a sweep would do: nothing new goes out
    assert len(fake.dms(PIA)) == 1
    assert len(fake.thread(CHANNEL, plan["ts"])) == 1
    assert len(fake.dms(LEAD)) == 1
    assert f"<@{PIA}>" in str(fake.dms(LEAD)[0]["blocks"])


@pytest.mark.settings(REMINDER_SWEEP_SECONDS="1")
def test_the_sweep_finds_rows_written_by_another_process(
    world: World, scheduler: ReminderScheduler
) -> None:
    services, fake = world.services, world.fake
    interview_id = make_interview(services, panel=(PIA,))
    schedule(services, interview_id, announce=False)  # as if written elsewhere: no alarm
    fake.wait_for(lambda: fake.dms(PIA), timeout=3)
    scheduler.run_due()
    assert len(fake.dms(PIA)) == 1


@pytest.mark.settings(REMINDER_SWEEP_SECONDS="3600")
def test_the_alarm_follows_the_next_due_row(world: World, scheduler: ReminderScheduler) -> None:
    services = world.services
    # At start it runs once (whatever fell due while down), then has nothing to wait for.
    world.fake.wait_for(lambda: scheduler.next_alarm() is None, timeout=3)
    start = services.clock() + timedelta(days=1)
    interview_id = make_interview(services, panel=(PIA,), starts_at=start)
    schedule(services, interview_id)
    alarm = scheduler.next_alarm()
    first_due = start + timedelta(hours=2)  # an hour long, then an hour's wait
    assert alarm is not None and abs(alarm - first_due) < timedelta(seconds=5)

    # Rescheduled to an hour earlier: the alarm moves with it.
    with transaction(services.db) as session:
        interview = session.get(Interview, interview_id)
        interview.starts_at -= timedelta(hours=1)
        interview.ends_at -= timedelta(hours=1)
        schedule_reminders(session, interview, services)
    services.reminders_changed()
    moved = scheduler.next_alarm()
    assert moved is not None and abs(moved - (alarm - timedelta(hours=1))) < timedelta(seconds=5)


@pytest.mark.settings(REMINDER_SWEEP_SECONDS="3600")
def test_a_reminder_due_while_the_app_was_down_is_sent_once_when_it_is_back(
    world: World,
) -> None:
    services, fake, clock = world.services, world.fake, world.clock
    scheduler = start_scheduler(services)
    start = services.clock() + timedelta(minutes=10)
    interview_id = make_interview(services, panel=(PIA,), starts_at=start)
    schedule(services, interview_id)
    scheduler.shutdown()
    assert services.on_reminders_changed == []

    clock.advance(hours=3)  # the app was down while the first nudge fell due
    scheduler = start_scheduler(services)
    try:
        fake.wait_for(lambda: fake.dms(PIA), timeout=3)
        services.reminders_changed()  # wakes the alarm again: still one DM
    finally:
        scheduler.shutdown()
    assert len(fake.dms(PIA)) == 1
    assert len(fake.calls("chat.postMessage")) == 1
