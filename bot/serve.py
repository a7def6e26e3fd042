"""`interview-bot serve`: production HTTP under gunicorn, several worker processes.

Migrations run once, in the master, before any worker starts (and under a PostgreSQL
advisory lock, so two servers started at once do not both migrate). Each worker builds its
own services after the fork (database pool, Slack client, reminder scheduler: reminders
are claimed row by row in the database, so any number of workers send each one once). On
SIGTERM gunicorn stops accepting, lets in-flight requests finish, and each worker drains
the work Bolt runs after its acks before it exits. Logs are JSON lines, gunicorn's too.

Beside the workers, the master starts as many background processes (bot/background.py), at
a lower CPU priority: the heavy work after the busiest acks (a scorecard stored, its DM, the
plan's progress; a modal opened; a summary computed) is handed to them as a deferred job
and done there (bot/handoff.py, bot/deferred.py, bot/jobs.py), so that in a burst the
workers' CPU goes to the acks. They exit after the workers, their jobs all done.
"""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.handoff import HandOff

log = logging.getLogger(__name__)

GRACEFUL_SECONDS = 30
THREADS_PER_WORKER = 16
# PostgreSQL connections per worker: the HTTP threads read before they ack, Bolt's listener
# threads write after it, the scheduler sends reminders. Beyond this, a thread waits.
DB_POOL_SIZE = 10
DB_MAX_OVERFLOW = 20
# While Slack requests wait for their answer in a worker, at most this many listeners run
# their slow part (after the ack); the others wait up to POST_ACK_WAIT_SECONDS, so that the
# new requests get the CPU to ack (bot/executor.py). Two, not one: much of the slow part
# waits on Slack or the database rather than computing.
POST_ACK_SLOTS = 2
POST_ACK_WAIT_SECONDS = 1.0


def gunicorn_options(port: int, workers: int, log_level: str = "INFO",
                     host: str = "0.0.0.0") -> dict[str, Any]:
    """The gunicorn settings of `interview-bot serve` (the benchmark serves its bare Bolt
    app with the very same ones)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        # Threads: a worker keeps answering while others wait on the database or Slack.
        "worker_class": "gthread",
        "threads": THREADS_PER_WORKER,
        # Bursts queue in the kernel rather than being refused.
        "backlog": 2048,
        "timeout": 30,
        "graceful_timeout": GRACEFUL_SECONDS,
        "keepalive": 5,
        "loglevel": log_level.lower(),
        "logger_class": JsonGunicornLogger,
        # Import the heavy libraries once, in the master: forked workers start fast and share
        # those pages. Only imports: services, threads and connections are made per worker.
        "on_starting": _preload_modules,
        # gunicorn 27's runtime control socket: one fixed path per user, which a second
        # server on the host (a second app, the benchmark's bare app) would fight over.
        "control_socket_disable": True,
    }


# Settings older gunicorn versions do not know; skipped there.
NEWER_OPTIONS = frozenset({"control_socket_disable"})


class JsonGunicornLogger(GunicornLogger):  # type: ignore[misc]
    """Gunicorn's own lines (booting, signals, worker timeouts) as our JSON lines too."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        from bot.logs import json_handler_setup

        json_handler_setup(self.error_log)
        json_handler_setup(self.access_log)


def _preload_modules(_server: Any = None) -> None:
    # slack_bolt, slack_sdk, SQLAlchemy, pydantic, the handlers; APScheduler.
    import bot.app
    import bot.scheduler  # noqa: F401
    from bot.warm import warm_shared_caches

    warm_shared_caches()


class WsgiServer(BaseApplication):  # type: ignore[misc]
    """gunicorn running a WSGI app built by `load_app` in each worker."""

    def __init__(self, options: dict[str, Any], load_app: Callable[[], Any]) -> None:
        self.options = options
        self.load_app = load_app
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in NEWER_OPTIONS and key not in self.cfg.settings:
                continue
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.load_app()


class GunicornServer(WsgiServer):
    def __init__(self, settings: Settings, host: str = "0.0.0.0") -> None:
        self.settings = settings
        self._stoppers: list[Callable[[], None]] = []
        options = gunicorn_options(settings.port, settings.web_concurrency,
                                   settings.log_level, host)
        self._background: BackgroundProcesses | None = None
        options["on_starting"] = self._on_starting
        options["worker_exit"] = self._worker_exit
        options["on_exit"] = self._on_exit
        super().__init__(options, self._load_app)

    def _secrets(self) -> list[str]:
        return [self.settings.slack_signing_secret.get_secret_value()]

    def _on_starting(self, server: Any) -> None:
        """In the master, once, before any worker: the schema is brought up to date."""
        from bot.app import check_database
        from bot.logs import configure_logging
        from bot.migrate import upgrade
        from models import create_db_engine

        configure_logging(self.settings.log_level, self._secrets(), json_lines=True)
        _preload_modules(server)
        engine = create_db_engine(self.settings.database_url)
        try:
            check_database(engine)
            upgrade(engine)
        finally:
            engine.dispose()
        self._background = BackgroundProcesses.start(self.settings.web_concurrency)

    def _load_app(self) -> Any:
        """In each worker, after the fork."""
        from bot.app import build_services, create_app
        from bot.cli import start_background
        from bot.deferred import HandToBackground
        from bot.executor import ContextThreadPoolExecutor
        from bot.logs import configure_logging
        from bot.reminders import worker_id
        from bot.warm import warm_statements
        from bot.web import make_wsgi_app

        configure_logging(self.settings.log_level, self._secrets(), json_lines=True)
        executor = ContextThreadPoolExecutor(post_ack_slots=POST_ACK_SLOTS,
                                             post_ack_wait=POST_ACK_WAIT_SECONDS)
        services = build_services(self.settings, engine=worker_engine(self.settings),
                                  listener_executor=executor)
        if self._background is not None:
            background = self._background
            services.deferral = HandToBackground(background.urgent, background.other,
                                                 worker_id(), background.alive)
        app = create_app(services)
        warm_statements(services)
        runtime = start_background(services)
        # Stop the scheduler (waiting for a reminder being sent), then finish the work Bolt
        # runs after its acks, then close the database connections.
        self._stoppers = [runtime.stop, lambda: services.listener_executor.shutdown(wait=True),
                          services.engine.dispose]
        steady_gc()
        return make_wsgi_app(app, services.engine, executor.answering)

    def _on_exit(self, _server: Any) -> None:
        """In the master, after every worker has exited."""
        if self._background is not None:
            self._background.stop(self.settings.database_url)

    def _worker_exit(self, _server: Any, _worker: Any) -> None:
        """In the worker, after gunicorn let its in-flight requests finish."""
        for stop in self._stoppers:
            try:
                stop()
            except Exception:  # shutting down: log, and let the next stopper run
                log.exception("error while stopping a worker")


