"""The benchmark, in one command: `python -m benchmarks.run` (or `make bench`).

For each database (SQLite, and PostgreSQL when it answers), `interview-bot serve` starts
with WEB_CONCURRENCY workers on a fresh database holding 10,000 pending reminders (start-up
time and memory are measured), then takes two bursts of signed requests from a separate
load-generator process, while the Slack fake (in this process) answers its Web API calls:

1. 50 panelists of one interview submit their scorecards within one second (plus Slack
   retrying some of those deliveries); then no scorecard may be lost or stored twice.
2. 200 mixed interactions across 50 interviews, in waves of 50 simultaneous connections:
   "Score candidate" and "View panel feedback" clicks (modals), `/interview help`,
   `/interview summary <id>`.

The same bursts go to a bare Bolt app that only acks, under the same gunicorn settings.
Also timed in-process: the debrief summary of 12 panelists x 150 questions. Prints a table
and writes it, with the machine, into benchmarks/RESULTS.md.

Options: --quick (SQLite only, one round, fewer reminders; RESULTS.md left alone),
--no-postgres / --no-sqlite, --rounds N, --postgres-url URL (a server; the benchmark uses
its own database "bench" there), --workers N, --no-write, --logs DIR (keep the servers'
logs), --profile DIR (py-spy profiles of the workers during each burst).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.scenarios import (
    Measured,
    ScorecardBurst,
    build_mixed_burst,
    build_scorecard_burst,
    fire,
    measure_acks,
    mixed_effects,
    pool,
    scorecard_effects,
    scorecard_rows,
)
from benchmarks.servers import Server, app_server, bare_server
from benchmarks.world import (
    LEAD,
    SIGNING_SECRET,
    TEAM,
    Seeder,
    cpu_idle_fraction,
    cpu_seconds,
    fresh_database,
    largest_set,
    machine,
    panelist_id,
    postgres_reachable,
    postgres_url_for,
    shipped_set,
    start_fake,
)
from bot.slack_fake import SlackSimulator

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
START_MARK, END_MARK = "<!-- results:start -->", "<!-- results:end -->"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# The targets.
ACK_P99_MS = 300.0
ACK_RATIO = 1.5
SUMMARY_MS = 50.0
STARTUP_S = 2.0
RSS_MIB = 150.0


@dataclass
class Config:
    workers: int = 2
    panelists: int = 50
    retries: int = 10
    window: float = 1.0
    interviews: int = 50
    mixed: int = 200
    waves: int = 4
    wave_gap: float = 0.5
    reminders: int = 10_000
    summary_runs: int = 30
    reps: int = 3
    profile_dir: Path | None = None


@dataclass
class TargetRun:
    """Everything measured against one server."""

    name: str
    scorecards: Measured | None = None
    mixed: Measured | None = None
    startup_s: float | None = None
    workers_ready_s: float | None = None
    rss_idle: dict[str, float] = field(default_factory=dict)
    rss_after: dict[str, float] = field(default_factory=dict)
    stop_code: int | None = None
    stop_s: float | None = None
    stored: dict[str, Any] = field(default_factory=dict)
    reminders: int = 0
    baseline: TargetRun | None = None  # the bare Bolt measurements beside these
    idle: list[float] = field(default_factory=list)  # CPU idle before each round

    @property
    def is_bare(self) -> bool:
        return self.name.startswith("bare")


# --- runs --------------------------------------------------------------------------------


def run_backend(backend: str, database_url: str, bare: Server, config: Config,
                workdir: Path) -> tuple[TargetRun, TargetRun]:
    """Our app on one database, and the bare Bolt app taking the very same request bodies
    right after each of our bursts (so that both see the same machine)."""
    ours, theirs = TargetRun(f"app on {backend}"), TargetRun(f"bare Bolt ({backend} round)")
    theirs.startup_s, theirs.workers_ready_s = bare.started_in, bare.workers_ready_in
    theirs.rss_idle = bare.rss_mib()
    print(f"[{backend}] fresh database, {config.reminders:,} pending reminders…", flush=True)
    fresh_database(database_url)
    seeder = Seeder(database_url)
    qs = shipped_set()
    ours.reminders = seeder.pending_reminders(config.reminders, qs)
    seeder.analyze()
    scorecards: list[Measured] = []
    mixed: list[Measured] = []
    bare_scorecards: list[Measured] = []
    bare_mixed: list[Measured] = []
    ours.stored = {"panelists": 0, "with_scorecard": 0, "versions": 0, "lost": 0,
                   "refused": 0, "duplicated": 0}
    try:
        with start_fake(config.panelists) as fake:  # a fresh Slack for every database
            server = app_server(database_url, fake.url, config.workers,
                                workdir / f"app-{backend}.log")
            server.start(config.workers)
            ours.startup_s, ours.workers_ready_s = server.started_in, server.workers_ready_in
            time.sleep(1.0)  # the schedulers' first look at the pending rows
            ours.rss_idle = server.rss_mib()
            app = SlackSimulator(server.url, SIGNING_SECRET, fake, team_id=fake.team_id)
            try:
                for rep in range(config.reps):
                    ours.idle.append(wait_until_quiet())
                    print(f"[{backend}] round {rep + 1}/{config.reps}: {config.panelists} "
                          f"scorecards within {config.window:g} s, then {config.mixed} "
                          "mixed interactions (each also to bare Bolt)…", flush=True)
                    profile = config.profile_dir if rep == 0 else None
                    burst = build_scorecard_burst(fake, seeder, app, qs, config.panelists,
                                                  config.retries, config.window)
                    with Profiled(server, profile, f"{backend}-scorecards"):
                        mark, cpu = fake.mark(), CpuMeter(server)
                        results = fire(server.url, burst.requests)
                        measured = scorecard_effects(fake, mark, burst, results)
                        measured.extra["cpu"] = cpu.used()
                    scorecards.append(measured)
                    count_stored(ours.stored, burst, results,
                                 scorecard_rows(seeder, burst.interview_id))
                    bare_scorecards.append(fire_measured(bare, burst.requests))

                    burst_mixed = build_mixed_burst(fake, seeder, qs, config.interviews,
                                                    config.mixed, config.waves,
                                                    config.wave_gap)
                    with Profiled(server, profile, f"{backend}-mixed"):
                        mark, cpu = fake.mark(), CpuMeter(server)
                        results = fire(server.url, burst_mixed.requests)
                        measured = mixed_effects(fake, mark, burst_mixed, results)
                        measured.extra["cpu"] = cpu.used()
                    mixed.append(measured)
                    bare_mixed.append(fire_measured(bare, burst_mixed.requests))
                ours.rss_after = server.rss_mib()
                theirs.rss_after = bare.rss_mib()
            finally:
                ours.stop_code, ours.stop_s = server.stop()
    finally:
        seeder.close()
    ours.scorecards, ours.mixed = pool(scorecards), pool(mixed)
    theirs.scorecards, theirs.mixed = pool(bare_scorecards), pool(bare_mixed)
    ours.baseline = theirs
    return ours, theirs


QUIET_IDLE = 0.85  # the machine's CPUs at least this idle before a round starts
QUIET_WAIT_SECONDS = 60.0


def wait_until_quiet() -> float:
    """Other work on the machine (someone's test run) shows in every latency: wait, up to
    a minute, until the CPUs are idle before a round. Returns the idle fraction seen."""
    deadline = time.monotonic() + QUIET_WAIT_SECONDS
    idle = cpu_idle_fraction()
    while idle < QUIET_IDLE and time.monotonic() < deadline:
        idle = cpu_idle_fraction(1.0)
    return idle


def count_stored(totals: dict[str, int], burst: ScorecardBurst,
                 results: list[dict[str, Any]], stored: dict[str, int]) -> None:
    """Lost: Slack got a 200 (the modal closed: the panelist believes it is in) for some
    delivery of the submission, yet no scorecard was stored. Refused: every delivery was
    answered with an error, so Slack kept the modal open with an error (the panelist
    sends again). Duplicated: more than one version from one submission."""
    status = {r["id"]: r.get("status") for r in results}
    accepted = {r.user for r in burst.requests if status.get(r.id) == 200}
    totals["panelists"] += len(burst.panel)
    totals["with_scorecard"] += len(stored)
    totals["versions"] += sum(stored.values())
    totals["lost"] += sum(1 for user in burst.panel if user in accepted and user not in stored)
    totals["refused"] += sum(1 for user in burst.panel
                             if user not in accepted and user not in stored)
    totals["duplicated"] += sum(1 for count in stored.values() if count > 1)


def fire_measured(server: Server, requests: list[Any]) -> Measured:
    cpu = CpuMeter(server)
    measured = measure_acks(fire(server.url, requests))
    measured.extra["cpu"] = cpu.used()
    return measured


class CpuMeter:
    """CPU seconds used during a burst: the server's processes, this process (the Slack
    fake answering the app), and the load generator (a child waited for)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.pids = [p for p in [server.process.pid if server.process else 0,
                                 *server.child_pids()] if p]
        self.background = server.background_pids()
        self.start = self._now()

    def _now(self) -> tuple[float, ...]:
        own = os.times()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (sum(cpu_seconds(p) for p in self.pids),
                sum(cpu_seconds(p) for p in self.background), own.user + own.system,
                children.ru_utime + children.ru_stime, postgres_cpu_seconds(),
                time.monotonic())

    def used(self) -> dict[str, float]:
        end = self._now()
        server, background, fake, loadgen, postgres, wall = (
            b - a for a, b in zip(self.start, end, strict=True))
        return {"server": server, "background": background, "fake": fake,
                "loadgen": loadgen, "postgres": postgres, "wall": wall}


