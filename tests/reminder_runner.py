"""One bot process's reminder sending, for tests/bot/test_reminders_multiprocess.py.

    python -m tests.reminder_runner --database-url URL --slack-url URL --start-at EPOCH

Builds the services the way the app does, starts the real ReminderScheduler, and also
claims rows one at a time from its main thread (a second worker in the same process), so
that two such processes compete for every row. Exits when nothing due is left, printing
how many reminders it sent as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from sqlalchemy import func, select

from bot.app import build_services
from bot.reminders.publish import process_due
from bot.reminders.service import worker_id
from bot.scheduler import ReminderScheduler
from bot.services import Services
from bot.settings import load_settings
from models import Reminder, ReminderStatus, transaction


def due_left(services: Services) -> int:
    with transaction(services.db) as session:
        return int(session.scalar(
            select(func.count()).select_from(Reminder).where(
                Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= services.clock())
        ) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--slack-url", required=True)
    parser.add_argument("--bot-token", default="xoxb-test-token")
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    settings = load_settings({
        "SLACK_BOT_TOKEN": args.bot_token,
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": args.slack_url,
        "DATABASE_URL": args.database_url,
        "REMINDER_SWEEP_SECONDS": "1",
    }, env_file=None)
    services = build_services(settings)
    # Both processes begin at the same moment, so they really race for the rows.
    time.sleep(max(0.0, args.start_at - time.time()))
    # One row per claim, so the processes interleave rather than one taking the lot.
    scheduler = ReminderScheduler(services, batch_size=1)
    scheduler.start()
    me = worker_id()
    sent = 0
    deadline = time.monotonic() + args.seconds
    try:
        while time.monotonic() < deadline and due_left(services):
            outcomes = process_due(services, services.clock(), me, limit=1)
            sent += sum(o.status == "sent" for o in outcomes)
    finally:
        scheduler.shutdown(wait=True)
    print(json.dumps({"worker": me, "main_thread_sent": sent, "left": due_left(services)}))
    services.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
