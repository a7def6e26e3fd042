"""The benchmark's world: the Slack fake (timing each confirmation DM), the databases, the
rows the bursts need (written with the app's models), the servers under test as
subprocesses, and the cost of one commit."""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.engine import make_url

from bot.core.question_sets import QuestionSet, QuestionSetLibrary
from bot.demo.slack_fake import FakeSlack
from bot.i18n import translator
from bot.interviews import freeze_question_set
from bot.slack.blocks import actions, to_dicts
from bot.slack.buttons import score_candidate_button
from models import (
    Candidate,
    Interview,
    OutboxMessage,
    OutboxStatus,
    Panelist,
    Rating,
    Scorecard,
    ScorecardVersion,
    create_db_engine,
    make_session_factory,
    reading,
    transaction,
)

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
TEAM = "T0BENCH"
CHANNEL = "C0BENCH"
RECRUITER = "URECRUITER"
LEAD = "ULEAD"
PANELISTS = 200


def panelist_id(n: int) -> str:
    return f"UPANEL{n:04d}"


class TimedFake(FakeSlack):
    """The Slack fake, also noting when each chat.postMessage arrived (wall clock, which the
    load generator's process reads too): (time, channel, text)."""

    def __init__(self) -> None:
        # Triggers are issued when a burst is built, seconds before it is sent.
        super().__init__(team_id=TEAM, bot_token=BOT_TOKEN, trigger_ttl=600.0)
        self.posted: list[tuple[float, str, str]] = []

    def _chat_post_message(self, p: dict[str, Any]) -> dict[str, Any]:
        self.posted.append((time.time(), str(p.get("channel")), str(p.get("text"))))
        return super()._chat_post_message(p)

    def arrivals(self) -> dict[tuple[str, str], list[float]]:
        """(channel, text) -> when each message so posted arrived."""
        found: dict[tuple[str, str], list[float]] = {}
        with self._lock:
            for at, channel, text in self.posted:
                found.setdefault((channel, text), []).append(at)
        return found


def start_fake() -> TimedFake:
    fake = TimedFake()
    fake.start()
    fake.add_user(RECRUITER, name="rita", real_name="Rita Recruiter")
    fake.add_user(LEAD, name="lauri", real_name="Lauri Lead")
    panel = [panelist_id(n) for n in range(PANELISTS)]
    for n, user in enumerate(panel):
        fake.add_user(user, name=f"panelist{n}", real_name=f"Panelist {n}")
    fake.add_channel(CHANNEL, name="hiring", members=[RECRUITER, LEAD, *panel])
    return fake


def post_plan(fake: FakeSlack, interview_id: int) -> str:
    """A stand-in for the interview's plan message, with its "Score candidate" button."""
    blocks = to_dicts([actions(score_candidate_button(translator("en"), interview_id))])
    client = WebClient(token=BOT_TOKEN, base_url=fake.url)
    return str(client.chat_postMessage(channel=CHANNEL, text="Interview plan",
                                       blocks=blocks)["ts"])


# --- databases ------------------------------------------------------------------------


def fresh_postgres(url: str) -> str | None:
    """Drops and creates the database `url` names; None, or why the server cannot be used."""
    import psycopg

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    try:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True,
                             connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{parsed.database}"')
    except Exception as error:
        return str(error).strip().splitlines()[0]
    return None


@dataclass
class Seeder:
    """Writes and counts the scenario rows in one (migrated) database."""

    url: str
    qs: QuestionSet = field(init=False)

    def __post_init__(self) -> None:
        self.engine = create_db_engine(self.url)
        self.db = make_session_factory(self.engine)
        found = QuestionSetLibrary.load().get("customer-service", "en")
        assert found is not None, "the shipped customer-service set is missing"
        self.qs = found

    def interview(self, fake: FakeSlack, candidate: str,
                  panel: Sequence[str]) -> tuple[int, str]:
        """An interview that ended an hour ago, with its plan message at the fake: its id
        and the plan's ts."""
        starts = datetime.now(UTC) - timedelta(hours=2)
        with transaction(self.db) as session:
            interview = Interview(
                team_id=TEAM, round_number=1,
                candidate=Candidate(team_id=TEAM, name=candidate,
                                    role="Customer support agent", recruiter_id=RECRUITER),
                question_set_id=self.qs.id, language="en",
                question_set_version=freeze_question_set(session, self.qs),
                channel_id=CHANNEL,
                recruiter_id=RECRUITER, hiring_lead_id=LEAD, starts_at=starts,
                ends_at=starts + timedelta(hours=1), debrief_at=starts + timedelta(days=1),
                panelists=[Panelist(user_id=user, position=n, focus_categories=[])
                           for n, user in enumerate(panel)])
            session.add(interview)
            session.flush()
            interview_id = interview.id
        plan_ts = post_plan(fake, interview_id)
        with transaction(self.db) as session:
            session.get_one(Interview, interview_id).plan_ts = plan_ts
        return interview_id, plan_ts

    def scorecard(self, interview_id: int, user_id: str, score: int) -> None:
        """A submitted scorecard, for the summaries the mixed burst asks for."""
        now = datetime.now(UTC)
        version = ScorecardVersion(
            number=1, recommendation="hire", takeaways="Clear STAR examples.",
            category_notes={}, created_at=now,
            ratings=[Rating(category_id=c.id, question_id=q.id, score=score)
                     for c in self.qs.categories for q in c.questions])
        with transaction(self.db) as session:
            panelist = session.scalars(select(Panelist).where(
                Panelist.interview_id == interview_id, Panelist.user_id == user_id)).one()
            session.add(Scorecard(interview_id=interview_id, panelist=panelist,
                                  current_version=1, submitted_at=now, updated_at=now,
                                  versions=[version]))

    def versions_by_view(self, view_ids: Sequence[str]) -> dict[str, int]:
        with reading(self.db) as session:
            rows = session.execute(
                select(ScorecardVersion.source_view_id, func.count())
                .where(ScorecardVersion.source_view_id.in_(view_ids))
                .group_by(ScorecardVersion.source_view_id)).all()
        return {str(view_id): int(count) for view_id, count in rows}

    def outbox(self) -> dict[OutboxStatus, int]:
        with reading(self.db) as session:  # on SQLite, without taking the write lock
            rows = session.execute(select(OutboxMessage.status, func.count())
                                   .group_by(OutboxMessage.status)).all()
        return {status: int(count) for status, count in rows}

    def wait_for_outbox(self, timeout: float = 60.0) -> None:
        """Until no side effect is pending: the server is idle again."""
        deadline = time.monotonic() + timeout
        while self.outbox().get(OutboxStatus.PENDING) and time.monotonic() < deadline:
            time.sleep(0.1)

    def commit_ms(self, count: int = 200) -> list[float]:
        """Milliseconds per small transaction (one INSERT, then COMMIT) through the app's
        engine and session set-up, on a table of its own."""
        table = Table("bench_commit", MetaData(), Column("id", Integer, primary_key=True),
                      Column("note", String(40)))
        table.create(self.engine)
        times = []
        try:
            for n in range(count):
                began = time.perf_counter()
                with transaction(self.db) as session:
                    session.execute(insert(table).values(note=f"commit {n}"))
                times.append((time.perf_counter() - began) * 1000)
        finally:
            table.drop(self.engine)
        return times

    def close(self) -> None:
        self.engine.dispose()


