"""Two bot processes on one PostgreSQL database, racing for the same due reminders: each
reminder reaches Slack exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.reminders.service import schedule_reminders
from models import Interview, Reminder, ReminderStatus, transaction
from tests.conftest import BOT_TOKEN, MARI, PEETER, PIA, World
from tests.factories import make_interview

ROOT = Path(__file__).resolve().parents[2]
INTERVIEWS = 10  # x 3 panelists = 30 reminders due at once

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                reason="needs PostgreSQL: set TEST_DATABASE_URL")


def start_runner(world: World, start_at: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reminder_runner",
         "--database-url", world.services.settings.database_url,
         "--slack-url", world.fake.url, "--bot-token", BOT_TOKEN,
         "--start-at", str(start_at), "--seconds", "20"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_two_processes_send_each_due_reminder_exactly_once(world: World) -> None:
    services = world.services
    if services.engine.dialect.name != "postgresql":
        pytest.skip("two processes share a database on PostgreSQL only")
    ids = [make_interview(services, candidate_name=f"Candidate {n}") for n in range(INTERVIEWS)]
    with transaction(services.db) as session:
        for interview_id in ids:
            schedule_reminders(session, session.get(Interview, interview_id), services)

    start_at = time.time() + 1.5  # both processes are up and start claiming together
    runners = [start_runner(world, start_at) for _ in range(2)]
    reports = []
    for runner in runners:
        out, err = runner.communicate(timeout=60)
        assert runner.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    assert [r["left"] for r in reports] == [0, 0]

    sent = Counter()
    for user in (PIA, PEETER, MARI):
        for dm in world.fake.dms(user):
            sent[(user, dm["text"])] += 1
    assert len(sent) == 3 * INTERVIEWS and set(sent.values()) == {1}, sent
    assert len(world.fake.calls("chat.postMessage")) == 3 * INTERVIEWS
    with transaction(services.db) as session:
        firsts = session.scalars(select(Reminder).where(Reminder.kind == "first")).all()
    assert len(firsts) == 3 * INTERVIEWS
    assert {r.status for r in firsts} == {ReminderStatus.SENT}
    assert {r.attempts for r in firsts} == {1}
