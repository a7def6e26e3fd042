"""Three years of one busy workspace, written in bulk into a migrated, empty database:
`seed_history(url, History(), now)`. Reusable: the scale benchmark (benchmarks/scale.py)
times the app's functions on it, and anyone timing another read (a report, an export) can
seed the same history and call theirs.

Rows are generated in plain Python, a candidate's loop at a time, and written per table in
batches: `executemany` on a raw sqlite3 connection (journal off while loading), `COPY` on
PostgreSQL (then ANALYZE, as autovacuum would). Not one ORM object: a million objects
would take longer than the benchmark. What the rows hold follows the app's own rules closely
enough for its queries to do their real work:

- 100,000 interviews (rounds), starts spread evenly over three years up to two weeks ahead;
  a candidate's loop has 1-3 rounds, debriefed together by its last round;
- panels of 3 or 4 (351,000 seats) from 2,000 people; `busy_interviewer` sits on ~834;
- ten recruiters, `busy_recruiter` creating 10% (~10,000); fifty hiring leads;
- loops that ended: 93% decided (a decision row on the last round), 7% cancelled; the
  last days' loops wait for or are in their debrief; 2% of those older than a year had
  their candidate data deleted (panels and times kept, as the app does);
- scorecards (one version, 10% edited into a second) with 4-5 ratings each (1.5 M),
  per-person leniency so the calibration figures mean something; an event log of ~23
  rows per interview (2.3 M), ~14 reminders (1.4 M: sent or skipped in the past, pending
  ahead), panelist_stats and debrief_stats (migration 0006's figures), the three shipped
  question sets as versions (or inline on a schema before migration 0010).

Plus `sweeps` batches of exactly 50 reminders that fall due at known moments
(`Seeded.sweeps`): each on 10 interviews that ended yesterday with one scorecard of four
in, a first nudge to each of the three missing, the debrief and the lead's note.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from bot.core.question_sets import QuestionSet, QuestionSetLibrary
from models import create_db_engine

TEAM = "T0SCALE"
CHANNEL = "C0SCALE"
BUSY_RECRUITER = "URECRUITER"
BUSY_INTERVIEWER = "U00000"
LANGUAGES = (("en", 0.6), ("et", 0.3), ("fi", 0.1))
REMINDERS_PER_SWEEP = 50


def person(n: int) -> str:
    return f"U{n:05d}"


def recruiter(n: int) -> str:
    return BUSY_RECRUITER if n == 0 else f"UREC{n:02d}"


def lead(n: int) -> str:
    return f"ULEAD{n:02d}"


@dataclass(frozen=True)
class History:
    """How much history: the defaults are the issue's busy workspace."""

    interviews: int = 100_000
    people: int = 2_000
    recruiters: int = 10
    leads: int = 50
    busy_recruiter_share: float = 0.10
    busy_interviewer_seats: int = 834
    years: float = 3.0
    sweeps: int = 12  # batches of 50 due reminders, one per timed sweep
    seed: int = 23


@dataclass(frozen=True)
class Sweep:
    """50 reminders due at `due_at` (claim them with now >= due_at: the next batch is due a
    minute later)."""

    due_at: datetime
    interview_ids: tuple[int, ...]


@dataclass
class Seeded:
    """What was written, and the rows the timings need."""

    now: datetime
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    sweeps: list[Sweep] = field(default_factory=list)
    # A decided interview with 4 panelists, every scorecard in: its summary is read.
    summary_interview: int = 0
    summary_reader: str = ""
    users: set[str] = field(default_factory=set)  # everyone, for the Slack stub's users


# ------------------------------------------------------------------------- writing


