"""The benchmark's world: a timed Slack fake with many users, fresh databases, and the rows
the scenarios need (interviews, panels, scorecards, pending reminders), written directly
with the app's models (the scenarios measure serving, not set-up)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url

from bot.blocks.base import actions, to_dicts
from bot.blocks.buttons import score_candidate_button, view_panel_feedback_button
from bot.i18n import translator
from bot.migrate import upgrade
from bot.question_sets import QuestionSet, QuestionSetLibrary
from bot.slack_fake import FakeSlack
from bot.slack_fake.server import HttpReply
from models import (
    Interview,
    Panelist,
    Rating,
    Reminder,
    Scorecard,
    ScorecardVersion,
    create_db_engine,
    make_session_factory,
    transaction,
)

SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
TEAM = "T0BENCH"
CHANNEL = "C0BENCH"
RECRUITER = "URECRUITER"
LEAD = "ULEAD"
TIME_ZONES = ("Europe/Tallinn", "Europe/Helsinki", "America/New_York", "Asia/Tokyo")


def panelist_id(n: int) -> str:
    return f"UPANEL{n:04d}"


@dataclass
class Call:
    """One Web API call the app made, with when the fake answered it (wall clock)."""

    at: float
    method: str
    params: dict[str, Any]
    ok: bool
    error: str | None


class TimedFake(FakeSlack):
    """The Slack fake, also keeping when each API call was answered, so a side effect can be
    timed against the request that caused it (both processes read the same wall clock)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.timeline: list[Call] = []
        self._timeline_lock = threading.Lock()

    def handle_api(self, method: str, headers: Mapping[str, str], body: bytes,
                   query: str) -> HttpReply:
        # The fake's lock is re-entrant: holding it across the call makes the last recorded
        # call this one.
        with self._lock:
            reply = super().handle_api(method, headers, body, query)
            call = self._calls[-1]
        response = call["response"]
        with self._timeline_lock:
            self.timeline.append(Call(time.time(), method, call["params"],
                                      bool(response.get("ok")), response.get("error")))
        return reply

    def handle_response_url(self, token: str, body: bytes) -> HttpReply:
        with self._lock:
            reply = super().handle_response_url(token, body)
            response = self._calls[-1]["response"] if reply.status != 404 else {"ok": False}
        with self._timeline_lock:
            self.timeline.append(Call(time.time(), "response_url", {"token": token},
                                      bool(response.get("ok")), response.get("error")))
        return reply

    def calls_since(self, index: int) -> list[Call]:
        with self._timeline_lock:
            return list(self.timeline[index:])

    def mark(self) -> int:
        with self._timeline_lock:
            return len(self.timeline)


def start_fake(panelists: int) -> TimedFake:
    # Triggers live 3 s at Slack; here they are issued before a burst is even sent, so the
    # benchmark times click -> modal itself instead of letting early triggers expire.
    fake = TimedFake(team_id=TEAM, bot_token=BOT_TOKEN, trigger_ttl=60.0).start()
    fake.add_user(RECRUITER, name="rita", real_name="Rita Recruiter", tz="Europe/Tallinn")
    fake.add_user(LEAD, name="lauri", real_name="Lauri Lead", tz="Europe/Helsinki")
    for n in range(panelists):
        fake.add_user(panelist_id(n), name=f"panelist{n}", real_name=f"Panelist {n}",
                      tz=TIME_ZONES[n % len(TIME_ZONES)])
    fake.add_channel(CHANNEL, name="hiring", members=[RECRUITER, LEAD,
                                                     *(panelist_id(n) for n in range(panelists))])
    return fake


def fake_client(fake: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake.url)


# --- databases ------------------------------------------------------------------------


def postgres_url_for(base_url: str, database: str) -> str:
    return make_url(base_url).set(database=database).render_as_string(hide_password=False)


