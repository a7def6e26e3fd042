"""CPU per request in a worker, ours against bare Bolt, one request at a time, in-process:
`python -m benchmarks.cpu` (`make bench-cpu`; `--help` for the options).

The burst benchmark (benchmarks/run.py) times acks under contention, and its tails move
2-5x between runs of the same code. This one takes the contention away: each request of
the mixed burst and of the scorecard burst goes, signed, through the WSGI app exactly as
`serve` builds it in a worker (listener pool with post-ack turns, jobs handed to the
background over the hand-off), and then through bare Bolt's, one after the other; the
process's CPU time is read around each, once the listener has finished. The background
side of the hand-off is not run: its queues are read and dropped by threads whose own CPU
is taken out. What is left is what a worker spends per request, the number to cut when
the burst's p50 ratio is above 1.

Each scorecard submission is the same final page sent again (its form opened once, for
real, with the jobs run at once): the checks before its ack read the same rows each time.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import io
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.bare_app import create_bare_app, make_bare_wsgi
from benchmarks.scenarios import Planned, build_mixed_burst, build_scorecard_burst
from benchmarks.world import (
    BOT_TOKEN,
    SIGNING_SECRET,
    Seeder,
    fresh_database,
    postgres_reachable,
    postgres_url_for,
    shipped_set,
    start_fake,
)
from bot.settings import load_settings

WSGI = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
KINDS = {"submit": "Scorecard submission (final page)", "click": "Score candidate click",
         "feedback": "View panel feedback click", "help": "`/interview help`",
         "summary": "`/interview summary <id>`"}


def signed_environ(body: str, content_type: str) -> dict[str, Any]:
    raw = body.encode()
    stamp = str(int(time.time()))
    signature = hmac.new(SIGNING_SECRET.encode(), f"v0:{stamp}:".encode() + raw,
                         hashlib.sha256).hexdigest()
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_NAME": "bench", "SERVER_PORT": "80",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(raw),
            "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(raw)),
            "HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp, "HTTP_X_SLACK_SIGNATURE": f"v0={signature}"}


class DroppedHandOff:
    """The hand-off's two queues, read and dropped; the readers' CPU is counted apart."""

    def __init__(self) -> None:
        from bot.handoff import HandOff

        self.urgent, self.other = HandOff.make(), HandOff.make()
        self.reader_cpu = {0: 0.0, 1: 0.0}
        for n, queue in enumerate((self.urgent, self.other)):
            threading.Thread(target=self._drop, args=(n, queue), daemon=True).start()

    def _drop(self, n: int, queue: Any) -> None:
        while queue.receive() is not None:
            self.reader_cpu[n] = time.thread_time()

    def cpu(self) -> float:
        return sum(self.reader_cpu.values())


@dataclass
class Served:
    wsgi: WSGI
    settle: Callable[[], None]  # returns once the listener has finished
    cpu_elsewhere: Callable[[], float] = lambda: 0.0


@dataclass
class OurWorker:
    served: Served
    services: Any
    handing_off: Any  # the deferral `serve` gives a worker: the hand-off


def our_worker(fake_url: str, database_url: str) -> OurWorker:
    """Our app as `serve` builds it in a worker."""
    import logging

    from bot.deferred import HandToBackground
    from bot.warm import warm_shared_caches, warm_statements

    from bot.app import build_services, create_app
    from bot.executor import ContextThreadPoolExecutor
    from bot.logs import configure_logging
    from bot.serve import POST_ACK_SLOTS, POST_ACK_WAIT_SECONDS, steady_gc, worker_engine
    from bot.web import make_wsgi_app

    settings = load_settings({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET":
                              SIGNING_SECRET, "SLACK_API_URL": fake_url,
                              "DATABASE_URL": database_url, "LOG_LEVEL": "INFO"},
                             env_file=None)
    configure_logging("INFO", [SIGNING_SECRET], json_lines=True)
    for handler in logging.getLogger().handlers:  # the lines are written, to nowhere
        handler.setStream(open(os.devnull, "w"))  # type: ignore[attr-defined]  # noqa: SIM115
    executor = ContextThreadPoolExecutor(post_ack_slots=POST_ACK_SLOTS,
                                         post_ack_wait=POST_ACK_WAIT_SECONDS)
    services = build_services(settings, engine=worker_engine(settings),
                              listener_executor=executor)
    app = create_app(services)
    warm_shared_caches()
    warm_statements(services)
    steady_gc()
    handoff = DroppedHandOff()
    served = Served(make_wsgi_app(app, services.engine, executor.answering),
                    lambda: executor.submit(lambda: None).result(), handoff.cpu)
    return OurWorker(served, services, HandToBackground(
        handoff.urgent, handoff.other, "bench-worker", pickup_seconds=3600))


def bare_worker(fake_url: str) -> Served:
    app = create_bare_app(SIGNING_SECRET, BOT_TOKEN, fake_url)
    pool = app.listener_runner.listener_executor
    return Served(make_bare_wsgi(app), lambda: pool.submit(lambda: None).result())


def cpu_per_request(served: Served, requests: list[Planned], rounds: int) -> dict[str, list[float]]:
    """CPU ms of each request, by kind."""
    status: list[str] = []

    def start_response(code: str, _headers: Any, _exc: Any = None) -> None:
        status.append(code)

    found: dict[str, list[float]] = {}
    for _ in range(rounds):
        for request in requests:
            environ = signed_environ(request.body, request.content_type)
            elsewhere, began = served.cpu_elsewhere(), time.process_time()
            b"".join(served.wsgi(environ, start_response))
            served.settle()
            time.sleep(0.002)  # the listener thread's last steps, after its future is done
            used = time.process_time() - began - (served.cpu_elsewhere() - elsewhere)
            assert status.pop().startswith("200"), request.kind
            found.setdefault(request.kind, []).append(used * 1000)
    return found


def measure(name: str, database_url: str, rounds: int) -> list[tuple[str, int, float, float]]:
    from bot.deferred import RunHere

    from bot.slack_fake import SlackSimulator
    from bot.web import start_http_server

    print(f"[{name}] setting up…", flush=True)
    fresh_database(database_url)
    seeder = Seeder(database_url)
    qs = shipped_set()
    with start_fake(50) as fake:
        worker = our_worker(fake.url, database_url)
        ours, services = worker.served, worker.services
        server, _thread = start_http_server(ours.wsgi, "127.0.0.1", 0)
        try:
            # The scorecard forms are opened for real, their modal jobs run at once.
            services.deferral = RunHere()
            app = SlackSimulator(f"http://127.0.0.1:{server.server_port}/slack/events",
                                 SIGNING_SECRET, fake, team_id=fake.team_id)
            submits = build_scorecard_burst(fake, seeder, app, qs, 50, 0, 1.0).requests
            mixed = build_mixed_burst(fake, seeder, qs, 50, 200, 4, 1.0).requests
            services.deferral = worker.handing_off
        finally:
            server.shutdown()
        bare = bare_worker(fake.url)
        print(f"[{name}] {len(submits) + len(mixed)} requests x {rounds} rounds, ours and "
              "bare Bolt…", flush=True)
        ours_cpu = cpu_per_request(ours, submits + mixed, rounds)
        bare_cpu = cpu_per_request(bare, submits + mixed, rounds)
    seeder.close()
    return [(kind, len(ours_cpu[kind]), statistics.median(ours_cpu[kind]),
             statistics.median(bare_cpu[kind])) for kind in KINDS if kind in ours_cpu]


def table(results: dict[str, list[tuple[str, int, float, float]]]) -> str:
    lines = ["| database | request | requests | our worker (ms CPU, median) | bare Bolt | "
             "ratio |", "|---|---|--:|--:|--:|--:|"]
    for name, rows in results.items():
        for kind, count, ours, bare in rows:
            lines.append(f"| {name} | {KINDS[kind]} | {count} | {ours:.2f} | {bare:.2f} | "
                         f"{ours / bare:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cpu",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES,
                        help="a PostgreSQL server (its database 'bench_cpu' is used)")
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = measure("SQLite", f"sqlite:///{Path(tmp) / 'cpu.sqlite3'}",
                                    args.rounds)
    if not args.no_postgres:
        why_not = postgres_reachable(args.postgres_url)
        if why_not is None:
            results["PostgreSQL"] = measure(
                "PostgreSQL", postgres_url_for(args.postgres_url, "bench_cpu"), args.rounds)
        else:
            print(f"[PostgreSQL] skipped: {why_not}")
    print()
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