class _Writer:
    """Rows into the tables of several databases at once, batched per table; parents are
    written before their children. Times are naive UTC datetimes."""

    batch = 20_000

    def __init__(self, targets: Sequence[_Target]) -> None:
        self.targets = targets
        self.pending: dict[tuple[str, tuple[str, ...]], list[tuple[Any, ...]]] = {}
        self.counts: dict[str, int] = {}

    def add(self, table: str, columns: tuple[str, ...], row: tuple[Any, ...]) -> None:
        rows = self.pending.setdefault((table, columns), [])
        rows.append(row)
        if len(rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        for table in ORDER:
            for key in [k for k in self.pending if k[0] == table]:
                rows = self.pending.pop(key)
                for target in self.targets:
                    target.write(table, key[1], rows)
                self.counts[table] = self.counts.get(table, 0) + len(rows)


class _Target:
    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def _sqlite_time(moment: datetime) -> str:
    # SQLAlchemy's SQLite DateTime format: naive UTC, microseconds always written.
    text = moment.isoformat(" ")
    return text if moment.microsecond else text + ".000000"


class _SQLite(_Target):
    """A raw sqlite3 connection, journal off; the CREATE INDEX indexes dropped while
    loading and built afterwards (much faster than keeping them up to date row by row)."""

    def __init__(self, path: str) -> None:
        sqlite3.register_adapter(datetime, _sqlite_time)
        self.connection = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=DELETE", "journal_mode=OFF", "synchronous=OFF",
                       "cache_size=-400000", "foreign_keys=OFF"):
            self.connection.execute(f"PRAGMA {pragma}")
        self.indexes = self.connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
        self.connection.execute("BEGIN")
        for name, _ in self.indexes:
            self.connection.execute(f'DROP INDEX "{name}"')

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" * len(columns))
        self.connection.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def close(self) -> None:
        for _, sql in self.indexes:
            self.connection.execute(sql)
        self.connection.execute("COMMIT")
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.close()
        sqlite3.adapters.pop((datetime, sqlite3.PrepareProtocol), None)


class _Postgres(_Target):
    """COPY, with the foreign-key triggers off (the rows are consistent by construction)
    and the indexes that back no constraint built after loading; then VACUUM ANALYZE, as
    autovacuum would."""

    def __init__(self, url: str) -> None:
        import psycopg

        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection = psycopg.connect(dsn)
        for setting in ("TIME ZONE 'UTC'", "synchronous_commit = off",
                        "session_replication_role = replica", "maintenance_work_mem = '256MB'"):
            self.connection.execute(f"SET {setting}")
        self.indexes = self.connection.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid ="
            " c.relnamespace WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM"
            " pg_constraint WHERE conindid = i.indexrelid)").fetchall()
        for name, _ in self.indexes:
            self.connection.execute(f"DROP INDEX {name}")

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        with self.connection.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def close(self) -> None:
        for _, definition in self.indexes:
            self.connection.execute(definition)
        for table, in self.connection.execute(
                "SELECT table_name FROM information_schema.columns WHERE column_name = 'id'"
                " AND table_schema = 'public' AND column_default LIKE 'nextval%'").fetchall():
            self.connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
        self.connection.commit()
        self.connection.autocommit = True
        self.connection.execute("VACUUM ANALYZE")
        self.connection.close()


# Parents before children.
ORDER = ("question_set_versions", "candidates", "interviews", "panelists", "scorecards",
         "scorecard_versions", "ratings", "decisions", "reminders", "events",
         "panelist_stats", "debrief_stats")

C_CANDIDATES = ("id", "team_id", "name", "role", "link", "recruiter_id", "debrief_per_round",
                "created_at", "deleted_at", "deleted_by")
C_PANELISTS = ("id", "interview_id", "user_id", "position", "focus_categories", "added_at",
               "removed_at", "kit_channel", "kit_ts")
C_SCORECARDS = ("id", "interview_id", "panelist_id", "current_version", "submitted_at",
                "updated_at")
C_VERSIONS = ("id", "scorecard_id", "number", "recommendation", "takeaways", "private_note",
              "category_notes", "created_at", "source_view_id")
C_RATINGS = ("id", "version_id", "category_id", "question_id", "score", "note")
C_DECISIONS = ("id", "interview_id", "outcome", "reason", "decided_by", "decided_at",
               "source_view_id")
