"""The outbox: Slack side effects stored in the transaction of the change that implies them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    FAILED = "failed"  # Slack refused for good, or too many attempts: kept for the operator


class OutboxMessage(Base):
    """One side effect still to perform (a DM, a message update, an App Home publish).

    Written in the same transaction as the change that implies it, so an acked change never
    loses its side effects; deleted once performed. A row is claimed (claimed_by,
    claimed_until) while a process performs it; a claim that ran out belongs to a process
    that died, and the row is performed again. Rows with the same `fold_key` say the same
    thing ("re-render the plan of interview 12"): one performance does them all."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    fold_key: Mapped[str | None] = mapped_column(String(120), index=True)
    # No foreign key: the rows that edit a deleted interview's messages outlive its data.
    interview_id: Mapped[int | None] = mapped_column(index=True)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, name="outbox_status", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=OutboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The Slack request it came from, to find its story in the logs.
    request_id: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
