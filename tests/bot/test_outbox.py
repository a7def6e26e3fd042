"""The outbox: side effects stored with their change, performed after the ack, retried
when Slack fails, never performed twice at once, and never in the way of an ack."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from slack_sdk import WebClient
from sqlalchemy import select

from bot.i18n import translator
from bot.outbox import effects
from bot.outbox.record import collecting
from bot.plan.publish import post_interview_plan
from bot.services import Services
from bot.slack.blocks import actions, to_dicts
from bot.slack.buttons import score_candidate_button
from models import OutboxMessage, OutboxStatus, transaction
from tests.conftest import CHANNEL, MARI, OUTSIDER, PEETER, PIA, World
from tests.factories import add_scorecard, make_interview, perform_side_effects

QUESTION = "define-customer-service"


def rows(services: Services) -> list[OutboxMessage]:
    with transaction(services.db) as session:
        found = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
        return found


def confirm(services: Services, interview_id: int, user_id: str = PIA) -> None:
    with transaction(services.db) as session:
        effects.scorecard_confirmation(session, services, interview_id, user_id, 1)


def test_rows_commit_with_their_change_or_not_at_all(world: World) -> None:
    services = world.services
    interview_id = make_interview(services, panel=(PIA,))
    try:
        with transaction(services.db) as session:
            effects.refresh_plan(session, services, interview_id)
            raise RuntimeError("the change fails")
    except RuntimeError:
        pass
    assert rows(services) == []
    with collecting() as committed, transaction(services.db) as session:
        effects.refresh_plan(session, services, interview_id)
    assert [row_id for row_id, _ in committed] == [r.id for r in rows(services)]


def test_a_side_effect_slack_fails_is_retried_until_done(world: World) -> None:
    services, fake = world.services, world.fake
    interview_id = make_interview(services, panel=(PIA,))
    add_scorecard(services, interview_id, PIA, {QUESTION: 4})
    confirm(services, interview_id)
    fake.fail_next("chat.postMessage", "internal_error", status=500)
    assert perform_side_effects(services) == 1
    (row,) = rows(services)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.PENDING, 1, "http 500")
    assert fake.dms(PIA) == []
    assert perform_side_effects(services) == 0  # backing off
    # Slack hangs past the client's timeout: a network failure, tried again later too.
    services.side_effects.effects_client = WebClient(
        token=services.client.token, base_url=services.client.base_url, timeout=1,
        retry_handlers=[])
    world.clock.advance(seconds=31)
    hang = fake.hold("chat.postMessage", delay=3)
    assert perform_side_effects(services) == 1
    hang.release(drop=True)
    (row,) = rows(services)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 2)
    assert row.last_error and row.last_error.startswith("network")
    world.clock.advance(minutes=2)
    assert perform_side_effects(services) == 1
    assert rows(services) == []
    assert len([m for m in fake.dms(PIA) if "scorecard" in m["text"].lower()]) == 1


def test_a_permanent_refusal_is_kept_as_failed_and_not_retried(world: World) -> None:
    services, fake = world.services, world.fake
    interview_id = make_interview(services, panel=(PIA,))
    add_scorecard(services, interview_id, PIA, {QUESTION: 4})
    confirm(services, interview_id)
    fake.fail_next("chat.postMessage", "user_disabled", status=200)
    assert perform_side_effects(services) == 1
    (row,) = rows(services)
    assert (row.status, row.last_error) == (OutboxStatus.FAILED, "user_disabled")
    world.clock.advance(hours=1)
    assert perform_side_effects(services) == 0
    assert fake.dms(PIA) == []


def test_a_row_a_dead_process_claimed_is_taken_over_when_its_lease_ends(world: World) -> None:
    services, fake = world.services, world.fake
    interview_id = make_interview(services, panel=(PIA,))
    add_scorecard(services, interview_id, PIA, {QUESTION: 4})
    confirm(services, interview_id)
    with transaction(services.db) as session:
        row = session.scalars(select(OutboxMessage)).one()
        row.claimed_by, row.claimed_until = "dead", services.clock() + timedelta(minutes=2)
    assert perform_side_effects(services) == 0
    world.clock.advance(minutes=2, seconds=1)
    assert perform_side_effects(services) == 1
    assert len(fake.dms(PIA)) == 1


def test_rows_saying_the_same_thing_are_performed_once(world: World) -> None:
    services, fake = world.services, world.fake
    interview_id = make_interview(services, panel=(PIA, PEETER, MARI))
    post_interview_plan(services, interview_id)
    for _ in range(3):
        with transaction(services.db) as session:
            effects.refresh_plan(session, services, interview_id)
    assert perform_side_effects(services) == 1
    assert len(fake.calls("chat.update")) == 1
    assert rows(services) == []


def test_a_burst_of_clicks_is_acked_while_slow_side_effects_hold_the_outbox(
        world: World) -> None:
    """Every outbox thread waits on a Slack that does not answer; clicks still get their
    ack, and their own answers, at once."""
    services, fake, slack = world.services, world.fake, world.slack
    panel = (PIA, PEETER, MARI)
    interview_id = make_interview(services, panel=panel)
    plan = services.client.chat_postMessage(
        channel=CHANNEL, text="Interview plan",
        blocks=to_dicts([actions(score_candidate_button(translator("en"), interview_id))]))
    add_scorecard(services, interview_id, PIA, {QUESTION: 4})
    slow = fake.hold("chat.postMessage", lambda p: p.get("channel") in panel, delay=30)
    try:
        for _ in range(services.side_effects.threads + 1):  # more than it has threads
            with collecting() as committed:
                confirm(services, interview_id)
            services.side_effects.perform_soon(committed)
        assert slow.arrived.wait(5)
        with ThreadPoolExecutor(max_workers=30) as pool:
            replies = list(pool.map(
                lambda _: slack.click(OUTSIDER, "score_candidate", channel=CHANNEL,
                                      ts=plan["ts"], value=str(interview_id)), range(30)))
        assert [r.status for r in replies] == [200] * 30  # Bolt gives up with 404 at 3 s
        # Each click's answer (not on the panel) went out beside the stuck side effects.
        fake.wait_for(lambda: len(fake.ephemerals(OUTSIDER)) == 30)
        assert fake.dms(PIA) == []  # the side effects are still stuck
    finally:
        slow.release(drop=True)