C_REMINDERS = ("id", "interview_id", "kind", "recipient_id", "due_at", "status", "claimed_by",
               "claimed_until", "attempts", "last_error", "sent_at", "created_at")
C_EVENTS = ("id", "team_id", "interview_id", "actor_id", "kind", "detail", "created_at")
C_PANELIST_STATS = ("id", "team_id", "interview_id", "user_id", "ended_at", "leniency",
                    "shared_questions", "hours_to_scorecard")
C_DEBRIEF_STATS = ("interview_id", "team_id", "ended_at", "started_at", "complete")
C_QS_VERSIONS = ("id", "team_id", "set_id", "language", "version", "content_hash", "status",
                 "document", "created_at", "created_by")
C_INTERVIEWS = ("id", "team_id", "candidate_id", "round_number", "note", "question_set_id",
                "language", "channel_id", "plan_ts", "summary_ts", "recruiter_id",
                "hiring_lead_id", "starts_at", "ends_at", "debrief_at", "status", "decision",
                "decided_by", "decided_at", "decision_reason", "created_at", "deleted_at",
                "deleted_by", "source_view_id")
RECOMMENDATIONS = ("strong_no_hire", "no_hire", "hire", "strong_hire")


# ------------------------------------------------------------------------- generating


@dataclass
class _Ids:
    candidate: int = 0
    interview: int = 0
    panelist: int = 0
    scorecard: int = 0
    version: int = 0
    rating: int = 0
    decision: int = 0
    reminder: int = 0
    event: int = 0
    stats: int = 0

    def next(self, name: str) -> int:
        value = getattr(self, name) + 1
        setattr(self, name, value)
        return value


@dataclass
class _Set:
    """One shipped set as the seeder uses it: its version row id or inline JSON."""

    language: str
    version_id: int
    inline: str  # the snapshot as JSON text (schemas before 0010 keep it on each row)
    categories: list[tuple[str, list[str]]]  # (category id, question ids)


@dataclass
class _Round:
    id: int
    starts: datetime
    ends: datetime
    panel: list[str]
    language: str