def fresh_database(url: str) -> None:
    """An empty, migrated database at `url` (PostgreSQL: created if missing, its public
    schema dropped; SQLite: the file removed)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        _create_postgres_database(url)
        engine = create_db_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    engine = create_db_engine(url)
    upgrade(engine)
    engine.dispose()


def _create_postgres_database(url: str) -> None:
    import psycopg

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False),
                         autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                    (parsed.database,)).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')


def postgres_reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    import psycopg

    admin = make_url(url).set(drivername="postgresql", database="postgres")
    try:
        with psycopg.connect(admin.render_as_string(hide_password=False), connect_timeout=3):
            return None
    except Exception as error:
        return str(error).strip().splitlines()[0]


# --- rows -----------------------------------------------------------------------------


@dataclass
class Seeder:
    """Writes scenario rows into one database."""

    url: str
    engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.engine = create_db_engine(self.url)
        self.db = make_session_factory(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def interview(self, qs: QuestionSet, panel: Sequence[str], *, candidate: str,
                  plan_ts: str | None = None) -> int:
        """An interview that ended an hour ago, debrief tomorrow; focus areas round-robin."""
        now = datetime.now(UTC)
        starts = now - timedelta(hours=2)
        category_ids = [c.id for c in qs.categories]
        with transaction(self.db) as session:
            interview = Interview(
                team_id=TEAM, candidate_name=candidate, role="Customer support agent",
                question_set_id=qs.id, language=qs.language, question_set=qs.to_snapshot(),
                channel_id=CHANNEL, plan_ts=plan_ts, recruiter_id=RECRUITER,
                hiring_lead_id=LEAD, starts_at=starts, ends_at=starts + timedelta(hours=1),
                debrief_at=starts + timedelta(days=1))
            for position, user_id in enumerate(panel):
                focus = [c for i, c in enumerate(category_ids) if i % len(panel) == position]
                interview.panelists.append(Panelist(user_id=user_id, position=position,
                                                    focus_categories=focus))
            session.add(interview)
            session.flush()
            return interview.id

    def analyze(self) -> None:
        """PostgreSQL: fresh planner statistics, as autovacuum keeps them in a database that
        has been running a while (right after a bulk insert the planner believes the
        tables are empty and picks nested loops: the App Home query then took ~250 ms
        instead of ~12 ms). SQLite keeps no statistics unless asked, and the app does not
        ask: nothing to do there."""
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))

    def set_plan_ts(self, interview_id: int, ts: str) -> None:
        with transaction(self.db) as session:
            interview = session.get(Interview, interview_id)
            assert interview is not None
            interview.plan_ts = ts

    def scorecard(self, interview_id: int, user_id: str, scores: Mapping[str, int | None],
                  recommendation: str = "hire") -> None:
        with transaction(self.db) as session:
            interview = session.get(Interview, interview_id)
            assert interview is not None
            qs = QuestionSet.from_snapshot(interview.question_set)
            panelist = next(p for p in interview.panelists if p.user_id == user_id)
            now = datetime.now(UTC)
            scorecard = Scorecard(interview_id=interview_id, panelist=panelist,
                                  current_version=1, submitted_at=now, updated_at=now)
            version = ScorecardVersion(number=1, recommendation=recommendation,
                                       takeaways="Clear STAR examples.", category_notes={})
            for question_id, score in scores.items():
                category, _ = qs.question(question_id)
                version.ratings.append(Rating(category_id=category.id,
                                              question_id=question_id, score=score))
            scorecard.versions.append(version)
            session.add(scorecard)

    def pending_reminders(self, count: int, qs: QuestionSet) -> int:
        """`count` pending reminders, due over the next weeks, on interviews of three
        panelists: three nudges for each panelist and the debrief."""
        kinds = ("first", "daily:1", "last")
        per_interview = 3 * len(kinds) + 1
        now = datetime.now(UTC)
        snapshot = qs.to_snapshot()
        rows: list[dict[str, Any]] = []
        with transaction(self.db) as session:
            for n in range(0, count, per_interview):
                panel = [panelist_id((n + k) % 50) for k in range(3)]
                due = now + timedelta(days=1 + n % 20, minutes=n % 1440)
                interview = Interview(
                    team_id=TEAM, candidate_name=f"Reminder candidate {n}", role="Agent",
                    question_set_id=qs.id, language=qs.language, question_set=snapshot,
                    channel_id=CHANNEL, recruiter_id=RECRUITER, hiring_lead_id=LEAD,
                    starts_at=due - timedelta(hours=3), ends_at=due - timedelta(hours=2),
                    debrief_at=due + timedelta(days=1),
                    panelists=[Panelist(user_id=u, position=i, focus_categories=[])
                               for i, u in enumerate(panel)])
                session.add(interview)
                session.flush()
                for user in panel:
                    for step, kind in enumerate(kinds):
                        rows.append({"interview_id": interview.id, "kind": kind,
                                     "recipient_id": user,
                                     "due_at": due + timedelta(hours=step)})
                rows.append({"interview_id": interview.id, "kind": "debrief",
                             "recipient_id": CHANNEL, "due_at": due + timedelta(days=1)})
            rows = rows[:count]
            session.execute(insert(Reminder), rows)
        return len(rows)


def shipped_set(language: str = "en") -> QuestionSet:
    found = QuestionSetLibrary.load().get("customer-service", language)
    assert found is not None, "the shipped customer-service set is missing"
    return found


def largest_set() -> QuestionSet:
    """As large as a team may write: 10 categories x 15 questions, texts near the limits."""
    anchor = "Concrete example, owns the outcome, clear steps shown"
    return QuestionSet.model_validate({
        "id": "largest", "name": "Largest set", "language": "en",
        "description": "A generated set at the app's limits.",
        "scale": [{"value": v, "label": f"Level {v}", "anchor": anchor} for v in range(1, 6)],
        "categories": [
            {"id": f"cat-{c}", "name": f"Category {c} with a fairly long name",
             "purpose": "Why this category matters. " * 20,
             "questions": [{"id": f"c{c}-q{q}", "text": f"Question {q} of category {c}?",
                            "guidance": "What a strong answer shows. " * 10}
                           for q in range(15)]}
            for c in range(10)],
    })


def post_plan_message(fake: FakeSlack, interview_id: int) -> str:
    """A stand-in plan message carrying the buttons the plan carries; returns its ts."""
    t = translator("en")
    blocks = to_dicts([actions(score_candidate_button(t, interview_id),
                               view_panel_feedback_button(t, interview_id))])
    reply = fake_client(fake).chat_postMessage(channel=CHANNEL, text="Interview plan",
                                               blocks=blocks)
    return str(reply["ts"])


def rss_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU time a process has used so far (and, with `children`, that of its
    children it has waited for)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_idle_fraction(seconds: float = 0.5) -> float:
    """How idle the machine's CPUs were over the next `seconds` (from /proc/stat)."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, total

    idle1, total1 = sample()
    time.sleep(seconds)
    idle2, total2 = sample()
    return (idle2 - idle1) / max(1, total2 - total1)


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(set(found))


def machine() -> dict[str, str]:
    import platform
    import subprocess

    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=5).stdout.strip()
        except OSError:
            return "?"

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": run("nproc"),
        "cpu": cpu,
        "memory": run("free", "-h"),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