class BackgroundProcesses:
    """The server's background processes (bot/background.py), as many as its workers, which
    run the jobs the workers defer: each its own interpreter, so that the jobs of a burst use
    every CPU. The master keeps both ends of the hand-off's two queues (bot/handoff.py) for
    the workers it forks."""

    def __init__(self, processes: list[subprocess.Popen[bytes]], urgent: HandOff,
                 other: HandOff) -> None:
        self.processes, self.urgent, self.other = processes, urgent, other

    @classmethod
    def start(cls, count: int) -> BackgroundProcesses:
        from bot.handoff import HandOff

        urgent, other = HandOff.make(), HandOff.make()
        fds = (urgent.receiving.fileno(), other.receiving.fileno())
        processes = [subprocess.Popen([sys.executable, "-m", "bot.background",
                                       "--urgent-fd", str(fds[0]), "--jobs-fd", str(fds[1])],
                                      pass_fds=fds)
                     for _ in range(count)]
        return cls(processes, urgent, other)

    def alive(self) -> bool:
        """Whether any of them still runs (gunicorn's master reaps every child it has, so a
        dead one is soon no process at all)."""
        for process in self.processes:
            try:
                os.kill(process.pid, 0)
                return True
            except (ProcessLookupError, PermissionError):  # gone, or its pid someone else's
                continue
        return False

    def stop(self, database_url: str) -> None:
        """Close the master's sending ends (the workers have closed theirs): the background
        processes finish the jobs left, then exit. What none of them read in time goes
        into the table, for the next start."""
        self.urgent.close_sending()
        self.other.close_sending()
        deadline = time.monotonic() + GRACEFUL_SECONDS  # for all of them together
        for process in self.processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("a background process did not finish its jobs in %s s; the rest "
                          "is done at the next start", GRACEFUL_SECONDS)
                process.kill()
                process.wait()
        self._keep_unread(database_url)

    def _keep_unread(self, database_url: str) -> None:
        from bot.deferred import write_job
        from bot.handoff import decode
        from models import create_db_engine, utcnow

        unread = [job for queue in (self.urgent, self.other)
                  for message in iter(lambda q=queue: q.take_older_than(0.0), None)
                  if (job := decode(message)) is not None and not job.urgent]
        if unread:
            engine = create_db_engine(database_url)
            try:
                for job in unread:
                    write_job(engine, utcnow(), job)
            finally:
                engine.dispose()
            log.warning("%s deferred jobs were left unread; they are done at the next start",
                        len(unread))
        self.urgent.close()
        self.other.close()


# Python's cyclic garbage collector stops every thread of a process while it runs. A
# scorecard submission's body parses into thousands of dicts, so young collections came
# every few requests and, now and then, a full one walked the whole heap (the app, its
# libraries, SQLAlchemy's caches): the PostgreSQL scorecard burst's ack p99 was 339 and
# 678 ms in two runs, 72 and 62 ms with this (p95 210/387 -> 51/48 ms).
GC_YOUNG_THRESHOLD = 20_000  # Python's default is 700 allocations


def steady_gc() -> None:
    """Once a process is set up: what exists now lives as long as the process, so the
    collector no longer walks it (gc.freeze), and it collects less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def worker_engine(settings: Settings) -> Any:
    from models import create_db_engine

    if settings.database_url.startswith("postgresql"):
        return create_db_engine(settings.database_url, pool_size=DB_POOL_SIZE,
                                max_overflow=DB_MAX_OVERFLOW)
    return create_db_engine(settings.database_url)


# glibc gives each thread that allocates its own malloc arena (up to 8 per CPU); with dozens
# of threads per worker that fragments memory: a worker's RSS after a burst was ~145 MiB
# with the default and ~112 MiB with 2 (benchmarks/RESULTS.md).
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """What MALLOC_ARENA_MAX does, for this process and the workers it forks (the setting
    is process memory, copied by fork). False where the C library is not glibc."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def serve(settings: Settings) -> None:
    from bot.logs import configure_logging

    limit_malloc_arenas()
    configure_logging(settings.log_level, [settings.slack_signing_secret.get_secret_value()],
                      json_lines=True)
    if settings.socket_mode:
        log.warning("SLACK_APP_TOKEN is set, but `serve` answers HTTP only: Slack must send "
                    "to the request URLs of manifest.http.yml. For Socket Mode use "
                    "`interview-bot run`.")
    GunicornServer(settings).run()
