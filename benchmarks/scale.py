"""The scale benchmark: `python -m benchmarks.scale` (`make bench-scale`), a few minutes.

On a fresh SQLite file, then on a fresh PostgreSQL database: migrate, seed three years of
one busy workspace in bulk (benchmarks/history.py: 100,000 interviews, 351,000 panel
seats, 1.5 M ratings, 2.3 M events, 1.4 M reminders), then time the app's own functions
against a Slack stub in another process (benchmarks/slack_stub.py), each repeated, p50 and
p95 (nearest rank):

- App Home (read, render, views.publish) for a person with no interviews: the baseline
  the other App Home rows are divided by;
- App Home for the busiest interviewer (~834 interviews) and the busiest recruiter
  (~10,000 created);
- `/interview list` for that recruiter (read and render: the ack carries it);
- `/interview summary` of a decided interview with 4 panelists (read and render);
- a reminder sweep with 50 reminders due (10 interviews: 30 nudges, 10 debriefs posting
  their summary, 10 notes to the lead) and every side effect it implies (App Homes,
  summaries, calibration figures), as the scheduler's run does it, one process;
- the DATA_RETENTION_DAYS scan over the whole history (which candidates are due);
- the calibration report over every interview (the command line's) and one organiser's.

Prints a table and writes it between the scale markers in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text

from benchmarks.history import (
    BUSY_INTERVIEWER,
    BUSY_RECRUITER,
    TEAM,
    History,
    Seeded,
    seed_history,
)
from benchmarks.slack_stub import SlackStub
from benchmarks.world import ROOT, fresh_postgres, percentile, quiet_machine

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
START, END = "<!-- scale:start -->", "<!-- scale:end -->"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_scale"
NOBODY = "UNOBODY"
QUIET, QUIET_PATIENCE = 0.7, 10.0  # idle share of the CPUs awaited before each path


@dataclass
class Path_:
    label: str
    samples: list[float] = field(default_factory=list)  # ms
    note: str = ""

    def p(self, q: float) -> float:
        return percentile(self.samples, q)


@dataclass
class Section:
    database: str
    seeded: Seeded | None = None
    size_bytes: int = 0
    paths: dict[str, Path_] = field(default_factory=dict)
    sweep_calls: Counter[str] = field(default_factory=Counter)
    sweep_commits: list[int] = field(default_factory=list)
    sweep_outcomes: Counter[str] = field(default_factory=Counter)
    # ms per sweep: sending the reminders, then each kind of side effect
    sweep_parts: defaultdict[str, list[float]] = field(
        default_factory=lambda: defaultdict(list))
    idle: list[float] = field(default_factory=list)  # CPUs idle before each path

    def quiet(self) -> None:
        """Wait (a while) for the machine to be quiet: other work shows in every figure."""
        self.idle.append(quiet_machine(QUIET, QUIET_PATIENCE))


def _settings(url: str, slack_url: str) -> Any:
    from bot.settings import load_settings

    return load_settings({
        "SLACK_BOT_TOKEN": "xoxb-scale", "SLACK_SIGNING_SECRET": "scale-secret",
        "SLACK_API_URL": slack_url, "DATABASE_URL": url, "REFRESH_SETTLE_SECONDS": "0",
        "DATA_RETENTION_DAYS": "365"}, env_file=None)


def _timed(call: Callable[[], object], repeat: int, warm: int = 2) -> list[float]:
    for _ in range(warm):
        call()
    samples = []
    gc.collect()
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


class _Commits:
    """Counts the commits of transactions that may write, on an engine."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "commit", self._one)

    def _one(self, connection: Any) -> None:
        from models.session import READ_ONLY

        if not connection.get_execution_options().get(READ_ONLY):
            self.count += 1


