"""`interview-bot serve`: production HTTP under gunicorn, several worker processes.

Migrations run once, in the master, before any worker starts. Each worker builds its own
services (database pool, Slack client, reminder scheduler: reminders are claimed row by row
in the database, so any number of workers send each one once). On SIGTERM gunicorn stops
accepting, lets in-flight requests finish, and each worker drains the work Bolt runs after
its acks before it exits.
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.settings import Settings

log = logging.getLogger(__name__)

GRACEFUL_SECONDS = 30
THREADS_PER_WORKER = 16


class GunicornServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, host: str = "0.0.0.0") -> None:
        self.settings = settings
        self.host = host
        self._stoppers: list[Any] = []
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        options = {
            "bind": f"{self.host}:{s.port}",
            "workers": s.web_concurrency,
            # Threads: a worker keeps answering while others wait on the database or Slack.
            "worker_class": "gthread",
            "threads": THREADS_PER_WORKER,
            "backlog": 2048,
            "timeout": 30,
            "graceful_timeout": GRACEFUL_SECONDS,
            "keepalive": 5,
            "loglevel": s.log_level.lower(),
            "on_starting": self._on_starting,
            "worker_exit": self._worker_exit,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def _on_starting(self, _server: Any) -> None:
        from bot.app import check_database
        from bot.migrate import upgrade
        from models import create_db_engine

        engine = create_db_engine(self.settings.database_url)
        check_database(engine)
        upgrade(engine)
        engine.dispose()

    def load(self) -> Any:
        from bot.app import build_services, create_app
        from bot.cli import start_background
        from bot.logs import configure_logging
        from bot.web import make_wsgi_app

        configure_logging(self.settings.log_level,
                          [self.settings.slack_signing_secret.get_secret_value()],
                          json_lines=True)
        services = build_services(self.settings)
        app = create_app(services)
        runtime = start_background(services)
        self._stoppers = [runtime.stop, lambda: services.listener_executor.shutdown(wait=True)]
        return make_wsgi_app(app, services.engine)

    def _worker_exit(self, _server: Any, _worker: Any) -> None:
        for stop in self._stoppers:
            try:
                stop()
            except Exception:  # shutting down: log, and let the next stopper run
                log.exception("error while stopping a worker")


def serve(settings: Settings) -> None:
    GunicornServer(settings).run()
