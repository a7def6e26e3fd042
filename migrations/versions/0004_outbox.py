"""outbox: side effects stored with the change; the deferred-jobs hand-off goes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("fold_key", sa.String(length=120), nullable=True),
        sa.Column("interview_id", sa.Integer(), nullable=True),
        sa.Column("due_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Enum("pending", "failed", name="outbox_status",
                                    native_enum=False, length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_fold_key"), ["fold_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_interview_id"), ["interview_id"],
                              unique=False)
    # A scorecard the old hand-off acked but had not stored yet must not be lost: it
    # becomes an outbox row that stores it (bot/effects.py `store_acked_scorecard`). The
    # other jobs opened modals or answered response URLs that have expired by now.
    jobs = sa.table("deferred_jobs", sa.column("kind", sa.String), sa.column("payload", sa.JSON),
                    sa.column("request_id", sa.String), sa.column("created_at",
                                                                  models.base.UTCDateTime()))
    outbox = sa.table("outbox", sa.column("kind", sa.String), sa.column("payload", sa.JSON),
                      sa.column("fold_key", sa.String), sa.column("interview_id", sa.Integer),
                      sa.column("due_at", models.base.UTCDateTime()),
                      sa.column("status", sa.String), sa.column("attempts", sa.Integer),
                      sa.column("request_id", sa.String),
                      sa.column("created_at", models.base.UTCDateTime()))
    connection = op.get_bind()
    waiting = connection.execute(sa.select(jobs.c.payload, jobs.c.request_id,
                                           jobs.c.created_at)
                                 .where(jobs.c.kind == "scorecard_submitted")).all()
    for payload, request_id, created_at in waiting:
        connection.execute(outbox.insert().values(
            kind="store_acked_scorecard", payload=payload, fold_key=None,
            interview_id=payload.get("interview_id"), due_at=created_at, status="pending",
            attempts=0, request_id=request_id, created_at=created_at))
    with op.batch_alter_table("deferred_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deferred_jobs_claimed_until"))
    op.drop_table("deferred_jobs")


def downgrade() -> None:
    op.create_table(
        "deferred_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deferred_jobs")),
    )
    with op.batch_alter_table("deferred_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deferred_jobs_claimed_until"), ["claimed_until"],
                              unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_interview_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_fold_key"))
        batch_op.drop_index("ix_outbox_status_due")
    op.drop_table("outbox")