def _timed_effects(services: Any, spent: defaultdict[str, float]) -> None:
    """Wrap the outbox's performers to add up the time each kind takes (ms)."""
    outbox = services.side_effects

    def timed(kind: str, perform: Callable[[Any, dict[str, Any]], None]
              ) -> Callable[[Any, dict[str, Any]], None]:
        def run(effect_services: Any, payload: dict[str, Any]) -> None:
            began = time.perf_counter()
            try:
                perform(effect_services, payload)
            finally:
                spent[kind] += (time.perf_counter() - began) * 1000
        return run

    outbox.effects = {kind: timed(kind, perform) for kind, perform in outbox.effects.items()}


def seed(databases: Sequence[tuple[str, str]], history: History) -> Seeded:
    """Migrate each database, then write the history into all of them at once."""
    from bot.migrate import upgrade
    from models import create_db_engine

    for _, url in databases:
        engine = create_db_engine(url)
        upgrade(engine)
        engine.dispose()
    print(f"seeding {history.interviews:,} interviews into "
          f"{', '.join(d for d, _ in databases)} ...", flush=True)
    seeded = seed_history(*(url for _, url in databases), history=history)
    print(f"seeded in {seeded.seconds:.0f} s: "
          + ", ".join(f"{t} {n:,}" for t, n in sorted(seeded.counts.items())), flush=True)
    return seeded


def measure(database: str, url: str, seeded: Seeded, repeat: int, stub: SlackStub) -> Section:
    from bot.app import build_services, stop_services

    section = Section(database, seeded)
    section.size_bytes = database_size(url)
    services = build_services(_settings(url, stub.url))
    try:
        time_paths(section, services, seeded, repeat)
        time_sweeps(section, services, seeded)
    finally:
        stop_services(services)
        services.engine.dispose()
    return section