class _Generator:
    def __init__(self, writer: _Writer, history: History, now: datetime, inline: bool,
                 sets: dict[str, QuestionSet]) -> None:
        self.w, self.h, self.now, self.inline = writer, history, now, inline
        self.random = random.Random(history.seed)
        self.ids = _Ids()
        self.sets = self._versions(sets)
        # Each person's leniency: how far above the panel they tend to score.
        self.bias = [self.random.gauss(0, 0.6) for _ in range(history.people)]
        self.seeded = Seeded(now=now)

    def _versions(self, sets: dict[str, QuestionSet]) -> dict[str, _Set]:
        found = {}
        for number, (language, qs) in enumerate(sorted(sets.items()), start=1):
            document = qs.to_snapshot()
            if not self.inline:
                from models.question_set import content_hash  # not before migration 0010

                self.w.add("question_set_versions", C_QS_VERSIONS, (
                    number, None, qs.id, language, 1, content_hash(document), "published",
                    json.dumps(document), self.now - timedelta(days=1200), None))
            found[language] = _Set(language, number, json.dumps(document),
                                   [(c.id, [q.id for q in c.questions]) for c in qs.categories])
        return found

    # --- the whole history --------------------------------------------------------------

    def run(self) -> Seeded:
        h = self.h
        main = h.interviews - h.sweeps * 10
        span = timedelta(days=365 * h.years + 14)
        begin = self.now - timedelta(days=365 * h.years)
        step = span / main
        made = 0
        while made < main:
            rounds = min(self.random.choices((1, 2, 3), (45, 35, 20))[0], main - made)
            self.loop(begin + step * made, rounds, step)
            made += rounds
        for n in range(h.sweeps):
            self.sweep(n)
        self.w.flush()
        self.seeded.counts = dict(self.w.counts)
        self.seeded.users = ({person(n) for n in range(h.people)}
                             | {recruiter(n) for n in range(h.recruiters)}
                             | {lead(n) for n in range(h.leads)})
        return self.seeded

    def language(self) -> str:
        pick = self.random.random()
        for language, share in LANGUAGES:
            if pick < share:
                return language
            pick -= share
        return LANGUAGES[0][0]

    def panel(self, size: int) -> list[str]:
        h = self.h
        chosen: list[str] = []
        if self.random.random() < h.busy_interviewer_seats / h.interviews:
            chosen.append(BUSY_INTERVIEWER)
        while len(chosen) < size:
            candidate = person(self.random.randrange(1, h.people))
            if candidate not in chosen:
                chosen.append(candidate)
        self.random.shuffle(chosen)
        return chosen

    def loop(self, first_start: datetime, rounds: int, step: timedelta) -> None:
        h, r, now = self.h, self.random, self.now
        candidate_id = self.ids.next("candidate")
        recruiter_id = (BUSY_RECRUITER if r.random() < h.busy_recruiter_share
                        else recruiter(r.randrange(1, h.recruiters)))
        lead_id = lead(r.randrange(h.leads))
        language = self.language()
        made: list[_Round] = []
        for k in range(rounds):
            starts = (first_start + step * k).replace(second=0, microsecond=0)
            made.append(_Round(0, starts, starts + timedelta(hours=1),
                               self.panel(3 + (r.random() < 0.51)), language))
        last_end = made[-1].ends
        debrief_at = last_end + timedelta(days=2)
        if last_end > now or debrief_at > now:
            outcome = "waiting"  # not over, or the debrief is still ahead
        elif debrief_at > now - timedelta(days=10):
            outcome = "debrief"
        else:
            outcome = "cancelled" if r.random() < 0.07 else "decided"
        deleted = outcome in ("decided", "cancelled") and last_end < now - timedelta(
            days=365) and r.random() < 0.02
        created = made[0].starts - timedelta(days=5)
        w = self.w
        w.add("candidates", C_CANDIDATES, (
            candidate_id, TEAM, "[deleted]" if deleted else f"Candidate {candidate_id}",
            "" if deleted else "Customer support agent",
            None if deleted else f"https://ats.example.com/{candidate_id}", recruiter_id,
            False, created, debrief_at if deleted else None, None))
        decided_at = debrief_at + timedelta(hours=r.randrange(1, 30))
        for number, round_ in enumerate(made, start=1):
            round_.id = self.ids.next("interview")
            holder = number == rounds
            status = {"waiting": "scheduled", "debrief": "debrief" if holder else "scheduled",
                      "decided": "decided", "cancelled": "cancelled"}[outcome]
            decision = ("hire" if r.random() < 0.4 else "no_hire") \
                if outcome == "decided" and holder else None
            posted = holder and outcome in ("debrief", "decided")
            self.interview(round_, candidate_id, number, recruiter_id, lead_id, status,
                           debrief_at, decision, decided_at if decision else None,
                           posted, deleted, created)
            if not deleted:
                self.panel_rows(round_, status, debrief_at, posted, lead_id, holder)
            else:
                self.deleted_panel(round_)
                self.event(round_.id, None, "deleted", '{"reason": "retention"}', debrief_at)

    def interview(self, round_: _Round, candidate_id: int, number: int, recruiter_id: str,
                  lead_id: str, status: str, debrief_at: datetime, decision: str | None,
                  decided_at: datetime | None, posted: bool, deleted: bool,
                  created: datetime) -> None:
        w, qs = self.w, self.sets[round_.language]
        values = (round_.id, TEAM, candidate_id, number, None, "customer-service",
                  round_.language, CHANNEL, f"{round_.id}.000100",
                  f"{round_.id}.000200" if posted else None, recruiter_id, lead_id,
                  round_.starts, round_.ends, debrief_at, status, decision,
                  lead_id if decision else None, decided_at,
                  None if deleted or not decision else "Structured evidence.", created,
                  debrief_at if deleted else None, None, None)
        if self.inline:
            w.add("interviews", (*C_INTERVIEWS, "question_set"), (*values, qs.inline))
        else:
            w.add("interviews", (*C_INTERVIEWS, "question_set_version_id"),
                  (*values, qs.version_id))
        if decision:
            w.add("decisions", C_DECISIONS, (
                self.ids.next("decision"), round_.id, decision,
                "" if deleted else "Structured evidence.", lead_id, decided_at, None))
        self.event(round_.id, recruiter_id, "created", json.dumps(
            {"question_set": "customer-service", "language": round_.language,
             "panel": round_.panel}), created)
        self.event(round_.id, None, "plan_posted", f'{{"channel": "{CHANNEL}"}}', created)

    def deleted_panel(self, round_: _Round) -> None:
        for position, user_id in enumerate(round_.panel):
            self.w.add("panelists", C_PANELISTS, (
                self.ids.next("panelist"), round_.id, user_id, position, "[]",
                round_.starts - timedelta(days=5), None, None, None))

    def panel_rows(self, round_: _Round, status: str, debrief_at: datetime, posted: bool,
                   lead_id: str, holder: bool) -> None:
        w, r, now = self.w, self.random, self.now
        qs = self.sets[round_.language]
        over = round_.ends <= now
        scored_share = {"decided": 0.98, "cancelled": 0.5}.get(status, 0.7)
        panel_scores: dict[str, dict[str, int]] = {}
        submitted: dict[str, datetime | None] = {}
        for position, user_id in enumerate(round_.panel):
            panelist_id = self.ids.next("panelist")
            focus = [c for i, (c, _) in enumerate(qs.categories)
                     if i % len(round_.panel) == position]
            w.add("panelists", C_PANELISTS, (
                panelist_id, round_.id, user_id, position, json.dumps(focus),
                round_.starts - timedelta(days=5), None, f"D{user_id}",
                f"{round_.id}.{position:06d}"))
            self.event(round_.id, None, "kit_sent", f'{{"user": "{user_id}"}}', round_.starts)
            for page in range(2):
                self.event(round_.id, None, "kit_page_sent",
                           f'{{"channel": "D{user_id}", "ts": "{round_.id}.{position}{page}"}}',
                           round_.starts)
            at = None
            if over and r.random() < scored_share:
                at = round_.ends + timedelta(hours=r.expovariate(1 / 20))
                at = min(at, now - timedelta(minutes=1))
                panel_scores[user_id] = self.scorecard(round_, panelist_id, user_id, focus, at)
            submitted[user_id] = at
            self.reminders(round_, user_id, debrief_at, at)
        self.lead_reminders(round_, lead_id, debrief_at, holder)
        if posted:
            self.event(round_.id, None, "debrief_posted", '{"by": "reminders"}', debrief_at)
        if over:
            self.stats(round_, panel_scores, submitted, debrief_at if posted else None)

    def scorecard(self, round_: _Round, panelist_id: int, user_id: str, focus: list[str],
                  at: datetime) -> dict[str, int]:
        w, r = self.w, self.random
        qs = self.sets[round_.language]
        scorecard_id = self.ids.next("scorecard")
        questions = [(c, q) for c, qids in qs.categories if c in focus for q in qids]
        chosen = questions[:r.choice((4, 4, 4, 5, 5))]
        bias = self.bias[int(user_id[1:])] if user_id[1:].isdigit() else 0.0
        scores = {q: min(5, max(1, round(3 + bias + r.gauss(0, 0.8)))) for _, q in chosen}
        edits = 2 if r.random() < 0.1 else 1
        w.add("scorecards", C_SCORECARDS, (scorecard_id, round_.id, panelist_id, edits,
                                           at, at + timedelta(hours=edits - 1)))
        for number in range(1, edits + 1):
            version_id = self.ids.next("version")
            w.add("scorecard_versions", C_VERSIONS, (
                version_id, scorecard_id, number, r.choice(RECOMMENDATIONS),
                "Gave a concrete STAR example about a difficult customer.", None, "{}",
                at + timedelta(hours=number - 1), None))
            for category, question in chosen:
                score = None if r.random() < 0.05 else scores[question]
                w.add("ratings", C_RATINGS, (self.ids.next("rating"), version_id, category,
                                             question, score, None))
            self.event(round_.id, user_id, "scorecard_submitted" if number == 1
                       else "scorecard_edited", f'{{"version": {number}}}',
                       at + timedelta(hours=number - 1))
        return {q: s for q, s in scores.items()}

    def reminders(self, round_: _Round, user_id: str, debrief_at: datetime,
                  scored_at: datetime | None) -> None:
        first = round_.ends + timedelta(hours=1)
        for kind, due in (("first", first),
                          (f"daily:{(first + timedelta(days=1)).date()}",
                           first + timedelta(days=1)),
                          ("last", debrief_at - timedelta(hours=2))):
            self.reminder(round_.id, kind, user_id, due, scored_at)

    def lead_reminders(self, round_: _Round, lead_id: str, debrief_at: datetime,
                       holder: bool) -> None:
        if not holder:
            return
        self.reminder(round_.id, "lead_missing", lead_id, debrief_at - timedelta(hours=2), None)
        self.reminder(round_.id, "debrief", CHANNEL, debrief_at, None)
        self.reminder(round_.id, "debrief_lead", lead_id, debrief_at, None)

    def reminder(self, interview_id: int, kind: str, recipient: str, due: datetime,
                 done_at: datetime | None, *, pending: bool = False) -> None:
        w = self.w
        if due > self.now or pending:
            status, sent = "pending", None
        elif done_at is not None and done_at < due:
            status, sent = "skipped", None
        else:
            status, sent = "sent", due
            self.event(interview_id, None, "reminder_sent",
                       f'{{"reminder": "{kind}", "recipient": "{recipient}", '
                       f'"channel": "D{recipient}", "ts": "{interview_id}.9"}}', due)
        w.add("reminders", C_REMINDERS, (
            self.ids.next("reminder"), interview_id, kind, recipient, due, status, None,
            None, 0 if status == "pending" else 1,
            "scorecard in" if status == "skipped" else None, sent,
            due - timedelta(days=3)))

    def stats(self, round_: _Round, scores: dict[str, dict[str, int]],
              submitted: dict[str, datetime | None], posted_at: datetime | None) -> None:
        w = self.w
        for user_id in round_.panel:
            mine = scores.get(user_id, {})
            differences = []
            for question, score in mine.items():
                theirs = [s[question] for u, s in scores.items() if u != user_id and question in s]
                if theirs:
                    differences.append(score - sum(theirs) / len(theirs))
            at = submitted[user_id]
            w.add("panelist_stats", C_PANELIST_STATS, (
                self.ids.next("stats"), TEAM, round_.id, user_id, round_.ends,
                sum(differences) / len(differences) if differences else None,
                len(differences),
                (at - round_.ends).total_seconds() / 3600 if at else None))
        if posted_at is not None:
            complete = all(a is not None and a <= posted_at for a in submitted.values())
            w.add("debrief_stats", C_DEBRIEF_STATS, (round_.id, TEAM, round_.ends,
                                                     posted_at, complete))
            if complete and len(round_.panel) == 4 and not self.seeded.summary_interview:
                self.seeded.summary_interview = round_.id

    def event(self, interview_id: int | None, actor: str | None, kind: str, detail: str,
              at: datetime) -> None:
        """One event; `detail` is its JSON text (written out: json.dumps per row costs)."""
        self.w.add("events", C_EVENTS, (self.ids.next("event"), TEAM, interview_id, actor,
                                        kind, detail, at))

    # --- batches of due reminders ---------------------------------------------------------

    def sweep(self, n: int) -> None:
        """Ten interviews that ended yesterday, debrief tomorrow, one scorecard of four in;
        their 50 reminders due at one moment, `sweeps - n` minutes ago."""
        h, w, now = self.h, self.w, self.now
        due = now - timedelta(minutes=h.sweeps - n)
        ids = []
        for k in range(10):
            candidate_id = self.ids.next("candidate")
            starts = (now - timedelta(days=1, hours=2)).replace(second=0, microsecond=0)
            round_ = _Round(self.ids.next("interview"), starts, starts + timedelta(hours=1),
                            self.panel(4), "en")
            lead_id = lead(k % 5)
            debrief_at = now + timedelta(days=1)
            w.add("candidates", C_CANDIDATES, (
                candidate_id, TEAM, f"Candidate {candidate_id}", "Customer support agent",
                None, BUSY_RECRUITER, False, starts - timedelta(days=5), None, None))
            # No plan in the channel: the summary goes to the channel itself.
            values = (round_.id, TEAM, candidate_id, 1, None, "customer-service", "en",
                      CHANNEL, None, None, BUSY_RECRUITER, lead_id, round_.starts,
                      round_.ends, debrief_at, "scheduled", None, None, None,
                      None, starts - timedelta(days=5), None, None, None)
            qs = self.sets["en"]
            if self.inline:
                w.add("interviews", (*C_INTERVIEWS, "question_set"), (*values, qs.inline))
            else:
                w.add("interviews", (*C_INTERVIEWS, "question_set_version_id"),
                      (*values, qs.version_id))
            for position, user_id in enumerate(round_.panel):
                panelist_id = self.ids.next("panelist")
                focus = [c for i, (c, _) in enumerate(qs.categories) if i % 4 == position]
                w.add("panelists", C_PANELISTS, (
                    panelist_id, round_.id, user_id, position, json.dumps(focus),
                    starts - timedelta(days=5), None, None, None))
                if position == 0:
                    self.scorecard(round_, panelist_id, user_id, focus,
                                   round_.ends + timedelta(minutes=30))
                else:
                    self.reminder(round_.id, "first", user_id, due, None, pending=True)
            for kind, recipient in (("debrief", CHANNEL), ("debrief_lead", lead_id)):
                self.reminder(round_.id, kind, recipient, due, None, pending=True)
            ids.append(round_.id)
        self.seeded.sweeps.append(Sweep(due, tuple(ids)))


