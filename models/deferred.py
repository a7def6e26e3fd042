"""Work a listener hands off after its ack, kept while a background process does it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class DeferredJob(Base):
    """One piece of after-ack work (bot/deferred.py): written by the background process
    that took it from the hand-off, claimed by itself, before it starts (or by a worker,
    unclaimed, when the hand-off could not take it), and deleted when done. A row whose
    claim has run out belongs to a process that died mid-job, and is done again."""

    __tablename__ = "deferred_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A person waits on it (a modal to open, an answer): taken before the others.
    urgent: Mapped[bool] = mapped_column(default=False)
    # The Slack request it came from, so its log lines can be found with the request's.
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(index=True)
