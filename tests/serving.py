"""The app as production runs it, for tests: `interview-bot serve` or `run` as a
subprocess (gunicorn's master and its workers, in a process group of their own) against
the local Slack fake, and what a test reads back: health, JSON log lines, metrics."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.demo.slack_fake import FakeSlack
from models import create_db_engine
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with _NO_PROXY.open(url, timeout=5) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def get_text(url: str) -> tuple[int, str]:
    try:
        with _NO_PROXY.open(url, timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@dataclass
class Served:
    """A running `interview-bot serve` (or `run`)."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    metrics_port: int | None = None
    terminated: bool = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/slack/events"

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the server exited early:\n{self.log_text()}"
            try:
                if get(f"{self.base}/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"the server did not become healthy:\n{self.log_text()}")

    def terminate(self) -> None:
        """SIGTERM, once, as an orchestrator sends it."""
        if not self.terminated and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.terminated = True

    def kill(self) -> None:
        """SIGKILL to every process of the server at once, as when its host dies."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        self.terminate()
        try:
            return self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_lines(self) -> list[dict[str, Any]]:
        """Every line of output, each of which must be a JSON object."""
        lines = []
        for raw in self.log_text().splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                raise AssertionError(f"not a JSON log line: {raw!r}") from None
        return lines


def spawn(fake: FakeSlack, database_url: str, log_path: Path, *, command: str = "serve",
          workers: int = 1, log_level: str = "INFO", **settings: str) -> Served:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ")}
    env.update({
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": fake.url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "LOG_LEVEL": log_level,
        "NO_PROXY": "127.0.0.1,localhost",
        **settings,
    })
    log_file = log_path.open("ab")
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", command], cwd=ROOT, env=env,
                               stdout=log_file, stderr=subprocess.STDOUT,
                               start_new_session=True)  # a process group: kill() takes all
    log_file.close()  # the child has its own descriptor
    metrics = int(settings["METRICS_PORT"]) if settings.get("METRICS_PORT") else None
    return Served(process, port, log_path, metrics)


def alembic_rows(database_url: str) -> int:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM alembic_version"))
                       .scalar_one())
    finally:
        engine.dispose()


def sqlite_url(tmp_path: Path, name: str = "serve.sqlite3") -> str:
    return f"sqlite:///{tmp_path / name}"
