"""`interview-bot serve` as production runs it: a real gunicorn master with worker processes,
started as a subprocess against the local Slack fake, answering signed requests.

Several processes share one database: interactions land on any process, migrations run
once, a due reminder is sent once. SIGTERM lets an in-flight request finish. Logs are JSON
lines with the request's id, and never a token."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, update

from bot.app import build_services
from bot.demo.slack_fake import FakeSlack, SlackSimulator
from bot.demo.slack_fake.simulator import FORM, sign
from bot.i18n import translator
from bot.migrate import upgrade
from bot.outbox import effects
from bot.reminders.service import schedule_reminders
from bot.services import Services
from bot.slack.blocks import actions, to_dicts
from bot.slack.buttons import score_candidate_button
from models import Interview, OutboxMessage, ScorecardVersion, transaction
from tests.conftest import (
    BOT_TOKEN,
    CHANNEL,
    MARI,
    PEETER,
    PIA,
    SIGNING_SECRET,
    TEAM,
    make_settings,
    scratch_postgres_database,
)
from tests.factories import add_scorecard, make_interview, shipped_set
from tests.serving import alembic_rows, free_port, get, get_text, sqlite_url

# --- one server, two workers --------------------------------------------------------------


def test_two_workers_answer_signed_requests_with_json_logs_and_request_ids(
        fake: FakeSlack, serving: Any, tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    served = serving(url, workers=2, log_level="DEBUG")
    assert get(f"{served.base}/healthz") == (200, {"status": "ok", "database": "ok"})
    assert alembic_rows(url) == 1  # the master migrated the new database, once

    slack = SlackSimulator(served.url, SIGNING_SECRET, fake, team_id=TEAM)

    def served_by() -> dict[str, int]:
        lines = served.log_lines()
        return {str(line["request_id"]): int(line["pid"]) for line in lines
                if line.get("logger") == "bot.web" and line.get("request_id")}

    # Which worker accepts a connection is the kernel's choice: send concurrent rounds
    # until both have answered (bounded), rather than hoping one round spreads.
    replies = []
    with ThreadPoolExecutor(max_workers=32) as pool:
        for _ in range(8):
            replies += pool.map(lambda _: slack.command(PIA, "help"), range(40))
            sent = len(replies)
            fake.wait_for(lambda n=sent: len(served_by()) >= n)
            if len(set(served_by().values())) == 2:
                break
    assert {r.status for r in replies} == {200}
    assert all("interview-bot help" in r.body for r in replies)
    request_ids = [r.headers["X-Request-Id"] for r in replies]
    assert len(set(request_ids)) == len(replies)

    # A click on an interview that does not exist: the listener answers after the ack,
    # on another thread, through the Web API (logged by slack_sdk at DEBUG).
    told_before = len(fake.ephemerals(PIA))  # the help replies, shown as Slack shows them
    click = slack.send_raw(urlencode({"payload": json.dumps(click_payload(fake, "999"))})
                           .encode(), FORM)
    assert click.status == 200
    fake.wait_for(lambda: len(fake.ephemerals(PIA)) > told_before)

    pids = fake.wait_for(lambda: len(served_by()) >= len(replies) + 1 and served_by())
    assert set(request_ids) <= set(pids)
    assert len(set(pids.values())) == 2, "both workers answered requests"
    lines = served.log_lines()
    access = [line for line in lines if line.get("logger") == "bot.web"]
    assert {line["status"] for line in access} == {200}
    assert all(line["method"] == "POST" and line["path"] == "/slack/events"
               and line["duration_ms"] >= 0 for line in access)
    # The click's Web API call was logged by the listener thread, with the click's id.
    click_id = click.headers["X-Request-Id"]
    assert any(line.get("request_id") == click_id and line["logger"].startswith("slack_sdk")
               for line in lines)
    # gunicorn's own lines are JSON too; no secret in any line.
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    log = served.log_text()
    assert BOT_TOKEN not in log and SIGNING_SECRET not in log


def click_payload(fake: FakeSlack, interview_id: str) -> dict[str, Any]:
    """A "Score candidate" click from a message in the channel, built by hand: the message
    it names does not exist (nor does the interview)."""
    return {
        "type": "block_actions", "team": {"id": TEAM, "domain": "test"},
        "user": {"id": PIA, "name": "pia", "team_id": TEAM}, "api_app_id": fake.app_id,
        "trigger_id": fake.issue_trigger_id(PIA),
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": CHANNEL},
        "channel": {"id": CHANNEL, "name": "hiring"},
        "actions": [{"type": "button", "action_id": "score_candidate", "block_id": "b",
                     "value": interview_id, "action_ts": "1.000002"}],
    }


def test_healthz_is_503_while_the_database_is_unreachable(serving: Any,
                                                          tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    served = serving(f"sqlite:///{folder / 'serve.sqlite3'}")
    assert get(f"{served.base}/healthz")[0] == 200
    # A long write elsewhere holds SQLite's write lock: the probe does not wait for it.
    writer = sqlite3.connect(folder / "serve.sqlite3", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        began = time.monotonic()
        assert get(f"{served.base}/healthz")[0] == 200
        assert time.monotonic() - began < 2
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    folder.rename(tmp_path / "moved")  # the database file is gone from under the app
    try:
        assert get(f"{served.base}/healthz") == (503, {"status": "error",
                                                      "database": "unreachable"})
    finally:
        (tmp_path / "moved").rename(folder)
    assert get(f"{served.base}/healthz")[0] == 200
    assert any(line["message"].startswith("health check: database unreachable")
               for line in served.log_lines())


def test_sigterm_lets_an_in_flight_request_finish(fake: FakeSlack, serving: Any,
                                                  tmp_path: Path) -> None:
    served = serving(sqlite_url(tmp_path))
    body = urlencode({"command": "/interview", "text": "help", "team_id": TEAM,
                      "user_id": PIA, "channel_id": CHANNEL,
                      "trigger_id": fake.issue_trigger_id(PIA)}).encode()
    stamp = str(int(time.time()))
    head = (f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: {FORM}\r\nContent-Length: {len(body)}\r\n"
            f"X-Slack-Request-Timestamp: {stamp}\r\n"
            f"X-Slack-Signature: {sign(SIGNING_SECRET, stamp, body)}\r\n"
            f"Connection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(head + body[:10])  # the worker is now reading this request's body
        time.sleep(0.3)
        served.terminate()
        time.sleep(0.5)  # shutting down: no longer accepting, this request still open
        assert served.process.poll() is None
        sock.sendall(body[10:])
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200")
    assert b"interview-bot help" in reply
    assert served.stop() == 0
    assert any(line["message"] == "Handling signal: term" for line in served.log_lines())


def test_side_effects_a_dead_server_left_are_performed_at_start(
        fake: FakeSlack, serving: Any, tmp_path: Path) -> None:
    """A scorecard was stored and acked, and its server died before confirming it (its
    claim on the outbox row ran out): the next server sends the confirmation, once."""
    url = sqlite_url(tmp_path)
    services = build_services(make_settings(fake, url))
    try:
        upgrade(services.engine)
        interview_id = make_interview(services, panel=(PIA,))
        add_scorecard(services, interview_id, PIA, {"define-customer-service": 4})
        with transaction(services.db) as session:
            effects.scorecard_confirmation(session, services, interview_id, PIA, 1)
        with transaction(services.db) as session:
            session.execute(update(OutboxMessage).values(
                claimed_by="a-dead-process",
                claimed_until=services.clock() - timedelta(seconds=1)))
        served = serving(url, workers=1)
        confirmation = fake.wait_for(lambda: [m for m in fake.dms(PIA)
                                              if "scorecard" in m["text"].lower()])
        assert len(confirmation) == 1

        def rows_left() -> int:
            with transaction(services.db) as session:
                return int(session.scalar(select(func.count()).select_from(OutboxMessage)))

        fake.wait_for(lambda: rows_left() == 0)
    finally:
        services.engine.dispose()
    assert served.stop() == 0
    assert len([m for m in fake.dms(PIA) if "scorecard" in m["text"].lower()]) == 1


def test_run_serves_http_under_gunicorn_with_metrics_on_their_own_port(
        fake: FakeSlack, serving: Any, tmp_path: Path) -> None:
    metrics_port = free_port()
    served = serving(sqlite_url(tmp_path), command="run", METRICS_PORT=str(metrics_port))
    slack = SlackSimulator(served.url, SIGNING_SECRET, fake, team_id=TEAM)
    assert slack.command(PIA, "help").status == 200
    assert any(line["logger"] == "gunicorn.error" for line in served.log_lines())
    status, metrics = get_text(f"http://127.0.0.1:{metrics_port}/metrics")
    assert status == 200
    assert 'interview_bot_requests_total{kind="command:/interview",status="200"} 1.0' in metrics
    assert 'interview_bot_ack_seconds_count{kind="command:/interview"} 1.0' in metrics
    assert 'interview_bot_outbox_rows{status="pending"} 0.0' in metrics
    # Not on the Slack port, and nothing but /metrics on the metrics port.
    assert get_text(f"{served.base}/metrics")[0] == 404
    assert get_text(f"http://127.0.0.1:{metrics_port}/slack/events")[0] == 404
    assert served.stop() == 0


# --- several servers on one database --------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database no server has migrated yet, for several servers at once."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path, "shared.sqlite3")
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    with scratch_postgres_database(base, "serve") as url:
        yield url


def post_buttons(services: Services, interview_id: int) -> str:
    t = translator("en")
    reply = services.client.chat_postMessage(
        channel=CHANNEL, text="Interview plan",
        blocks=to_dicts([actions(score_candidate_button(t, interview_id))]))
    return str(reply["ts"])


def test_two_servers_on_one_database_migrate_once_and_share_the_work(
        fake: FakeSlack, serving: Any, shared_database: str) -> None:
    url = shared_database
    # Both masters start together on an empty database: one migrates, the other waits
    # for it (an advisory lock on PostgreSQL) and finds nothing to do.
    # Rows written by another process are found by the sweep: every second here.
    first = serving(url, workers=2, name="first", wait=False, REMINDER_SWEEP_SECONDS="1")
    second = serving(url, workers=1, name="second", wait=False, REMINDER_SWEEP_SECONDS="1")
    first.wait_healthy()
    second.wait_healthy()
    assert alembic_rows(url) == 1

    services = build_services(make_settings(fake, url))
    try:
        # A reminder due now: three scheduler workers across two servers race for it.
        with transaction(services.db) as session:
            reminded = make_interview(services, panel=(PEETER, MARI),
                                      candidate_name="Reminded")
            schedule_reminders(session, session.get(Interview, reminded), services)
        fake.wait_for(lambda: fake.dms(PEETER) and fake.dms(MARI), timeout=10)

        # A panelist opens the scorecard on one server and submits it to the other;
        # Slack's retry of that submission reaches the first again.
        now = services.clock()
        interview_id = make_interview(services, panel=(PIA,), starts_at=now,
                                      debrief_at=now + timedelta(days=2))
        plan_ts = post_buttons(services, interview_id)
        on_first = SlackSimulator(first.url, SIGNING_SECRET, fake, team_id=TEAM)
        on_second = SlackSimulator(second.url, SIGNING_SECRET, fake, team_id=TEAM)
        assert on_first.click(PIA, "score_candidate", channel=CHANNEL, ts=plan_ts,
                              value=str(interview_id)).status == 200
        view = fake.wait_for(lambda: fake.view_stack(PIA))[-1]
        qs = shipped_set(services)
        values = {**{f"q:{q.id}": "4" for c in qs.categories for q in c.questions},
                  "recommendation": "hire", "takeaways": "Calm, concrete STAR stories."}
        payload_view = fake.view(view["id"])
        assert on_second.submit(PIA, view["id"], values).status == 200
        confirmation = fake.wait_for(lambda: [m for m in fake.dms(PIA)
                                              if "scorecard" in m["text"].lower()])
        retried = resend_submission(on_first, fake, payload_view, values)
        assert retried.status == 200

        time.sleep(1.0)  # long enough for a doubled reminder or confirmation to show
        assert len(fake.dms(PEETER)) == 1 and len(fake.dms(MARI)) == 1
        assert [m for m in fake.dms(PIA) if "scorecard" in m["text"].lower()] == confirmation
        with transaction(services.db) as session:
            versions = session.scalar(select(func.count()).select_from(ScorecardVersion))
        assert versions == 1
    finally:
        services.engine.dispose()
    for served in (first, second):  # stopped together, as an orchestrator would
        served.terminate()
    assert first.stop() == 0 and second.stop() == 0


def resend_submission(slack: SlackSimulator, fake: FakeSlack, view: dict[str, Any],
                      values: dict[str, Any]) -> Any:
    """The same view_submission again, as Slack retries it (X-Slack-Retry-Num: 1)."""
    from bot.demo.slack_fake.simulator import build_state

    submitted = {k: v for k, v in view.items() if k != "user"}
    submitted["state"] = build_state(submitted, values)
    payload = {"type": "view_submission", "team": {"id": TEAM, "domain": "test"},
               "user": {"id": PIA, "name": "pia", "team_id": TEAM},
               "api_app_id": fake.app_id, "trigger_id": fake.issue_trigger_id(PIA),
               "view": submitted, "response_urls": []}
    return slack.send_raw(urlencode({"payload": json.dumps(payload)}).encode(), FORM,
                          retry_num=1)