# ------------------------------------------------------------------------- the entry point


def shipped_sets() -> dict[str, QuestionSet]:
    library = QuestionSetLibrary.load()
    found = {}
    for language, _ in LANGUAGES:
        qs = library.get("customer-service", language)
        assert qs is not None, f"customer-service.{language} is missing"
        found[language] = qs
    return found


def seed_history(*urls: str, history: History = History(), now: datetime | None = None
                 ) -> Seeded:
    """Write the history into each migrated, empty database at `urls` (SQLite files or
    PostgreSQL; the rows are generated once for all). Works on schemas before and after
    migration 0010 (the question set inline on each interview, or a version row). `now`
    defaults to the current minute (UTC)."""
    import time

    began = time.monotonic()
    moment = now or datetime.now(UTC).replace(second=0, microsecond=0)
    naive_now = moment.astimezone(UTC).replace(tzinfo=None)
    inline = {_inline(url) for url in urls}
    if len(inline) != 1:
        raise ValueError("seed databases of one schema at a time")
    targets: list[_Target] = [
        _SQLite(str(make_url(url).database)) if make_url(url).get_backend_name() == "sqlite"
        else _Postgres(url) for url in urls]
    writer = _Writer(targets)
    seeded = _Generator(writer, history, naive_now, inline.pop(), shipped_sets()).run()
    for target in targets:
        target.close()
    seeded.now = moment
    seeded.sweeps = [Sweep(s.due_at.replace(tzinfo=UTC), s.interview_ids)
                     for s in seeded.sweeps]
    seeded.summary_reader = _lead_of(urls[0], seeded.summary_interview)
    seeded.seconds = time.monotonic() - began
    return seeded


def _inline(url: str) -> bool:
    engine = create_db_engine(url)
    try:
        return "question_set" in {c["name"] for c in inspect(engine).get_columns("interviews")}
    finally:
        engine.dispose()


def _lead_of(url: str, interview_id: int) -> str:
    from sqlalchemy import text

    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.scalar(text(
                "SELECT hiring_lead_id FROM interviews WHERE id = :id"), {"id": interview_id}))
    finally:
        engine.dispose()