# --- servers ------------------------------------------------------------------------


# The rig (this process and the Slack fake in it) runs at a lower CPU priority than what
# it measures: in production Slack answers from its own machines, and on two CPUs the
# fake's work (validating and copying every modal opened) otherwise takes CPU from the
# servers it times. The servers and the load generator run at the normal priority.
RIG_NICENESS = 5


def lower_the_rig() -> None:
    os.nice(RIG_NICENESS)


def full_priority() -> None:
    """In a child about to run a server or the load generator: back to the normal
    priority (needs root or CAP_SYS_NICE; otherwise everything stays niced alike)."""
    with contextlib.suppress(PermissionError):
        os.nice(-RIG_NICENESS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server under test, started as a subprocess (its own process group)."""

    argv: list[str]
    env: dict[str, str]
    log_path: Path
    ready_line: str | None = None  # logged once by each worker when it is ready
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def start(self, workers: int, timeout: float = 60.0) -> Server:
        env = {**_base_env(), **self.env, "PORT": str(self.port)}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.argv, cwd=self.log_path.parent, env=env,
                                            stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True, preexec_fn=full_priority)
        deadline = time.monotonic() + timeout
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.argv} did not start; see {self.log_path}")
            try:
                with opener.open(self.url.replace("/slack/events", "/healthz"), timeout=1):
                    log_text = self.log_path.read_text(errors="replace")
                    if self.ready_line is None or log_text.count(self.ready_line) >= workers:
                        return self
            except OSError:
                pass
            time.sleep(0.05)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its live workers."""
        assert self.process is not None
        pids = [self.process.pid]
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            pids += [int(pid) for pid in (task / "children").read_text().split()]
        ticks = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int | None:
        """SIGTERM, as an orchestrator stops it; its exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait()


def app_server(database_url: str, fake: FakeSlack, workers: int, log_path: Path) -> Server:
    """`interview-bot serve`, run from a scratch directory (no developer's .env there)."""
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": fake.url, "DATABASE_URL": database_url,
           "WEB_CONCURRENCY": str(workers), "LOG_LEVEL": "INFO"}
    return Server([sys.executable, "-m", "bot.cli", "serve"], env, log_path,
                  ready_line="Reminder scheduler started")


def bare_server(fake: FakeSlack, workers: int, log_path: Path) -> Server:
    """benchmarks/bare_app.py: the same gunicorn options, listeners that only ack."""
    server = Server([], {"PYTHONPATH": str(ROOT)}, log_path)
    server.argv = [sys.executable, "-m", "benchmarks.bare_app", "--port", str(server.port),
                   "--workers", str(workers), "--signing-secret", SIGNING_SECRET,
                   "--bot-token", BOT_TOKEN, "--slack-url", fake.url]
    return server


def _base_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    return {**env, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


# --- numbers ------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * p / 100) - 1)]


def quiet_machine(at_least: float = 0.8, patience: float = 60.0) -> float:
    """Waits (up to `patience` seconds) until the CPUs are `at_least` this idle over a
    second: other work on the machine would show in every latency. The idle fraction."""
    deadline = time.monotonic() + patience
    while True:
        before = _cpu_ticks()
        time.sleep(1.0)
        idle, total = (b - a for a, b in zip(before, _cpu_ticks(), strict=True))
        if idle >= at_least * total or time.monotonic() > deadline:
            return idle / max(1, total)


def _cpu_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return values[3] + values[4], sum(values)  # idle + iowait, all
