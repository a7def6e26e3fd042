"""The `interview-bot` command as a newcomer meets it: clear one-line errors, a real run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bot.demo.slack_fake import FakeSlack, SlackSimulator
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, populate

ROOT = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 30
) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run_cli("--help", env={}, cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "migrate", "question-sets"):
        assert command in result.stdout


def test_missing_settings_are_listed_without_a_traceback(tmp_path: Path) -> None:
    result = run_cli("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is missing" in result.stderr
    assert "SLACK_SIGNING_SECRET is missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_database_url_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("migrate", env={"DATABASE_URL": "not a url"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "DATABASE_URL is not valid" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    result = run_cli("migrate", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("interview-bot: Cannot reach the database at")
    assert "Traceback" not in result.stderr


def test_migrate_creates_the_sqlite_database(tmp_path: Path) -> None:
    result = run_cli("migrate", env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "interview-bot.sqlite3").exists()


def test_bad_token_is_one_clear_line(tmp_path: Path) -> None:
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-wrong",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url,
            "PORT": "3999",
        }
        result = run_cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in result.stderr
    assert "xoxb-wrong" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_answers_a_signed_help_and_refuses_a_forged_one(tmp_path: Path) -> None:
    port = _free_port()
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        populate(fake)
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url,
            "PORT": str(port),
            "LOG_LEVEL": "DEBUG",
        }
        base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=tmp_path,
            env={**base, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            slack = SlackSimulator(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, fake)
            response = _when_up(lambda: slack.command("URECRUITER", "help"))
            assert response.status == 200
            assert "/interview new" in response.body
            forged = SlackSimulator(f"http://127.0.0.1:{port}/slack/events", "wrong", fake)
            assert forged.command("URECRUITER", "help").status == 401
        finally:
            process.terminate()
            output, _ = process.communicate(timeout=10)
    assert process.returncode == 0, output
    assert BOT_TOKEN not in output  # slack-sdk logs headers at DEBUG; they are masked
    assert SIGNING_SECRET not in output


def _when_up(call, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