def time_paths(section: Section, services: Any, seeded: Seeded, repeat: int) -> None:
    from bot.debrief.builders.summary import debrief_summary_message
    from bot.home.builders import list_message
    from bot.home.publish import publish_home
    from bot.home.service import LIST_ROWS, load_home
    from bot.i18n import translator
    from bot.lifecycle.service import retention_due
    from bot.report import service as report
    from models import reading

    t = translator("en")
    now = seeded.now

    def home(user: str) -> Callable[[], object]:
        return lambda: publish_home(services, user, team_id=TEAM)

    def listing() -> object:
        data = load_home(services, BUSY_RECRUITER, team_id=TEAM, rows=LIST_ROWS)
        return list_message(t, data, "Europe/Tallinn")

    def summary() -> object:
        from bot.debrief.service import summary_for

        found, organiser = summary_for(services, TEAM, str(seeded.summary_interview),
                                       seeded.summary_reader)
        return debrief_summary_message(translator(found.language), found, organiser=organiser)

    def retention() -> object:
        with reading(services.db) as session:
            return retention_due(session, now, 365)

    def workspace_report() -> object:
        with reading(services.db) as session:
            return report.report(session, TEAM, now - timedelta(days=3650), None, None)

    def organiser_report() -> object:
        return report.organiser_report(services, TEAM, BUSY_RECRUITER, 3650)

    paths: list[tuple[str, str, Callable[[], object], int]] = [
        ("baseline", "App Home, a person with no interviews (baseline)", home(NOBODY), repeat),
        ("home_interviewer", "App Home, the busiest interviewer", home(BUSY_INTERVIEWER),
         repeat),
        ("home_recruiter", "App Home, the busiest recruiter", home(BUSY_RECRUITER), repeat),
        ("list", "`/interview list`, that recruiter", listing, repeat),
        ("summary", "`/interview summary`, 4 panelists", summary, repeat),
        ("retention", "retention scan over the whole history", retention, max(5, repeat // 3)),
        ("report_all", "calibration report, every interview", workspace_report,
         max(5, repeat // 3)),
        ("report_organiser", "calibration report, the busiest recruiter's",
         organiser_report, max(5, repeat // 3)),
    ]
    for key, label, call, times in paths:
        section.quiet()
        print(f"[{section.database}] {label} x{times}", flush=True)
        section.paths[key] = Path_(label, _timed(call, times))
    with reading(services.db) as session:
        counts = session.execute(text(
            "SELECT (SELECT count(*) FROM panelists p JOIN interviews i"
            " ON i.id = p.interview_id WHERE p.user_id = :busy AND i.deleted_at IS NULL),"
            " (SELECT count(*) FROM interviews WHERE recruiter_id = :rec"
            " AND deleted_at IS NULL)"),
            {"busy": BUSY_INTERVIEWER, "rec": BUSY_RECRUITER}).one()
    section.paths["home_interviewer"].note = f"{counts[0]:,} interviews"
    section.paths["home_recruiter"].note = f"{counts[1]:,} interviews created"
    section.paths["list"].note = f"{counts[1]:,} interviews created"
    section.paths["retention"].note = f"{len(retention()):,} candidates due"  # type: ignore[arg-type]


def time_sweeps(section: Section, services: Any, seeded: Seeded) -> None:
    """Each seeded batch of 50 due reminders once (the first as a warm-up): claimed, sent,
    and every side effect performed, as the scheduler's run does in one process."""
    from bot.outbox.record import collecting
    from bot.reminders.publish import process_due
    from bot.reminders.service import worker_id

    commits = _Commits(services.engine)
    spent: defaultdict[str, float] = defaultdict(float)
    _timed_effects(services, spent)
    path = Path_("reminder sweep, 50 due, with every side effect")
    worker = worker_id()
    print(f"[{section.database}] {len(seeded.sweeps)} sweeps of 50 reminders", flush=True)
    for n, sweep in enumerate(seeded.sweeps):
        if n % 4 == 1:
            section.quiet()
        now = sweep.due_at + timedelta(seconds=1)
        services.clock = lambda now=now: now
        before_calls, before_commits = section_calls(), commits.count
        before_spent = dict(spent)
        began = time.perf_counter()
        with collecting():
            outcomes = process_due(services, now, worker, 50)
        sent = time.perf_counter()
        while services.side_effects.perform_due():
            pass
        elapsed = (time.perf_counter() - began) * 1000
        if n == 0:
            continue
        path.samples.append(elapsed)
        section.sweep_parts["reminders"].append((sent - began) * 1000)
        for kind, total in spent.items():
            section.sweep_parts[kind].append(total - before_spent.get(kind, 0.0))
        section.sweep_commits.append(commits.count - before_commits)
        section.sweep_outcomes.update(o.status for o in outcomes)
        section.sweep_calls.update(section_calls() - before_calls)
    section.paths["sweep"] = path
    measured = max(1, len(seeded.sweeps) - 1)
    path.note = ("per sweep: " + ", ".join(
        f"{method} {count / measured:.0f}" for method, count in
        sorted(section.sweep_calls.items())) + f"; {percentile(section.sweep_commits, 50):.0f}"
        " write commits; outcomes " + ", ".join(f"{k} {v / measured:.0f}" for k, v in
                                                sorted(section.sweep_outcomes.items()))
        + "; p50 ms: " + ", ".join(f"{part} {ms(percentile(samples, 50))}" for part, samples
                                   in sorted(section.sweep_parts.items(),
                                             key=lambda p: -percentile(p[1], 50))))


_STUB: SlackStub | None = None


def section_calls() -> Counter[str]:
    assert _STUB is not None
    return _STUB.calls()


def database_size(url: str) -> int:
    from sqlalchemy.engine import make_url

    from models import create_db_engine

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(str(parsed.database))
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT pg_database_size(current_database())")))
    finally:
        engine.dispose()


# ------------------------------------------------------------------------- the report


def ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


ORDER = ("baseline", "home_interviewer", "home_recruiter", "list", "summary", "sweep",
         "retention", "report_all", "report_organiser")


def report(sections: list[Section], history: History, repeat: int, seconds: float) -> str:
    code = _git("rev-parse", "--short", "HEAD") or "?"
    if _git("status", "--porcelain", "--", "bot", "handlers", "models", "migrations"):
        code += " with uncommitted changes to the app"
    names = [s.database for s in sections]
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC: `nproc` "
        f"{os.cpu_count()}, Python {platform.python_version()}, code at {code}; "
        f"{repeat} timed runs per path after 2 warm-ups (fewer for the scans), the sweep "
        f"once per seeded batch after one warm-up; whole run {seconds:.0f} s.",
        "",
        "| path | " + " | ".join(f"{n} p50 / p95 (ms)" for n in names) + " | "
        + " | ".join(f"{n} p95 / baseline" for n in names) + " | note |",
        "|---|" + "--:|" * (2 * len(names)) + "---|",
    ]
    for key in ORDER:
        found = [s.paths.get(key) for s in sections]
        if not all(found):
            continue
        first = found[0]
        assert first is not None
        cells = [f"{ms(p.p(50))} / {ms(p.p(95))}" for p in found if p]
        ratios = [("" if key in ("baseline", "sweep", "retention") or not key.startswith(
            ("home", "list", "summary")) else f"{p.p(95) / s.paths['baseline'].p(95):.1f}")
                  for p, s in zip(found, sections, strict=True) if p]
        notes = "; ".join(f"{s.database}: {p.note}" if len(sections) > 1 and p.note and
                          any(q and q.note != p.note for q in found) else p.note
                          for p, s in zip(found, sections, strict=True) if p and p.note)
        notes = notes if len({p.note for p in found if p}) > 1 else first.note
        lines.append(f"| {first.label} | " + " | ".join(cells) + " | "
                     + " | ".join(ratios) + f" | {notes} |")
    seeded = sections[0].seeded if sections else None
    if seeded is not None:
        lines += ["", "Seeded into " + " and ".join(names) + f" at once in {seeded.seconds:.0f} s: "
                  + ", ".join(f"{t} {n:,}" for t, n in sorted(seeded.counts.items())) + ".",
                  "", "Database size: " + "; ".join(
                      f"{s.database} {s.size_bytes / 2**30:.2f} GB" for s in sections) + "."]
    return "\n".join(lines)


def _git(*args: str) -> str:
    try:
        return subprocess.run(("git", *args), cwd=ROOT, capture_output=True, text=True,
                              timeout=5).stdout.strip()
    except OSError:
        return ""


def write_results(text_: str) -> None:
    current = RESULTS.read_text()
    if START not in current:
        current += f"\n{START}\n{END}\n"
    head, tail = current.split(START, 1)[0], current.split(END, 1)[1]
    RESULTS.write_text(f"{head}{START}\n{text_}\n{END}{tail}")


def main(argv: Sequence[str] | None = None) -> int:
    global _STUB
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interviews", type=int, default=History.interviews)
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per path")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES,
                        help="a database the benchmark drops and creates")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="leave RESULTS.md alone")
    parser.add_argument("--keep", type=Path, help="keep the SQLite file in this directory")
    args = parser.parse_args(argv)
    history = History(interviews=args.interviews, sweeps=13)
    began = time.monotonic()
    sections: list[Section] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="interview-bot-scale-") as tmp, \
            SlackStub() as stub:
        _STUB = stub
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        databases = []
        if not args.no_sqlite:
            sqlite = workdir / "scale.sqlite3"
            for path in (sqlite, Path(f"{sqlite}-wal"), Path(f"{sqlite}-shm")):
                path.unlink(missing_ok=True)
            databases.append(("SQLite", f"sqlite:///{sqlite}"))
        if not args.no_postgres:
            why = fresh_postgres(args.postgres_url)
            if why is None:
                databases.append(("PostgreSQL", args.postgres_url))
            else:
                notes.append(f"PostgreSQL skipped: {why}")
        seeded = seed(databases, history)
        for database, url in databases:
            sections.append(measure(database, url, seeded, args.repeat, stub))
    text_ = report(sections, history, args.repeat, time.monotonic() - began)
    notes.append("CPUs idle before the paths: " + "; ".join(
        f"{s.database} {min(s.idle):.0%} to {max(s.idle):.0%}" for s in sections if s.idle))
    text_ += "\n" + "".join(f"\n- {note}" for note in notes)
    print(f"\n{text_}")
    if not args.no_write:
        write_results(text_)
        print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
