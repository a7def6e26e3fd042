"""Reminders: the database is the truth, the scheduler only the alarm clock."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class ReminderStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"  # no longer made sense when due (scorecard in, interview decided)
    FAILED = "failed"  # a permanent Slack error, kept on the row


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("interview_id", "kind", "recipient_id"),
        Index("ix_reminders_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    # "first", "daily:2026-11-26", "last", "debrief", "lead_missing"...
    kind: Mapped[str] = mapped_column(String(40))
    recipient_id: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    status: Mapped[ReminderStatus] = mapped_column(
        Enum(ReminderStatus, name="reminder_status", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=ReminderStatus.PENDING,
    )
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
