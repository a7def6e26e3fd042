"""The outbox, as changes see it: a side effect recorded in the transaction of the change
that implies it (a DM, a message to re-render, App Homes to publish), so that the change
and what it asks of Slack commit together or not at all. bot/outbox/runner.py performs
the rows after the commit; `collecting` tells a listener which rows its transactions
committed, to perform them after its ack.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.logs import request_id
from models import OutboxMessage, OutboxStatus

_ROWS = "interview_bot_outbox_rows"  # Session.info key: rows added in this transaction

# Rows committed while collecting (a listener, a reminder being sent): (id, due_at).
_collected: ContextVar[list[tuple[int, datetime]] | None] = ContextVar(
    "outbox_collected", default=None)


def add(session: Session, kind: str, payload: dict[str, Any], *, now: datetime,
        interview_id: int | None = None, fold_key: str | None = None,
        delay: float = 0.0) -> None:
    """Record a side effect in this transaction: performed after the commit, at once or
    (`delay` seconds) once a burst has settled. Rows with one `fold_key` must be
    interchangeable. Payloads are JSON and hold ids, not texts: effects render from the
    database, so nothing of a deleted candidate lingers here."""
    row = OutboxMessage(kind=kind, payload=payload, interview_id=interview_id,
                        fold_key=fold_key, due_at=now + timedelta(seconds=delay),
                        status=OutboxStatus.PENDING, attempts=0,
                        request_id=request_id.get(), created_at=now)
    session.add(row)
    session.info.setdefault(_ROWS, []).append(row)


@event.listens_for(Session, "after_commit")
def _collect_committed(session: Session) -> None:
    rows = session.info.pop(_ROWS, None)
    collected = _collected.get()
    if rows and collected is not None:
        collected.extend((row.id, row.due_at) for row in rows)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_ROWS, None)


@contextmanager
def collecting() -> Iterator[list[tuple[int, datetime]]]:
    """The rows committed inside this block (in this thread and context): a listener's,
    to perform after its ack."""
    committed: list[tuple[int, datetime]] = []
    token = _collected.set(committed)
    try:
        yield committed
    finally:
        _collected.reset(token)


