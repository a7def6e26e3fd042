"""posted messages: one table of what the bot posted about a candidate, filled from what
the database knew before (plan, summary and kit columns, the event log's ts values, and
the messages of a deletion still waiting to be performed)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posted_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("plan", "summary", "decision", "thread_note", "kit",
                                  "kit_page", "confirmation", "reminder", "export_file",
                                  "message", name="posted_kind", native_enum=False,
                                  length=20), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("file_id", sa.String(length=32), nullable=True),
        sa.Column("posted_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("erase_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"],
                                name=op.f("fk_posted_messages_candidate_id_candidates")),
        sa.ForeignKeyConstraint(["interview_id"], ["interviews.id"],
                                name=op.f("fk_posted_messages_interview_id_interviews")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posted_messages")),
        sa.UniqueConstraint("channel_id", "ts", name=op.f("uq_posted_messages_channel_id_ts")),
        sa.UniqueConstraint("file_id", name=op.f("uq_posted_messages_file_id")),
    )
    op.create_index(op.f("ix_posted_messages_candidate_id"), "posted_messages",
                    ["candidate_id"], unique=False)
    op.create_index(op.f("ix_posted_messages_interview_id"), "posted_messages",
                    ["interview_id"], unique=False)
    _fill(op.get_bind())


def downgrade() -> None:
    _restore_erase_payloads(op.get_bind())
    op.drop_index(op.f("ix_posted_messages_interview_id"), table_name="posted_messages")
    op.drop_index(op.f("ix_posted_messages_candidate_id"), table_name="posted_messages")
    op.drop_table("posted_messages")


# What the app knew of its messages before this table, read as it was stored then (a
# migration must not change with the app).

_T = sa.table
_C = sa.column
_INTERVIEWS = _T("interviews", _C("id", sa.Integer), _C("candidate_id", sa.Integer),
                 _C("channel_id", sa.String), _C("plan_ts", sa.String),
                 _C("summary_ts", sa.String), _C("created_at", models.base.UTCDateTime()),
                 _C("deleted_at", models.base.UTCDateTime()))
_PANELISTS = _T("panelists", _C("interview_id", sa.Integer), _C("kit_channel", sa.String),
                _C("kit_ts", sa.String), _C("added_at", models.base.UTCDateTime()))
_EVENTS = _T("events", _C("interview_id", sa.Integer), _C("kind", sa.String),
             _C("detail", sa.JSON), _C("created_at", models.base.UTCDateTime()))
_OUTBOX = _T("outbox", _C("id", sa.Integer), _C("kind", sa.String), _C("payload", sa.JSON),
             _C("status", sa.String))
_POSTED = _T("posted_messages", _C("candidate_id", sa.Integer), _C("interview_id", sa.Integer),
             _C("kind", sa.String), _C("channel_id", sa.String), _C("ts", sa.String),
             _C("posted_at", models.base.UTCDateTime()))

# The event kinds that logged where a message landed, and what that message was.
_EVENT_KINDS = {"scorecard_confirmed": "confirmation", "decision_announced": "decision",
                "kit_page_sent": "kit_page", "reminder_sent": "reminder",
                "debrief_posted": "summary"}
ERASE_MESSAGES = "erase_messages"


def _fill(connection: sa.Connection) -> None:
    interviews = {row.id: row for row in connection.execute(sa.select(_INTERVIEWS))}
    found: dict[tuple[str, str], dict[str, Any]] = {}

    def add(interview_id: int, kind: str, channel: str | None, ts: str | None,
            at: datetime | None) -> None:
        interview = interviews.get(interview_id)
        if interview is None or not channel or not ts:
            return
        found.setdefault((channel, ts), {
            "candidate_id": interview.candidate_id, "interview_id": interview_id,
            "kind": kind, "channel_id": channel, "ts": ts,
            "posted_at": at or interview.created_at or datetime.now(UTC)})

    # Live interviews only: a deleted one's messages were edited when it was deleted.
    live = {i for i, row in interviews.items() if row.deleted_at is None}
    for interview_id in sorted(live):
        row = interviews[interview_id]
        add(interview_id, "plan", row.channel_id, row.plan_ts, row.created_at)
        add(interview_id, "summary", row.channel_id, row.summary_ts, row.created_at)
    for kit in connection.execute(sa.select(_PANELISTS).where(
            _PANELISTS.c.interview_id.in_(live or {0}))):
        add(kit.interview_id, "kit", kit.kit_channel, kit.kit_ts, kit.added_at)
    for event in connection.execute(sa.select(_EVENTS).where(
            _EVENTS.c.interview_id.in_(live or {0})).order_by(_EVENTS.c.created_at)):
        detail = event.detail if isinstance(event.detail, dict) else {}
        ts, channel = detail.get("ts"), detail.get("channel")
        if isinstance(ts, str):
            add(event.interview_id, _EVENT_KINDS.get(event.kind, "message"),
                channel if isinstance(channel, str) and channel
                else interviews[event.interview_id].channel_id, ts, event.created_at)
    # A deletion not yet performed listed its messages in its payload: they become rows
    # of the candidate, and the payload names the candidate instead.
    for erase in connection.execute(sa.select(_OUTBOX).where(_OUTBOX.c.kind == ERASE_MESSAGES)):
        payload = dict(erase.payload or {})
        interview = interviews.get(int(payload.get("interview_id") or 0))
        if interview is None:
            continue
        for channel, ts in payload.pop("messages", None) or []:
            add(interview.id, "message", channel, ts, interview.deleted_at)
        payload["candidate_id"] = interview.candidate_id
        connection.execute(_OUTBOX.update().where(_OUTBOX.c.id == erase.id)
                           .values(payload=payload))
    if found:
        connection.execute(_POSTED.insert(), list(found.values()))


def _restore_erase_payloads(connection: sa.Connection) -> None:
    """An erase still in the outbox lists its candidate's messages again, as 0006's app
    reads it (files cannot be listed there: they stay in Slack)."""
    posted = _T("posted_messages", _C("candidate_id", sa.Integer), _C("channel_id", sa.String),
                _C("ts", sa.String), _C("id", sa.Integer))
    for erase in connection.execute(sa.select(_OUTBOX).where(_OUTBOX.c.kind == ERASE_MESSAGES)):
        payload = dict(erase.payload or {})
        candidate_id = payload.pop("candidate_id", None)
        payload["messages"] = [[channel, ts] for channel, ts in connection.execute(
            sa.select(posted.c.channel_id, posted.c.ts)
            .where(posted.c.candidate_id == candidate_id, posted.c.ts.is_not(None))
            .order_by(posted.c.id))]
        connection.execute(_OUTBOX.update().where(_OUTBOX.c.id == erase.id)
                           .values(payload=payload))
