"""`interview-bot serve` as production runs it: a real gunicorn master with worker processes,
started as a subprocess against the local Slack fake, answering signed requests.

Several processes share one database: interactions land on any process, migrations run
once, a due reminder is sent once. SIGTERM lets an in-flight request finish. Logs are JSON
lines with the request's id, and never a token."""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, text

from bot.app import build_services
from bot.blocks.base import actions, to_dicts
from bot.blocks.buttons import score_candidate_button
from bot.i18n import translator
from bot.jobs import scorecard_submitted_payload
from bot.migrate import upgrade
from bot.reminders import schedule_reminders
from bot.scorecards import Answers
from bot.serve import GC_YOUNG_THRESHOLD, steady_gc
from bot.services import Services
from bot.slack_fake import FakeSlack, SlackSimulator
from bot.slack_fake.simulator import FORM, sign
from models import DeferredJob, Interview, ScorecardVersion, create_db_engine, transaction
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
from tests.factories import make_interview, shipped_set

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with _NO_PROXY.open(url, timeout=5) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@dataclass
class Served:
    """A running `interview-bot serve`."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    terminated: bool = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/slack/events"

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited early:\n{self.log_text()}"
            try:
                if get(f"{self.base}/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"serve did not become healthy:\n{self.log_text()}")

    def terminate(self) -> None:
        """SIGTERM, once, as an orchestrator sends it."""
        if not self.terminated and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.terminated = True

    def stop(self) -> int:
        self.terminate()
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_lines(self) -> list[dict[str, Any]]:
        """Every line of output, each of which must be a JSON object."""
        lines = []
        for raw in self.log_text().splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                raise AssertionError(f"not a JSON log line: {raw!r}") from None
        return lines


def spawn(fake: FakeSlack, database_url: str, log_path: Path, *, workers: int,
          log_level: str = "INFO", **settings: str) -> Served:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ")}
    env.update({
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "LOG_LEVEL": log_level,
        "NO_PROXY": "127.0.0.1,localhost",
        **settings,
    })
    log_file = log_path.open("wb")
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=ROOT, env=env,
                               stdout=log_file, stderr=subprocess.STDOUT)
    log_file.close()  # the child has its own descriptor
    return Served(process, port, log_path)


@pytest.fixture
def serving(fake: FakeSlack, tmp_path: Path) -> Iterator[Any]:
    """Start servers; every one still running is stopped when the test ends."""
    started: list[Served] = []

    def start(database_url: str, *, workers: int = 1, name: str = "serve",
              log_level: str = "INFO", wait: bool = True, **settings: str) -> Served:
        served = spawn(fake, database_url, tmp_path / f"{name}.log", workers=workers,
                       log_level=log_level, **settings)
        started.append(served)
        if wait:
            served.wait_healthy()
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            served.stop()


def sqlite_url(tmp_path: Path, name: str = "serve.sqlite3") -> str:
    return f"sqlite:///{tmp_path / name}"


def alembic_rows(database_url: str) -> int:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM alembic_version"))
                       .scalar_one())
    finally:
        engine.dispose()


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
    click = slack.send_raw(urlencode({"payload": json.dumps(click_payload(fake, "999"))})
                           .encode(), FORM)
    assert click.status == 200
    fake.wait_for(lambda: fake.ephemerals(PIA))

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


def test_work_acked_before_a_crash_is_done_by_the_background_process_at_start(
        fake: FakeSlack, serving: Any, tmp_path: Path) -> None:
    """A submission was acked and written down, and then its server died mid-job (its
    claim ran out): the next server's background process stores and confirms it."""
    url = sqlite_url(tmp_path)
    services = build_services(make_settings(fake, url))
    try:
        upgrade(services.engine)
        interview_id = make_interview(services, panel=(PIA,))
        qs = shipped_set(services)
        answers = Answers(ratings={q.id: "4" for c in qs.categories for q in c.questions},
                          recommendation="hire", takeaways="Calm, concrete STAR stories.")
        with transaction(services.db) as session:
            session.add(DeferredJob(
                kind="scorecard_submitted", claimed_by="a-dead-process",
                claimed_until=services.clock() - timedelta(minutes=1),
                payload=scorecard_submitted_payload(TEAM, interview_id, PIA, answers,
                                                    "V-before-the-crash", None)))
        served = serving(url, workers=1)
        confirmation = fake.wait_for(lambda: [m for m in fake.dms(PIA)
                                              if "scorecard" in m["text"].lower()])
        assert len(confirmation) == 1

        def jobs_left() -> int:
            with transaction(services.db) as session:
                return int(session.scalar(select(func.count()).select_from(DeferredJob)))

        fake.wait_for(lambda: jobs_left() == 0)
        with transaction(services.db) as session:
            assert session.scalar(select(func.count()).select_from(ScorecardVersion)) == 1
    finally:
        services.engine.dispose()
    assert served.stop() == 0
    messages = [line["message"] for line in served.log_lines()]
    assert any(m.startswith("Background jobs process started") for m in messages)
    assert "Background jobs process stopped: every job is done" in messages


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
    from bot.slack_fake.simulator import build_state

    submitted = {k: v for k, v in view.items() if k != "user"}
    submitted["state"] = build_state(submitted, values)
    payload = {"type": "view_submission", "team": {"id": TEAM, "domain": "test"},
               "user": {"id": PIA, "name": "pia", "team_id": TEAM},
               "api_app_id": fake.app_id, "trigger_id": fake.issue_trigger_id(PIA),
               "view": submitted, "response_urls": []}
    return slack.send_raw(urlencode({"payload": json.dumps(payload)}).encode(), FORM,
                          retry_num=1)


def test_a_set_up_process_keeps_the_collector_off_its_long_lived_objects() -> None:
    thresholds = gc.get_threshold()
    try:
        steady_gc()
        assert gc.get_freeze_count() > 0  # what existed is out of the collector's walks
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *thresholds[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
