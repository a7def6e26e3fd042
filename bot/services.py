"""What listeners and jobs need, built once per process and passed in explicitly."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.coalesce import Coalescer
from bot.deferred import Deferral, RunHere
from bot.executor import ContextThreadPoolExecutor
from bot.question_sets import QuestionSetLibrary
from bot.settings import Settings
from bot.slack_users import UserDirectory
from models import utcnow


@dataclass
class Services:
    settings: Settings
    engine: Engine
    db: sessionmaker[Session]
    client: WebClient
    question_sets: QuestionSetLibrary
    users: UserDirectory
    # The app's idea of "now": tests and the demo move it; production uses the wall clock.
    clock: Callable[[], datetime] = utcnow
    # Bolt's pool for the work after each ack; drained on graceful shutdown.
    listener_executor: ThreadPoolExecutor = field(default_factory=ContextThreadPoolExecutor)
    # Message refreshes (plan, summary, App Home) folded per message: see bot/coalesce.py.
    refreshes: Coalescer = field(default_factory=Coalescer)
    # Where the work after an ack runs: here at once, or the background process (serve).
    deferral: Deferral = field(default_factory=RunHere)
    # Called after a transaction that changed reminders, so the scheduler re-arms its alarm.
    on_reminders_changed: list[Callable[[], None]] = field(default_factory=list)

    def reminders_changed(self) -> None:
        for callback in self.on_reminders_changed:
            callback()

    def defer(self, kind: str, payload: dict[str, Any]) -> None:
        """Have the job `kind` done (bot/deferred.py): a listener calls it after its ack."""
        self.deferral.defer(self, kind, payload)
