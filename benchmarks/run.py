"""The load benchmark: `python -m benchmarks.run` (`make bench`), a few minutes.

`interview-bot serve` (2 workers) runs on SQLite, then on PostgreSQL, against the local
Slack fake; beside it, for the whole run, a bare Bolt app whose listeners only ack, served
by gunicorn with the same options (benchmarks/bare_app.py). On each database, after a
warm-up, each round builds two bursts with fresh interviews and fires each at our app,
waits until its outbox is empty, then fires the very same requests at bare Bolt:

- scorecards: 50 panelists of one interview submit their modal's final page within one
  second, and Slack delivers 10 of them a second time;
- mixed: 200 interactions (final-page submissions, "Score candidate" clicks,
  `/interview help`, `/interview summary <id>`) in waves of 50 simultaneous connections.

Measured: ack latency (request sent until its HTTP response was read, by the load
generator, a separate process), ours against bare Bolt; the cost of one commit on each
database (a one-row INSERT and COMMIT through the app's engine); per submission, the
versions stored and the time until its confirmation DM reached the fake. Prints a report
and writes it between the markers in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.scenarios import Sample, fire, mixed_burst, scorecard_burst
from benchmarks.world import (
    ROOT,
    SIGNING_SECRET,
    TEAM,
    Seeder,
    Server,
    TimedFake,
    app_server,
    bare_server,
    fresh_postgres,
    lower_the_rig,
    percentile,
    quiet_machine,
    start_fake,
)
from bot.demo.slack_fake import SlackSimulator
from models import OutboxStatus

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
ACK_P99_MS = 300.0
DM_P99_MS = 1000.0
BURSTS = {"scorecards": "50 scorecards in 1 s", "mixed": "200 mixed"}


@dataclass
class Section:
    """One database: our app's samples, bare Bolt's beside them, the commit cost."""

    database: str
    commit_ms: list[float] = field(default_factory=list)
    ours: dict[str, Sample] = field(default_factory=lambda: {b: Sample() for b in BURSTS})
    bare: dict[str, Sample] = field(default_factory=lambda: {b: Sample() for b in BURSTS})
    outbox_failed: int = 0
    exit_code: int | None = None
    idle: list[float] = field(default_factory=list)  # the CPUs' idle fraction before bursts


def measure(database: str, url: str, bare: Server, fake: TimedFake, workers: int,
            rounds: int, workdir: Path) -> Section:
    section = Section(database)
    server = app_server(url, fake, workers, workdir / f"app-{database}.log").start(workers)
    seeder = Seeder(url)  # the server has migrated the schema
    try:
        section.commit_ms = seeder.commit_ms()
        app = SlackSimulator(server.url, SIGNING_SECRET, fake, team_id=TEAM)
        warm_up = mixed_burst(app, fake, seeder, f"{database}-warm-up", interviews=10)
        seeder.wait_for_outbox()
        fire(server.url, warm_up)
        seeder.wait_for_outbox()
        fire(bare.url, warm_up)
        for n in range(rounds):
            for burst, build in (("scorecards", scorecard_burst), ("mixed", mixed_burst)):
                print(f"[{database}] round {n + 1}/{rounds}: {BURSTS[burst]}", flush=True)
                requests = build(app, fake, seeder, f"{database}-{n}")
                seeder.wait_for_outbox()  # the set-up's side effects done: ours is idle
                section.idle.append(quiet_machine())
                ours, theirs = section.ours[burst], section.bare[burst]
                cpu = server.cpu_seconds()
                results = fire(server.url, requests)
                ours.add_acks(requests, results)
                ours.add_outcomes(fake, seeder, requests, results)  # the outbox is empty
                ours.cpu_seconds += server.cpu_seconds() - cpu
                cpu = bare.cpu_seconds()
                theirs.add_acks(requests, fire(bare.url, requests))
                theirs.cpu_seconds += bare.cpu_seconds() - cpu
        section.outbox_failed = seeder.outbox().get(OutboxStatus.FAILED, 0)
    finally:
        seeder.close()
        section.exit_code = server.stop()
    return section


# --- the report ------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def report(sections: list[Section], rounds: int, notes: list[str]) -> str:
    code = _run("git", "rev-parse", "--short", "HEAD") or "?"
    if _run("git", "status", "--porcelain", "--", "bot", "handlers", "models"):
        code += " with uncommitted changes to the app"
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: `nproc` {_run('nproc') or '?'} "
        f"({_cpu_model()}), Python {platform.python_version()}, code at {code}; "
        f"{rounds} rounds per database, pooled.",
        "",
        "One commit (a one-row INSERT + COMMIT through the app's engine, 200 in a row), "
        "p50 / p99 ms: " + "; ".join(
            f"{s.database} {percentile(s.commit_ms, 50):.2f} / "
            f"{percentile(s.commit_ms, 99):.2f}" for s in sections) + ".",
        "",
        "| database | burst | requests | ack p50 ours / bare (ms) | ack p99 ours / bare (ms) "
        "| ratio p50 / p99 | extra p50 (ms) | extra in commits | not 200 ours / bare "
        "| server CPU per request ours / bare (ms) |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for s in sections:
        for burst, label in BURSTS.items():
            ours, bare = s.ours[burst], s.bare[burst]
            o50, o99 = percentile(ours.acks_ms, 50), percentile(ours.acks_ms, 99)
            b50, b99 = percentile(bare.acks_ms, 50), percentile(bare.acks_ms, 99)
            lines.append(
                f"| {s.database} | {label} | {ours.requests} | {ms(o50)} / {ms(b50)} "
                f"| {ms(o99)} / {ms(b99)} | {o50 / b50:.1f} / {o99 / b99:.1f} "
                f"| {ms(o50 - b50)} | {(o50 - b50) / percentile(s.commit_ms, 50):.0f} "
                f"| {len(ours.not_ok)} / {len(bare.not_ok)} "
                f"| {1000 * ours.cpu_seconds / ours.requests:.1f} / "
                f"{1000 * bare.cpu_seconds / bare.requests:.1f} |")
    lines += ["", "Ours' ack p50 / p99 by kind in the mixed burst (ms): " + "; ".join(
        f"{s.database} " + ", ".join(
            f"{kind} {ms(percentile(acks, 50))} / {ms(percentile(acks, 99))}"
            for kind, acks in sorted(s.ours["mixed"].by_kind.items()))
        for s in sections) + "."]
    lines += [
        "",
        "| database | burst | submissions | lost | duplicated | DM missing | DM doubled "
        "| DM p50 (ms) | DM p99 (ms) |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for s in sections:
        for burst, label in BURSTS.items():
            o = s.ours[burst]
            lines.append(f"| {s.database} | {label} | {o.submissions} | {o.lost} "
                         f"| {o.duplicated} | {o.dm_missing} | {o.dm_doubled} "
                         f"| {ms(percentile(o.dm_ms, 50))} | {ms(percentile(o.dm_ms, 99))} |")
    lines += ["", *verdicts(sections), "", *(f"- {note}" for note in notes)]
    return "\n".join(lines)


def verdicts(sections: list[Section]) -> list[str]:
    def verdict(ok: bool, value: str = "") -> str:
        return ("met" if ok else "**missed**") + (f" ({value})" if value else "")

    lines = [f"| database | burst | ours' ack p99 < {ACK_P99_MS:.0f} ms, every answer 200 "
             f"| DM p99 < {DM_P99_MS:.0f} ms | 0 lost, 0 duplicated, one DM each |",
             "|---|---|---|---|---|"]
    for s in sections:
        for burst, label in BURSTS.items():
            o = s.ours[burst]
            p99, dm99 = percentile(o.acks_ms, 99), percentile(o.dm_ms, 99)
            exact = o.lost + o.duplicated + o.dm_missing + o.dm_doubled == 0
            lines.append(f"| {s.database} | {label} "
                         f"| {verdict(p99 < ACK_P99_MS and not o.not_ok, f'{ms(p99)} ms')} "
                         f"| {verdict(dm99 < DM_P99_MS, f'{ms(dm99)} ms')} "
                         f"| {verdict(exact)} |")
    return lines


def _run(*command: str) -> str:
    try:
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                              timeout=5).stdout.strip()
    except OSError:
        return ""


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def write_results(text: str) -> None:
    current = RESULTS.read_text()
    head, tail = current.split(START, 1)[0], current.split(END, 1)[1]
    RESULTS.write_text(f"{head}{START}\n{text}\n{END}{tail}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="rounds per database")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES,
                        help="a database the benchmark drops and creates")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="leave RESULTS.md alone")
    parser.add_argument("--logs", type=Path, help="keep the servers' logs in this directory")
    args = parser.parse_args(argv)
    lower_the_rig()
    began = time.monotonic()
    notes: list[str] = []
    sections: list[Section] = []
    with tempfile.TemporaryDirectory(prefix="interview-bot-bench-") as tmp:
        workdir = args.logs or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        sqlite = workdir / "bench.sqlite3"
        for path in (sqlite, Path(f"{sqlite}-wal"), Path(f"{sqlite}-shm")):
            path.unlink(missing_ok=True)
        databases = [("SQLite", f"sqlite:///{sqlite}")]
        if not args.no_postgres:
            why = fresh_postgres(args.postgres_url)
            if why is None:
                databases.append(("PostgreSQL", args.postgres_url))
            else:
                notes.append(f"PostgreSQL skipped: {why}")
        fake = start_fake()
        bare = bare_server(fake, args.workers, workdir / "bare.log")
        try:
            bare.start(args.workers)
            for database, url in databases:
                sections.append(measure(database, url, bare, fake, args.workers, args.rounds,
                                        workdir))
        finally:
            bare.stop()
            fake.stop()
    notes.append(f"whole run {time.monotonic() - began:.0f} s; CPUs idle before each burst: "
                 + "; ".join(f"{s.database} {min(s.idle):.0%} to {max(s.idle):.0%}"
                             for s in sections if s.idle))
    notes += [f"{s.database}: `serve` exited with {s.exit_code} on SIGTERM"
              for s in sections if s.exit_code != 0]
    notes += [f"{s.database}: {s.outbox_failed} outbox rows failed for good"
              for s in sections if s.outbox_failed]
    for s in sections:
        for burst, label in BURSTS.items():
            for who, sample in (("ours", s.ours[burst]), ("bare", s.bare[burst])):
                if sample.not_ok:
                    notes.append(f"{s.database}, {label}, {who}: "
                                 f"{', '.join(sorted(set(sample.not_ok)))}")
    text = report(sections, args.rounds, notes)
    print(f"\n{text}")
    if not args.no_write:
        write_results(text)
        print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