def postgres_cpu_seconds() -> float:
    """CPU of the local PostgreSQL server: the postmaster, its backends alive, and those
    that exited (their CPU is the postmaster's children's). 0 where none runs here."""
    postmasters = [p for p in (Path("/proc").glob("[0-9]*"))
                   if _comm(p) == "postgres" and _comm(p.parent / _ppid(p)) != "postgres"]
    total = 0.0
    for postmaster in postmasters:
        total += cpu_seconds(int(postmaster.name), children=True)
        for task in postmaster.glob("task/*/children"):
            for child in task.read_text().split():
                total += cpu_seconds(int(child))
    return total


def _comm(proc: Path) -> str:
    try:
        return (proc / "comm").read_text().strip()
    except OSError:
        return ""


def _ppid(proc: Path) -> str:
    try:
        return (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
    except (OSError, IndexError):
        return "0"


class Profiled:
    """py-spy on each worker of `server` during one burst (--profile DIR): collapsed stacks
    of the threads holding the GIL, i.e. where the workers' CPU goes."""

    def __init__(self, server: Server, directory: Path | None, name: str) -> None:
        self.server, self.directory, self.name = server, directory, name
        self.profilers: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Profiled:
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self.profilers = [
                subprocess.Popen(["py-spy", "record", "--gil", "--format", "raw", "--rate",
                                  "250", "-o", str(self.directory / f"{self.name}-{n}.txt"),
                                  "-p", str(pid)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for n, pid in enumerate(self.server.child_pids())]
            time.sleep(0.5)  # attached before the first request
        return self

    def __exit__(self, *exc_info: object) -> None:
        for profiler in self.profilers:
            profiler.send_signal(signal.SIGINT)
        for profiler in self.profilers:
            profiler.wait(timeout=30)


# --- the summary, in-process -------------------------------------------------------------


@dataclass
class SummaryTiming:
    backend: str
    consensus_ms: float  # consensus.panel_consensus alone (pure maths)
    build_ms: float  # + reading the loaded rows into the summary
    render_ms: float  # + the Block Kit message
    end_to_end_ms: float  # summary_for (database read) + message: `/interview summary`
    p95_end_to_end_ms: float
    blocks: int


def time_summary(database_url: str, backend: str, runs: int) -> SummaryTiming:
    from bot import consensus
    from bot.app import build_services
    from bot.blocks.summary import debrief_summary_message
    from bot.debrief import build_summary, consensus_ratings, scale_of, summary_for
    from bot.i18n import translator
    from bot.interviews import current_ratings, get_interview
    from bot.question_sets import RECOMMENDATION_KEYS
    from bot.settings import load_settings
    from models import transaction

    fresh_database(database_url)
    seeder = Seeder(database_url)
    qs = largest_set()
    panel = [panelist_id(n) for n in range(12)]
    interview_id = seeder.interview(qs, panel, candidate="Largest Panel")
    for n, user in enumerate(panel):
        seeder.scorecard(interview_id, user, {
            q.id: None if (i + n) % 11 == 0 else 1 + (i * 7 + n * 3) % 5
            for i, q in enumerate(q for c in qs.categories for q in c.questions)},
            recommendation=("strong_no_hire", "no_hire", "hire", "strong_hire")[n % 4])
    seeder.close()
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-unused", "SLACK_SIGNING_SECRET": "x",
                              "SLACK_API_URL": "http://127.0.0.1:9/api/",
                              "DATABASE_URL": database_url}, env_file=None)
    services = build_services(settings)
    t = translator("en")
    with transaction(services.db) as session:
        interview = get_interview(session, TEAM, interview_id)
        stored = current_ratings(session, interview_id)
        ratings = consensus_ratings(interview, qs, stored)
        recommendations = {p.user_id: p.scorecard.current.recommendation
                           for p in interview.panelists if p.scorecard}
        pure = median_ms(lambda: consensus.panel_consensus(
            ratings, scale_of(qs), [c.id for c in qs.categories], recommendations,
            RECOMMENDATION_KEYS), runs)
        build = median_ms(lambda: build_summary(interview, stored), runs)
        render = median_ms(lambda: debrief_summary_message(t, build_summary(interview, stored),
                                                           organiser=True), runs)

    def end_to_end() -> int:
        summary, organiser = summary_for(services, TEAM, interview_id, LEAD)
        return len(debrief_summary_message(t, summary, organiser=organiser).blocks)

    blocks = end_to_end()
    samples = sample_ms(end_to_end, runs)
    services.engine.dispose()
    return SummaryTiming(backend, pure, build, render, statistics.median(samples),
                         percentile(samples, 95), blocks)


def sample_ms(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()  # warm caches (the frozen set's parse, translations)
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    return statistics.median(sample_ms(fn, runs))


# --- reporting ---------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: p99 of 50 samples is the maximum)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def stats(values: Sequence[float]) -> str:
    if not values:
        return "— | — | — | —"
    return " | ".join(f"{percentile(values, p):.0f}" for p in (50, 95, 99, 100))


def latency_table(runs: list[TargetRun]) -> list[str]:
    lines = ["| server | burst | requests | dropped | non-200 | ack p50 | p95 | p99 | max "
             "| effect p50 | p95 | p99 | max | effects missing |",
             "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for run in runs:
        for label, measured in (("50 scorecards / 1 s", run.scorecards),
                                ("200 mixed", run.mixed)):
            if measured is None:
                continue
            effect = "— | — | — | —" if run.is_bare else stats(measured.effect_ms)
            missing = "—" if run.is_bare else measured.effects_missing
            lines.append(f"| {run.name} | {label} | {measured.requests} | {measured.dropped} "
                         f"| {measured.failed} | {stats(measured.ack_ms)} | {effect} "
                         f"| {missing} |")
    return lines


def ratio_table(runs: list[TargetRun]) -> list[str]:
    lines = ["| server | burst | ack p99 (ms) | bare Bolt p99 (ms) | ratio | p50 ratio |",
             "|---|---|--:|--:|--:|--:|"]
    for run in runs:
        if run.baseline is None:
            continue
        for label, ours, theirs in (
                ("50 scorecards / 1 s", run.scorecards, run.baseline.scorecards),
                ("200 mixed", run.mixed, run.baseline.mixed)):
            if ours is None or theirs is None or not ours.ack_ms or not theirs.ack_ms:
                continue
            p99, base = percentile(ours.ack_ms, 99), percentile(theirs.ack_ms, 99)
            p50 = percentile(ours.ack_ms, 50) / percentile(theirs.ack_ms, 50)
            lines.append(f"| {run.name} | {label} | {p99:.0f} | {base:.0f} "
                         f"| {p99 / base:.2f} | {p50:.2f} |")
    return lines


def process_table(runs: list[TargetRun]) -> list[str]:
    lines = ["| server | pending reminders | healthy after (s) | all workers up (s) "
             "| RSS idle master / workers (+ background) (MiB) "
             "| RSS after bursts, workers (+ background) (MiB) "
             "| SIGTERM: exit code, seconds |",
             "|---|--:|--:|--:|---|---|---|"]
    for run in runs:
        workers_idle = [v for k, v in run.rss_idle.items() if k.startswith("worker")]
        workers_after = [v for k, v in run.rss_after.items() if k.startswith("worker")]
        background = (f" (+ {run.rss_idle['background']:.0f})"
                      if "background" in run.rss_idle else "")
        background_after = (f" (+ {run.rss_after['background']:.0f})"
                            if "background" in run.rss_after else "")
        lines.append(
            f"| {run.name} | {run.reminders:,} | {fmt(run.startup_s, 2)} "
            f"| {fmt(run.workers_ready_s, 2)} "
            f"| {run.rss_idle.get('master', 0):.0f} / "
            f"{', '.join(f'{v:.0f}' for v in workers_idle)}{background} "
            f"| {', '.join(f'{v:.0f}' for v in workers_after)}{background_after} "
            f"| {run.stop_code}, {fmt(run.stop_s, 1)} |")
    return lines


def kind_table(runs: list[TargetRun]) -> list[str]:
    lines = ["| server | interaction | requests | ack p50 | p95 | p99 | max |",
             "|---|---|--:|--:|--:|--:|--:|"]
    names = {"click": "Score candidate click (modal after the ack)",
             "feedback": "View panel feedback click (modal after the ack)",
             "help": "`/interview help` (answered in the ack)",
             "summary": "`/interview summary <id>` (computed after the ack)"}
    for run in runs:
        if run.is_bare or run.mixed is None:
            continue
        for kind, values in sorted(run.mixed.by_kind.items()):
            lines.append(f"| {run.name} | {names.get(kind, kind)} | {len(values)} "
                         f"| {stats(values)} |")
    return lines


def cpu_table(runs: list[TargetRun]) -> list[str]:
    lines = ["| server | burst | server processes | of which background | PostgreSQL server "
             "| Slack fake + benchmark | load generator | wall clock (s) |",
             "|---|---|--:|--:|--:|--:|--:|--:|"]
    for run in runs:
        for label, measured in (("50 scorecards / 1 s", run.scorecards),
                                ("200 mixed", run.mixed)):
            cpu = measured.extra.get("cpu") if measured else None
            if cpu:
                lines.append(f"| {run.name} | {label} | {cpu['server']:.2f} s "
                             f"| {cpu.get('background', 0):.2f} s "
                             f"| {cpu.get('postgres', 0):.2f} s "
                             f"| {cpu['fake']:.2f} s | {cpu['loadgen']:.2f} s "
                             f"| {cpu['wall']:.1f} |")
    return lines


def summary_table(timings: list[SummaryTiming]) -> list[str]:
    lines = ["| database | consensus maths | + summary from loaded rows | + Block Kit message "
             "| `/interview summary` work (read + maths + message) | p95 | blocks |",
             "|---|--:|--:|--:|--:|--:|--:|"]
    for s in timings:
        lines.append(f"| {s.backend} | {s.consensus_ms:.1f} ms | {s.build_ms:.1f} ms "
                     f"| {s.render_ms:.1f} ms | {s.end_to_end_ms:.1f} ms "
                     f"| {s.p95_end_to_end_ms:.1f} ms | {s.blocks} |")
    return lines


def stored_table(runs: list[TargetRun]) -> list[str]:
    lines = ["| server | panelists | scorecards stored | versions | lost | refused (error "
             "shown, modal kept) | duplicated | confirmation DMs doubled | plan updates |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for run in runs:
        if not run.stored or run.scorecards is None:
            continue
        s, extra = run.stored, run.scorecards.extra
        lines.append(f"| {run.name} | {s['panelists']} | {s['with_scorecard']} "
                     f"| {s['versions']} | {s['lost']} | {s['refused']} | {s['duplicated']} "
                     f"| {extra.get('confirmation_dms_doubled')} "
                     f"| {extra.get('plan_updates')} |")
    return lines


def fmt(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def verdicts(runs: list[TargetRun], timings: list[SummaryTiming]) -> list[str]:
    lines = []

    def say(ok: bool, text: str) -> None:
        lines.append(f"- {'met' if ok else 'MISSED'}: {text}")

    for run in runs:
        for label, measured in (("scorecards", run.scorecards), ("mixed", run.mixed)):
            if measured is None:
                continue
            say(measured.dropped == 0, f"{run.name}, {label}: {measured.dropped} dropped "
                f"connections of {measured.requests}")
            say(measured.failed == 0, f"{run.name}, {label}: {measured.failed} answers other "
                "than 200 (Bolt answers 404 when a listener has not acked within 3 s)")
            if run.is_bare:
                continue
            p99 = percentile(measured.ack_ms, 99)
            say(p99 < ACK_P99_MS, f"{run.name}, {label}: ack p99 {p99:.0f} ms "
                f"(< {ACK_P99_MS:.0f})")
            other = getattr(run.baseline, label, None) if run.baseline else None
            if other is not None and other.ack_ms:
                ratio = p99 / percentile(other.ack_ms, 99)
                say(ratio <= ACK_RATIO, f"{run.name}, {label}: ack p99 {ratio:.2f}x bare "
                    f"Bolt's (<= {ACK_RATIO})")
        if run.stored:
            say(run.stored["lost"] == 0 and run.stored["duplicated"] == 0,
                f"{run.name}: {run.stored['lost']} scorecards lost, "
                f"{run.stored['duplicated']} duplicated")
        if not run.is_bare and run.startup_s is not None:
            say(run.startup_s < STARTUP_S, f"{run.name}: healthy {run.startup_s:.2f} s after "
                f"start with {run.reminders:,} pending reminders (< {STARTUP_S:.0f} s)")
            rss = max([v for k, v in {**run.rss_idle, **run.rss_after}.items()] or [0])
            say(rss < RSS_MIB, f"{run.name}: largest process RSS {rss:.0f} MiB "
                f"(< {RSS_MIB:.0f})")
            say(run.stop_code == 0, f"{run.name}: SIGTERM exit code {run.stop_code}")
    for s in timings:
        say(s.end_to_end_ms < SUMMARY_MS, f"summary 12 x 150 on {s.backend}: "
            f"{s.end_to_end_ms:.1f} ms (< {SUMMARY_MS:.0f})")
    return lines


def report(runs: list[TargetRun], timings: list[SummaryTiming],
           config: Config, info: dict[str, str], notes: list[str]) -> str:
    memory = info["memory"].replace("\n", "\n    ")
    parts = [
        f"Run {info['date']} with `python -m benchmarks.run`: {info['nproc']} CPUs "
        f"({info['cpu']}), Python {info['python']}, {info['platform']}; "
        f"WEB_CONCURRENCY={config.workers} (gthread, 16 threads each) for every server.",
        "",
        "    $ free -h",
        f"    {memory}",
        "",
        "### Ack latency and side effects (ms)",
        "",
        "Ack: the client's view, TCP connect to the end of the response. Effect: request "
        "sent until the fake answered the Web API call it caused (submission: the author's "
        "confirmation DM; click: the modal's views.open; `/interview summary`: its answer "
        "through the response_url; `/interview help`: its answer is in the ack). "
        "Percentiles are nearest-rank.",
        "",
        *latency_table(runs),
        "",
        "Our app's acks in the mixed burst, by interaction (ms):",
        "",
        *kind_table(runs),
        "",
        "CPU seconds used from the first request of a burst until its side effects were "
        "seen (this machine has " + info["nproc"] + " CPUs for all of it):",
        "",
        *cpu_table(runs),
        "",
        "### Against bare Bolt in the same run",
        "",
        *ratio_table(runs),
        "",
        "### No lost or duplicated scorecard (50 submissions + "
        f"{config.retries} Slack retries of them)",
        "",
        *stored_table(runs),
        "",
        "### Debrief summary, 12 panelists x 150 questions (median of "
        f"{config.summary_runs})",
        "",
        *summary_table(timings),
        "",
        "### Start-up, memory, shutdown",
        "",
        *process_table(runs),
        "",
        "### Targets",
        "",
        *verdicts(runs, timings),
    ]
    if notes:
        parts += ["", "### Notes from this run", "", *(f"- {n}" for n in notes)]
    return "\n".join(parts)


def write_results(text: str) -> None:
    before, after = f"# Benchmark results\n\n{START_MARK}\n", f"\n{END_MARK}\n"
    if RESULTS.exists():
        current = RESULTS.read_text()
        if START_MARK in current and END_MARK in current:
            before = current[:current.index(START_MARK) + len(START_MARK)] + "\n"
            after = "\n" + current[current.index(END_MARK):]
    RESULTS.write_text(before + text + after)


# --- main --------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="SQLite only, fewer reminders and runs; RESULTS.md left alone")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--rounds", type=int, help="rounds of both bursts per database "
                        "(default 3, --quick 1)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES,
                        help="a PostgreSQL server (the benchmark creates and uses its own "
                        "database 'bench' there)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="record py-spy profiles of our app's workers into DIR "
                        "(needs py-spy on PATH)")
    parser.add_argument("--logs", type=Path, metavar="DIR",
                        help="keep the servers' logs and databases in DIR")
    args = parser.parse_args(argv)
    config = Config(workers=args.workers, profile_dir=args.profile)
    if args.quick:
        config.reminders, config.summary_runs, config.reps = 2_000, 10, 1
    info = machine()
    notes: list[str] = []
    if args.rounds:
        config.reps = args.rounds
    backends: list[tuple[str, str | None]] = [] if args.no_sqlite else [("SQLite", None)]
    if not (args.quick or args.no_postgres):
        why = postgres_reachable(args.postgres_url)
        if why is None:
            backends.append(("PostgreSQL", postgres_url_for(args.postgres_url, "bench")))
        else:
            notes.append(f"PostgreSQL skipped: {why}")
    began = time.monotonic()
    load_before = os.getloadavg()
    runs: list[TargetRun] = []
    timings: list[SummaryTiming] = []
    with tempfile.TemporaryDirectory(prefix="interview-bot-bench-") as tmp:
        workdir = args.logs or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        # The baseline runs for the whole benchmark, idle between its bursts.
        with start_fake(config.panelists) as bare_fake:
            bare = bare_server(bare_fake.url, config.workers, workdir / "bare.log")
            bare.start(config.workers)
            try:
                for name, url in backends:
                    url = url or f"sqlite:///{workdir / 'bench.sqlite3'}"
                    ours, theirs = run_backend(name, url, bare, config, workdir)
                    runs += [ours, theirs]
                    print(f"[{name}] summary 12 x 150…", flush=True)
                    summary_url = url if name != "SQLite" else \
                        f"sqlite:///{workdir / 'summary.sqlite3'}"
                    timings.append(time_summary(summary_url, name, config.summary_runs))
            finally:
                code, seconds = bare.stop()
                for run in runs:
                    if run.name.startswith("bare"):
                        run.stop_code, run.stop_s = code, seconds
    for run in runs:
        if run.idle:
            notes.append(f"{run.name}: CPUs idle before each round: "
                         f"{', '.join(f'{100 * i:.0f}%' for i in run.idle)}"
                         + ("" if min(run.idle) >= QUIET_IDLE else
                            " (the machine was busy with other work)"))
        if run.scorecards and run.scorecards.notes:
            notes.append(f"{run.name}, scorecards: {'; '.join(run.scorecards.notes)}")
        if run.mixed and run.mixed.notes:
            notes.append(f"{run.name}, mixed: {'; '.join(run.mixed.notes)}")
        if run.scorecards and run.scorecards.extra.get("plan_updates") == 0 \
                and not run.is_bare:
            notes.append(f"{run.name}: no plan message update seen (bot/plan.py "
                         "refresh_plan_message missing?)")
    notes.append(f"whole run: {time.monotonic() - began:.0f} s; load average (1, 5, 15 min) "
                 f"before {', '.join(f'{v:.1f}' for v in load_before)}, after "
                 f"{', '.join(f'{v:.1f}' for v in os.getloadavg())} (other work on the "
                 "machine shows up in the latencies)")
    text = report(runs, timings, config, info, notes)
    print()
    print(text)
    if not (args.quick or args.no_write):
        write_results(text)
        print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
