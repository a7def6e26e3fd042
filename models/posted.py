"""What the bot posted about a candidate: every message and file, and where it is."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class PostedKind(enum.StrEnum):
    """What a posted message is; deleting the candidate treats each kind its own way
    (bot/lifecycle/service.py `ERASE`)."""

    PLAN = "plan"  # in the channel
    SUMMARY = "summary"  # in the plan's thread
    DECISION = "decision"  # in the plan's thread
    THREAD_NOTE = "thread_note"  # rescheduled, cancelled, panel changes: in the thread
    KIT = "kit"  # a panelist's kit, in their DM
    KIT_PAGE = "kit_page"  # the kit's questions, in the kit's thread
    CONFIRMATION = "confirmation"  # a panelist's scorecard as submitted, in their DM
    REMINDER = "reminder"  # a nudge or the hiring lead's "still missing", in a DM
    EXPORT_FILE = "export_file"  # a CSV or JSON file in the requester's DM
    CHART = "chart"  # the summary's dot plot, a PNG in the summary's thread
    MESSAGE = "message"  # carried over from the event log by migration 0007


class PostedMessage(Base):
    """One message (channel and ts) or file (file id) the bot posted about a candidate,
    written by the publish step when Slack answers. Deleting the candidate's data edits or
    deletes each one at Slack, then removes its row; a row Slack refused for good keeps
    the reason in `erase_error` for the operator. No text of the message is kept here."""

    __tablename__ = "posted_messages"
    __table_args__ = (UniqueConstraint("channel_id", "ts"), UniqueConstraint("file_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    kind: Mapped[PostedKind] = mapped_column(
        Enum(PostedKind, name="posted_kind", native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]))
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))  # a message
    file_id: Mapped[str | None] = mapped_column(String(32))  # a file
    posted_at: Mapped[datetime] = mapped_column(default=utcnow)
    erase_error: Mapped[str | None] = mapped_column(Text)
