"""deferred jobs: after-ack work handed to the background process

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
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


def downgrade() -> None:
    with op.batch_alter_table("deferred_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deferred_jobs_claimed_until"))
    op.drop_table("deferred_jobs")
