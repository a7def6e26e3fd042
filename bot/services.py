"""What listeners, services and side effects need, built once per process (bot/app.py)
and passed in explicitly."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from models import utcnow

if TYPE_CHECKING:  # types only: services pass these along, they do not use Slack
    from slack_sdk import WebClient
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from bot.core.question_sets import QuestionSetLibrary
    from bot.outbox.runner import Outbox
    from bot.people import People
    from bot.settings import Settings


@dataclass
class Services:
    settings: Settings
    engine: Engine
    db: sessionmaker[Session]
    client: WebClient
    question_sets: QuestionSetLibrary
    users: People
    # The app's idea of "now": tests and the demo move it; production uses the wall clock.
    clock: Callable[[], datetime] = utcnow
    # Bolt's pool for listeners (bot/executor.py); drained on graceful shutdown.
    listener_executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1))
    # Performs the side effects stored with each change (bot/outbox/runner.py).
    outbox: Outbox | None = None
    # Called after a transaction that changed reminders, so the scheduler re-arms its alarm.
    on_reminders_changed: list[Callable[[], None]] = field(default_factory=list)

    def reminders_changed(self) -> None:
        for callback in self.on_reminders_changed:
            callback()

    @property
    def side_effects(self) -> Outbox:
        assert self.outbox is not None, "build_services sets the outbox"
        return self.outbox
