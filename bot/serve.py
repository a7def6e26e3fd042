"""HTTP serving under gunicorn: `interview-bot serve` (WEB_CONCURRENCY workers) and
`interview-bot run` without SLACK_APP_TOKEN (one worker).

The master migrates the schema once, under a PostgreSQL advisory lock (two servers started
together do not both migrate), then forks the workers (gthread). Each builds its own
services after the fork: a database pool, the Slack clients, the listener and outbox pools,
and the reminder scheduler (reminders and side effects are claimed row by row in the
database, so any number of workers send each once). On SIGTERM gunicorn stops accepting
and lets the requests in flight finish; each worker then stops its scheduler and finishes
the side effects in flight (anything still queued waits in the outbox for the next start).
With METRICS_PORT, gunicorn listens there too and answers only /metrics (bot/metrics.py).
Logs are JSON lines, gunicorn's own included.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from bot.settings import Settings

log = logging.getLogger(__name__)

GRACEFUL_SECONDS = 30
# Requests answered at once per worker (Bolt's listener pool does the work: bot/executor.py
# LISTENER_THREADS); more only share one interpreter lock, the rest wait in the backlog.
THREADS_PER_WORKER = 8
# Open connections per worker; beyond this new ones wait in the kernel's backlog.
MAX_CONNECTIONS = 200
# PostgreSQL connections per worker: one for each listener and outbox thread, a few for the
# scheduler's jobs and the health check; each is held only while the database is used
# (never across a Slack call but the plan's first post).
DB_POOL_SIZE = 12
DB_MAX_OVERFLOW = 8


def gunicorn_options(port: int, workers: int, log_level: str = "INFO",
                     host: str = "0.0.0.0", metrics_port: int | None = None) -> dict[str, Any]:
    """The gunicorn settings of `serve` and `run` (the benchmark serves bare Bolt with the
    very same ones)."""
    binds = [f"{host}:{port}"] + ([f"{host}:{metrics_port}"] if metrics_port else [])
    return {
        "bind": binds,
        "workers": workers,
        "worker_class": "gthread",
        "threads": THREADS_PER_WORKER,
        "worker_connections": MAX_CONNECTIONS,
        "backlog": 2048,  # a burst of Slack requests queues rather than being refused
        "timeout": 30,
        "graceful_timeout": GRACEFUL_SECONDS,
        "keepalive": 5,
        "loglevel": log_level.lower(),
        "logger_class": JsonGunicornLogger,
        # gunicorn 27's runtime control socket has one fixed path per user, which a second
        # server on the host (the benchmark's bare app) would fight over.
        "control_socket_disable": True,
    }


NEWER_OPTIONS = frozenset({"control_socket_disable"})  # skipped where gunicorn predates them


class JsonGunicornLogger(GunicornLogger):
    """Gunicorn's own lines (booting, signals, worker timeouts) as our JSON lines too."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        from bot.logs import json_handler_setup

        json_handler_setup(self.error_log)
        json_handler_setup(self.access_log)


class WsgiServer(BaseApplication):
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
    def __init__(self, settings: Settings, workers: int, host: str = "0.0.0.0") -> None:
        self.settings = settings
        self._stop: Callable[[], None] | None = None
        options = gunicorn_options(settings.port, workers, settings.log_level, host,
                                   settings.metrics_port)
        options.update(on_starting=self._on_starting, child_exit=_metrics_of_dead_worker,
                       worker_exit=self._worker_exit, on_exit=_remove_own_metrics_directory)
        super().__init__(options, self._load_app)

    def _configure_logging(self) -> None:
        from bot.logs import configure_logging

        configure_logging(self.settings.log_level,
                          [self.settings.slack_signing_secret.get_secret_value()],
                          json_lines=True)

    def _on_starting(self, _server: Any) -> None:
        """In the master, once, before any worker: the schema is brought up to date."""
        from bot.app import check_database
        from bot.migrate import upgrade
        from models import create_db_engine

        self._configure_logging()
        engine = create_db_engine(self.settings.database_url)
        try:
            check_database(engine)
            upgrade(engine)
        finally:
            engine.dispose()

    def _load_app(self) -> Any:
        """In each worker, after the fork."""
        from bot.app import build_services, create_app, stop_services
        from bot.scheduler import start_scheduler
        from bot.web import make_wsgi_app

        self._configure_logging()
        services = build_services(self.settings, engine=worker_engine(self.settings))
        app = create_app(services)
        scheduler = start_scheduler(services)

        def stop() -> None:
            scheduler.shutdown()  # waits for a reminder being sent
            stop_services(services)

        self._stop = stop
        return make_wsgi_app(app, services.engine,
                             self.settings.slack_signing_secret.get_secret_value(),
                             metrics_port=self.settings.metrics_port,
                             answering=services.side_effects.answering)

    def _worker_exit(self, _server: Any, _worker: Any) -> None:
        """In the worker, after gunicorn let its in-flight requests finish."""
        if self._stop is not None:
            try:
                self._stop()
            except Exception:  # shutting down: log it, the rest waits in the outbox
                log.exception("error while stopping a worker")


def _metrics_of_dead_worker(_server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def worker_engine(settings: Settings) -> Any:
    from models import create_db_engine

    if settings.database_url.startswith("postgresql"):
        return create_db_engine(settings.database_url, pool_size=DB_POOL_SIZE,
                                max_overflow=DB_MAX_OVERFLOW)
    return create_db_engine(settings.database_url)


def prepare_metrics_directory() -> None:
    """Before prometheus_client is first imported: the workers' shared, empty directory
    (prometheus_client's multiprocess mode). An operator's PROMETHEUS_MULTIPROC_DIR is
    emptied; otherwise a new temporary one is made."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        shutil.rmtree(given, ignore_errors=True)
        os.makedirs(given, exist_ok=True)
        return
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix=_OWN_METRICS_PREFIX)


_OWN_METRICS_PREFIX = "interview-bot-metrics-"


def _remove_own_metrics_directory(_server: Any) -> None:
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if os.path.basename(path).startswith(_OWN_METRICS_PREFIX):
        shutil.rmtree(path, ignore_errors=True)


def serve(settings: Settings, workers: int) -> None:
    """Serve HTTP under gunicorn until SIGTERM or SIGINT (call prepare_metrics_directory
    before anything imports bot.metrics)."""
    from bot.logs import configure_logging

    configure_logging(settings.log_level, [settings.slack_signing_secret.get_secret_value()],
                      json_lines=True)
    GunicornServer(settings, workers).run()
