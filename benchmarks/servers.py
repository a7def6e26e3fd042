"""The servers under test, each a real subprocess: `interview-bot serve` (our app) and the
bare Bolt app, both under the same gunicorn settings."""

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
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.world import BOT_TOKEN, SIGNING_SECRET, children, rss_kib

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30.0
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthz(base: str, timeout: float = 2.0) -> tuple[int, dict[str, object]]:
    try:
        with _NO_PROXY.open(f"{base}/healthz", timeout=timeout) as reply:
            return reply.status, json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@dataclass
class Server:
    """A started server process: where it listens, its log, how it started and stopped."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    started_in: float = 0.0  # seconds from spawn to the first healthy /healthz
    workers_ready_in: float = 0.0  # seconds from spawn until every worker answered

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/slack/events"

    def start(self, workers: int) -> Server:
        env = {**self.env, "PORT": str(self.port)}
        self.log_file = self.log_path.open("wb")
        spawned = time.monotonic()
        self.process = subprocess.Popen(self.argv, cwd=ROOT, env=env, stdout=self.log_file,
                                        stderr=subprocess.STDOUT)
        deadline = spawned + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; "
                                   f"see {self.log_path}")
            try:
                status, _ = healthz(self.base, timeout=1.0)
            except OSError:
                status = 0
            if status == 200:
                self.started_in = time.monotonic() - spawned
                break
            time.sleep(0.01)
        else:
            raise RuntimeError(f"{self.name} did not become healthy; see {self.log_path}")
        while len(self.worker_pids()) < workers or not self._workers_booted(workers):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: workers did not all start")
            time.sleep(0.01)
        self.workers_ready_in = time.monotonic() - spawned
        return self

    def _workers_booted(self, workers: int) -> bool:
        """Our app logs a line when a worker's scheduler starts (the end of its boot) and
        when a background process is ready (one per worker); the bare app has no such
        lines, its workers are ready once forked and answering."""
        if "bot.cli" not in self.argv:
            return True
        text = self.log_path.read_text(errors="replace")
        return (text.count("Reminder scheduler started") >= workers
                and text.count("Background jobs process started") >= workers)

    def child_pids(self) -> list[int]:
        """The master's children: its workers and (our app) its background process."""
        return children(self.process.pid) if self.process else []

    def worker_pids(self) -> list[int]:
        return [pid for pid in self.child_pids() if not _is_background(pid)]

    def background_pids(self) -> list[int]:
        return [pid for pid in self.child_pids() if _is_background(pid)]

    def rss_mib(self) -> dict[str, float]:
        """VmRSS of the master, each worker and the background process, MiB."""
        assert self.process is not None
        found = {"master": (rss_kib(self.process.pid) or 0) / 1024}
        for n, pid in enumerate(self.worker_pids()):
            found[f"worker{n + 1}"] = (rss_kib(pid) or 0) / 1024
        for pid in self.background_pids():
            found["background"] = (rss_kib(pid) or 0) / 1024
        return found

    def stop(self) -> tuple[int | None, float]:
        """SIGTERM, as an orchestrator stops a container: exit code and seconds taken."""
        if self.process is None:
            return None, 0.0
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.log_file.close()
        return code, time.monotonic() - began

    def log_lines(self) -> list[dict[str, object]]:
        lines = []
        for raw in self.log_path.read_text(errors="replace").splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                continue
        return lines


def _is_background(pid: int) -> bool:
    try:
        return b"bot.background" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def app_server(database_url: str, slack_url: str, workers: int, log_path: Path) -> Server:
    env = {
        **_base_env(),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",  # HTTP, whatever a developer's .env says
        "SLACK_API_URL": slack_url,
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": str(workers),
        "LOG_LEVEL": "INFO",
    }
    return Server("app", [sys.executable, "-m", "bot.cli", "serve"], env, log_path)


def bare_server(slack_url: str, workers: int, log_path: Path) -> Server:
    server = Server("bare Bolt", [], _base_env(), log_path)
    server.argv = [sys.executable, "-m", "benchmarks.bare_app", "--port", str(server.port),
                   "--workers", str(workers), "--signing-secret", SIGNING_SECRET,
                   "--bot-token", BOT_TOKEN, "--slack-url", slack_url]
    return server


def _base_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env
